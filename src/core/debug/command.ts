/**
 * The command a debug run starts: the profile's (or image's) Python command, rewritten to run
 * under debugpy's command line, `python -m debugpy --listen 0.0.0.0:<port> --wait-for-client ...`.
 * Source of debugpy's command line: https://github.com/microsoft/debugpy#debugpy-cli-usage
 */
import { UserError } from '../errors';
import type { RunRequest } from '../run/createOptions';

/** debugpy's documented default port (its README uses 5678); the container port the debug run listens on. */
export const DEBUGPY_PORT = 5678;

/** `python`, `python3`, `python3.11`, also with a folder: `/usr/bin/python3`. */
const PYTHON = /^(?:.*\/)?python(?:\d+(?:\.\d+)?)?$/;
/** Interpreter options that take no value (https://docs.python.org/3/using/cmdline.html). */
const FLAG_OPTIONS = new Set(['-u', '-B', '-O', '-OO', '-E', '-s', '-S', '-I', '-b', '-bb', '-q', '-v', '-d', '-P', '-R']);
/** Interpreter options whose value is the next word. */
const VALUE_OPTIONS = new Set(['-X', '-W']);
/** A shell command of plain words only: no quoting, variables, redirection or chaining. */
const PLAIN_SHELL = /^[\w./:=,@%+-]+(?:\s+[\w./:=,@%+-]+)*$/;

export const SUPPORTED_COMMANDS =
  'python[3] [interpreter options such as -u] script.py [args], python -m module [args] or python -c code, ' +
  'as run.command (or the image\'s CMD), with no ENTRYPOINT other than python';

/**
 * The command to debug: what the container would run, as Docker decides it. An `entrypoint`
 * given in the profile resets the image's CMD (as `docker run --entrypoint` does).
 * @returns argv, e.g. `['python', 'train.py']`
 */
export function effectiveCommand(
  run: { entrypoint?: string[]; cmd?: string[] },
  image: { entrypoint: string[]; cmd: string[] },
): string[] {
  const entrypoint = run.entrypoint ?? image.entrypoint;
  const cmd = run.cmd ?? (run.entrypoint !== undefined ? [] : image.cmd);
  return [...entrypoint.filter((w, i) => !(i === 0 && w === '')), ...cmd];
}

/**
 * Rewrites a Python command to start under debugpy, waiting for the debugger before the first line:
 * `python -u train.py --epochs 3` -> `python -u -m debugpy --listen 0.0.0.0:5678 --wait-for-client train.py --epochs 3`;
 * `python -m pkg.train` -> `python -m debugpy ... -m pkg.train`; `python -c CODE` -> `... -c CODE`.
 * A shell form of plain words (`/bin/sh -c "python train.py --epochs 3"`, Docker's form of a
 * shell-form CMD) is read as those words. debugpy listens on 0.0.0.0 inside the container: only
 * the port binding decides who can reach it (127.0.0.1 on the host).
 * @param argv the command as Docker runs it (`effectiveCommand`)
 * @param port the container port debugpy listens on (1-65535)
 * @throws UserError naming the command and the supported forms for anything else
 */
export function debugpyCommand(argv: string[], port: number = DEBUGPY_PORT): string[] {
  const words = shellWords(argv) ?? argv;
  const shown = argv.join(' ') || '(no command)';
  const unsupported = (why: string) =>
    new UserError(`The debugger cannot run "${shown}": ${why}.`, {
      hint: `Supported: ${SUPPORTED_COMMANDS}. Set run.command in the profile, e.g. command: [python, train.py].`,
    });
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UserError(`Debug port ${port} is not valid; expected 1-65535, e.g. ${DEBUGPY_PORT}.`);
  if (words.length === 0 || !PYTHON.test(words[0])) throw unsupported('it does not start with python');
  const options: string[] = [];
  let i = 1;
  for (; i < words.length; i++) {
    const w = words[i];
    if (FLAG_OPTIONS.has(w)) options.push(w);
    else if (VALUE_OPTIONS.has(w) && i + 1 < words.length) options.push(w, words[++i]);
    else break;
  }
  const target = words[i];
  if (target === undefined) throw unsupported('it starts Python without a script or module (an interactive interpreter)');
  if (target === '-m' && words[i + 1] === 'debugpy') throw unsupported('it already runs under debugpy; use "ML Lab: Attach Debugger to Container..." on the running container instead');
  if ((target === '-m' || target === '-c') && words[i + 1] === undefined) throw unsupported(`${target} names no ${target === '-m' ? 'module' : 'code'}`);
  if (target.startsWith('-') && target !== '-m' && target !== '-c') throw unsupported(`the interpreter option ${target} is not one the debugger can pass on`);
  return [words[0], ...options, '-m', 'debugpy', '--listen', `0.0.0.0:${port}`, '--wait-for-client', ...words.slice(i)];
}

/** `['/bin/sh', '-c', 'python train.py']` -> `['python', 'train.py']`; undefined when not such a plain shell form. */
function shellWords(argv: string[]): string[] | undefined {
  if (argv.length !== 3 || !/^(?:\/bin\/|\/usr\/bin\/)?(?:sh|bash|dash|ash)$/.test(argv[0]) || argv[1] !== '-c') return undefined;
  const script = argv[2].trim();
  return PLAIN_SHELL.test(script) ? script.split(/\s+/) : undefined;
}

/** Label on a debug run's container: the container port debugpy listens on. */
export const DEBUG_PORT_LABEL = 'org.mllab.debug-port';

/**
 * A profile's run request turned into its debug run: the command under debugpy (`argv[0]` as
 * ENTRYPOINT, the rest as CMD, so an image ENTRYPOINT cannot wrap it again), the container port
 * `port` published on `bindIp` on a host port the engine picks (a profile's own binding of that
 * port is replaced), the DEBUG_PORT_LABEL label, and detached without a TTY (the debugger is
 * the way in; the logs show the output).
 * @param argv the command from `debugpyCommand`
 */
export function debugRunRequest(req: RunRequest, argv: string[], port: number, bindIp: string): RunRequest {
  return {
    ...req,
    entrypoint: [argv[0]],
    cmd: argv.slice(1),
    ports: [...req.ports.filter((p) => !(p.containerPort === port && p.protocol === 'tcp')), { hostIp: bindIp, containerPort: port, protocol: 'tcp' }],
    labels: { ...(req.labels ?? {}), [DEBUG_PORT_LABEL]: String(port) },
    interactive: false,
    detach: true,
  };
}
