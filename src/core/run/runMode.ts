/**
 * Detached or interactive: how a run meets its user (`docker run -d` or `docker run -it`), and
 * the checks the guided run makes on the container's name. Plain logic, no engine.
 */
import * as path from 'node:path';
import { CONTAINER_NAME } from './createOptions';

/**
 * Programs that wait for a person at a prompt when started with no arguments: POSIX and
 * common login shells, and the REPLs of the languages ML labs use (`python`, `python3.11`,
 * `ipython`, `node`, `R`...). Matched on the program's base name, so `/bin/bash` counts.
 */
const SHELL_PROGRAMS = /^(sh|bash|ash|dash|zsh|ksh|mksh|fish|tcsh|csh|busybox|python[0-9.]*|ipython[0-9.]*|bpython|pypy[0-9.]*|node|irb|R|julia|psql|sqlite3|redis-cli|mysql)$/;

/**
 * Whether a command starts an interactive prompt: exactly one word whose base name is a shell
 * or a REPL (`["bash"]`, `["/bin/sh"]`, `["python3"]`), or a shell with only `-i`/`-l` flags
 * (`["bash", "-l"]`, `["sh", "-i"]`). Anything with a script or `-c` is a job, not a prompt.
 * @param words the command as the container runs it: entrypoint words, then cmd words.
 */
export function isShellCommand(words: readonly string[] | undefined): boolean {
  if (words === undefined || words.length === 0) return false;
  const program = path.posix.basename(words[0]);
  if (!SHELL_PROGRAMS.test(program)) return false;
  return words.slice(1).every((w) => /^-[il]+$/.test(w) || w === '--login');
}

/** What the container runs: entrypoint then command, the request's own when given, else the image's (as the engine resolves them). */
export function effectiveCommand(
  run: { entrypoint?: string[]; cmd?: string[] },
  image: { entrypoint?: string[]; cmd?: string[] } = {},
): string[] {
  // `--entrypoint` given: the image's CMD is dropped by the engine (docker run reference).
  const entrypoint = run.entrypoint !== undefined && run.entrypoint.length > 0 ? run.entrypoint.filter((w) => w !== '') : image.entrypoint ?? [];
  const entrypointOverridden = run.entrypoint !== undefined && run.entrypoint.length > 0;
  const cmd = run.cmd !== undefined && run.cmd.length > 0 ? run.cmd : entrypointOverridden ? [] : image.cmd ?? [];
  return [...entrypoint, ...cmd];
}

/**
 * The guided run's default mode: interactive (`-it`) when what the container would run is a
 * shell or REPL with no script ({@link isShellCommand}), either the command typed in the guided
 * run or, when none was typed, the image's own ENTRYPOINT + CMD; detached (`-d`) otherwise.
 */
export function defaultRunMode(typed: string[] | undefined, image: { entrypoint?: string[]; cmd?: string[] }): 'interactive' | 'detached' {
  return isShellCommand(effectiveCommand({ cmd: typed }, image)) ? 'interactive' : 'detached';
}

/**
 * Why a container name cannot be used, or undefined when it can: Docker's rule
 * `[a-zA-Z0-9][a-zA-Z0-9_.-]+` (daemon/names RestrictedNameChars: at least 2 characters,
 * starting with a letter or digit), and a name another container already has (the engine would
 * answer 409 Conflict).
 * @param taken names of existing containers (without the leading "/") -> their status text.
 */
export function containerNameProblem(name: string, taken: ReadonlyMap<string, string>): string | undefined {
  if (name === '') return 'Give the container a name, e.g. greet-app-1.';
  if (!CONTAINER_NAME.test(name) || name.startsWith('/')) {
    return `"${name}" is not a valid container name: use letters, digits, _, . and - (at least 2 characters, starting with a letter or digit), e.g. greet-app-1.`;
  }
  const status = taken.get(name);
  if (status !== undefined) {
    return `A container named "${name}" already exists (${status}). Choose another name, or remove that container first.`;
  }
  return undefined;
}
