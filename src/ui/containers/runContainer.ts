/**
 * "ML Lab: Run Container...": a guided run. Pick an image; answer port bindings (prefilled from
 * EXPOSE, host port the same number or the next free one), volume mounts (prefilled from VOLUME,
 * and `./artifacts -> <WORKDIR>/artifacts` for training images; relative host paths are in the
 * workspace folder), env, GPUs (only when the engine has a GPU runtime) and shared memory (only
 * when the image uses PyTorch), the command and its arguments (empty keeps the image's; split like
 * a shell would: `"hello " 3` is two words), the container's name (prefilled with a suggestion;
 * Docker's rule and names already taken are checked as you type), and detached (`-d`, logs
 * followed) or interactive (`-it`, a terminal attached; the default when the container would run
 * a shell or REPL). Answers are remembered per image, and the last guided run can be saved as a
 * profile. Host ports bind to 127.0.0.1 unless the setting says otherwise.
 */
import { pickRunNetwork } from '../networks/networks';
import { readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseMounts, type MountSpec } from '../../core/run/mounts';
import { formatPortBinding, parsePortBindings } from '../../core/run/ports';
import { suggestContainerName, type RunRequest } from '../../core/run/createOptions';
import { splitCommand } from '../../core/run/profile';
import { containerNameProblem, defaultRunMode } from '../../core/run/runMode';
import { shellQuote } from '../../core/run/cliText';
import { guidedDefaults, looksLikeDataMount } from '../../core/run/guided';
import { nextFreePort } from '../../core/run/freePort';
import { parseGpuRequest, type GpuRequest } from '../../core/run/gpus';
import { parseByteSize } from '../../core/run/resources';
import type { ProfileInput } from '../../core/run/profileFile';
import { DOCKERFILE_LABEL, CommandIds } from '../../core/ids';
import { UserError } from '../../core/errors';
import { config } from '../base/config';
import type { CommandContext } from '../shared/context';
import { pickImage, refFromArg } from '../shared/pick';
import { runWithChecks, type RunPolicy } from '../shared/runner';
import { validator } from '../shared/validate';

/** Programmatic arguments (tests, other commands); what is left out is asked for. */
export interface RunContainerArgs extends RunPolicy {
  image?: string;
  /** port bindings as typed: `4000:8080 127.0.0.1:8888:8888` */
  ports?: string;
  /** volume mounts as typed: `./artifacts:/usr/local/app/artifacts` */
  mounts?: string;
  /** env as typed: `EPOCHS=20 LR=0.01` */
  env?: string;
  /** `all`, a count, or `device=0,1`; '' for none */
  gpus?: string;
  /** Docker size, e.g. `2g`; '' for Docker's default */
  shmSize?: string;
  ipc?: string;
  /** command and arguments as typed, split like a shell would (`"hello " 3`); '' keeps the image's */
  command?: string;
  /** container name; checked against Docker's rule and the names already taken */
  name?: string;
  /** 'interactive' attaches a terminal (`-it`); 'detached' runs in the background (`-d`) */
  mode?: 'detached' | 'interactive';
  /** remove the container when it exits (`--rm`); the guided run offers it with interactive */
  rm?: boolean;
  /** merged over the `mlLab.run.labels` setting */
  labels?: Record<string, string>;
  /** network to attach to; '' for the default bridge (asked only when user-defined networks exist) */
  network?: string;
}

/** What a guided run was answered with, as typed: saved per image and as "the last run". */
interface GuidedAnswers {
  ports: string;
  mounts: string;
  env: string;
  gpus: string;
  shm: string;
  /** command and arguments as typed ('' keeps the image's) */
  command?: string;
  mode?: 'detached' | 'interactive';
  rm?: boolean;
}

const LAST_RUN_KEY = 'mlLab.lastRun';
const answersKey = (image: string) => `mlLab.runAnswers:${image}`;

function workspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/** `EPOCHS=20 LR=0.01` -> record; names as Docker accepts them. */
export function parseEnvText(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const eq = word.indexOf('=');
    const key = eq < 0 ? word : word.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new UserError(`"${word}": expected NAME=value, e.g. EPOCHS=20 (names: letters, digits, _; not starting with a digit).`);
    }
    env[key] = eq < 0 ? (process.env[key] ?? '') : word.slice(eq + 1);
  }
  return env;
}

/** The Dockerfile and requirements.txt an image was built from, when the extension built it in this workspace. */
function buildSources(labels: Record<string, string>): { dockerfileText?: string; requirementsText?: string } {
  const rel = labels[DOCKERFILE_LABEL];
  const folder = workspaceFolder();
  if (!rel || !folder) return {};
  const file = path.join(folder, rel);
  const req = path.join(path.dirname(file), 'requirements.txt');
  return {
    dockerfileText: existsSync(file) ? readFileSync(file, 'utf8') : undefined,
    requirementsText: existsSync(req) ? readFileSync(req, 'utf8') : undefined,
  };
}

/** EXPOSE-based defaults with each host port moved to the next free one when taken. */
async function freeHostPorts(text: string, bindAddress: string): Promise<string> {
  const out = [];
  for (const b of parsePortBindings(text)) {
    out.push(b.hostPort === undefined ? b : { ...b, hostPort: await nextFreePort(b.hostPort, b.hostIp ?? bindAddress).catch(() => b.hostPort) });
  }
  return out.map(formatPortBinding).join(' ');
}

export async function runContainer(ctx: CommandContext, arg?: unknown): Promise<{ id: string; name: string } | undefined> {
  const args: RunContainerArgs =
    arg && typeof arg === 'object' && !('kind' in arg) ? (arg as RunContainerArgs) : { image: refFromArg(arg, 'image') };
  const engine = ctx.session.get();
  const image = args.image ?? (await pickImage(ctx, 'Run Container: image'));
  if (!image) return undefined;
  const details = await engine.inspectImage(image);
  const folder = workspaceFolder();
  const bindAddress = config.bindAddress();
  const guided = guidedDefaults({
    image,
    exposedPorts: details.exposedPorts,
    volumes: details.volumes,
    workingDir: details.workingDir,
    imageLabels: details.labels,
    imageCmd: [...details.entrypoint, ...details.cmd],
    hasGpuRuntime: args.gpus === undefined ? await engine.hasGpuRuntime().catch(() => false) : false,
    ...buildSources(details.labels),
  });
  const remembered = ctx.extension.workspaceState.get<GuidedAnswers>(answersKey(image));
  const steps = 6 + (guided.offerGpus ? 1 : 0) + (guided.suggestShm ? 1 : 0);
  let step = 0;
  const title = (what: string) => `Run ${image} (${++step}/${steps}): ${what}`;
  const ask = async (what: string, prompt: string, value: string, validate: (t: string) => string | undefined, placeHolder?: string) =>
    vscode.window.showInputBox({ title: title(what), prompt, value, placeHolder, validateInput: validate, ignoreFocusOut: true });

  const ports =
    args.ports ??
    (await ask(
      'port bindings',
      'host-port:container-port, separated by spaces (e.g. 4000:8080). Empty for none.',
      remembered?.ports ?? (await freeHostPorts(guided.ports.replace(/,\s*/g, ' '), bindAddress)),
      validator(parsePortBindings),
    ));
  if (ports === undefined) return undefined;

  const mountsText =
    args.mounts ??
    (await ask(
      'volume mounts',
      'host-path:container-path[:ro] or volume-name:container-path, separated by spaces; ./relative paths are in the workspace folder. Empty for none.',
      remembered?.mounts ?? guided.mounts.replace(/,\s*/g, ' '),
      validator((t) => parseMounts(t, folder)),
      `./artifacts:${(details.workingDir || '/usr/local/app').replace(/\/$/, '')}/artifacts`,
    ));
  if (mountsText === undefined) return undefined;
  let mounts: MountSpec[] = parseMounts(mountsText, folder);
  if (args.mounts === undefined) {
    const data = mounts.filter((m) => m.type === 'bind' && !m.readOnly && looksLikeDataMount(m.target));
    if (data.length) {
      const ro = await vscode.window.showQuickPick(
        [
          { label: 'Read-only', description: 'recommended for data sets: the job cannot change them', ro: true },
          { label: 'Read-write', ro: false },
        ],
        { title: `Mount ${data.map((m) => m.target).join(', ')} read-only?` },
      );
      if (!ro) return undefined;
      if (ro.ro) mounts = mounts.map((m) => (data.includes(m) ? { ...m, readOnly: true } : m));
    }
  }

  const env = args.env ?? (await ask('environment', 'NAME=value pairs separated by spaces (e.g. EPOCHS=20). Empty for none.', remembered?.env ?? '', validator(parseEnvText)));
  if (env === undefined) return undefined;

  let gpus = args.gpus ?? '';
  if (args.gpus === undefined && guided.offerGpus) {
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'No GPU', value: '' },
        { label: 'All GPUs', value: 'all', description: '--gpus all' },
        { label: 'One GPU', value: '1', description: '--gpus 1' },
      ],
      { title: title('GPUs') },
    );
    if (!pick) return undefined;
    gpus = pick.value;
  }

  let shm = args.shmSize ?? '';
  let ipc = args.ipc;
  if (args.shmSize === undefined && args.ipc === undefined && guided.suggestShm) {
    const pick = await vscode.window.showQuickPick(
      [
        { label: `Shared memory ${guided.suggestShm.size}`, description: 'recommended', detail: guided.suggestShm.why, value: guided.suggestShm.size },
        { label: 'IPC host', description: 'share the host IPC namespace (no /dev/shm limit)', value: 'ipc=host' },
        { label: "Docker's default", description: '64 MB /dev/shm', value: '' },
      ],
      { title: title('shared memory') },
    );
    if (!pick) return undefined;
    if (pick.value === 'ipc=host') ipc = 'host';
    else shm = pick.value;
  }

  const imageCommand = [...details.entrypoint, ...details.cmd];
  const command =
    args.command ??
    (await ask(
      'command and arguments',
      `Words after the image, as in docker run ${image} ...; quote like a shell ("hello " 3). Empty keeps the image's command${imageCommand.length ? `: ${imageCommand.map(shellQuote).join(' ')}` : ''}.`,
      remembered?.command ?? '',
      validator(splitCommand),
      details.cmd.length ? details.cmd.map(shellQuote).join(' ') : undefined,
    ));
  if (command === undefined) return undefined;
  const cmd = splitCommand(command);

  const taken = new Map((await engine.listContainers()).map((c) => [c.name, c.status]));
  const name =
    args.name ??
    (await ask('container name', "Letters, digits, _, . and -; it must not be another container's.", suggestContainerName(image), (t) => containerNameProblem(t.trim(), taken)))?.trim();
  if (name === undefined) return undefined;
  const nameProblem = containerNameProblem(name, taken);
  if (nameProblem) throw new UserError(nameProblem);

  const suggestedMode = defaultRunMode(cmd, details);
  let mode = args.mode ?? suggestedMode;
  let rm = args.rm ?? false;
  if (args.mode === undefined) {
    const items = [
      { label: 'Detached', description: 'docker run -d', detail: 'Runs in the background; its logs follow in a terminal and you are told when it exits.', mode: 'detached' as const, rm: false },
      { label: 'Interactive', description: 'docker run -it', detail: 'A terminal attached to the container: type into it, Ctrl-C reaches the program; it ends when the program exits.', mode: 'interactive' as const, rm: false },
      { label: 'Interactive, removed on exit', description: 'docker run -it --rm', detail: 'As Interactive, and the container is deleted when it exits.', mode: 'interactive' as const, rm: true },
    ];
    // The suggestion comes first (a quick pick preselects its first item); --rm as last time for that mode.
    const first = items.find((i) => i.mode === suggestedMode && i.rm === (remembered?.mode === suggestedMode && remembered.rm === true)) ?? items[0];
    const pick = await vscode.window.showQuickPick([first, ...items.filter((i) => i !== first)], {
      title: title('detached or interactive'),
      placeHolder: suggestedMode === 'interactive' ? 'The container runs a shell: interactive is suggested' : 'Detached is suggested',
      ignoreFocusOut: true,
    });
    if (!pick) return undefined;
    mode = pick.mode;
    rm = pick.rm;
  }
  const interactive = mode === 'interactive';

  // offer the user-defined networks (asked only when there are some)
  // (not asked when called with arguments: callers that pass the run's answers get the default bridge)
  const programmatic = !!arg && typeof arg === 'object' && !('kind' in arg);
  const network = args.network ?? (programmatic ? '' : await pickRunNetwork(ctx, image));
  if (network === undefined) return undefined;

  const gpuRequest: GpuRequest | undefined = gpus ? parseGpuRequest(gpus) : undefined;
  const req: RunRequest = {
    image,
    name,
    ...(cmd.length ? { cmd } : {}),
    interactive,
    detach: !interactive,
    ...(rm ? { autoRemove: true } : {}),
    ports: parsePortBindings(ports),
    mounts,
    env: parseEnvText(env),
    labels: { ...config.runLabels(), ...(args.labels ?? {}) },
    bindAddress,
    ...(gpuRequest ? { gpus: gpuRequest } : {}),
    ...(shm ? { shmSize: parseByteSize(shm) } : {}),
    ...(ipc ? { ipcMode: ipc } : {}),
    ...(network ? { network } : {}),
  };
  const answers: GuidedAnswers = { ports, mounts: mountsText, env, gpus, shm: ipc ? 'ipc=host' : shm, command, mode, rm };
  await ctx.extension.workspaceState.update(answersKey(image), answers);
  await ctx.extension.workspaceState.update(LAST_RUN_KEY, toProfileInput(image, answers, ipc, name));

  const result = await runWithChecks(ctx, req, { imageUser: details.user, ...args });
  if (result && arg === undefined) {
    void vscode.window.showInformationMessage(`Started ${result.name} from ${image}.`, 'Save as Profile').then((c) => {
      if (c) void vscode.commands.executeCommand(CommandIds.profileSave);
    });
  }
  return result;
}

/** The profile form of a guided run, as typed (relative paths stay relative). */
function toProfileInput(image: string, a: GuidedAnswers, ipc: string | undefined, name: string | undefined): ProfileInput {
  const env = a.env ? parseEnvText(a.env) : undefined;
  return {
    image,
    run: {
      ...(name ? { name } : {}),
      ...(a.ports.trim() ? { ports: a.ports.trim().split(/[\s,]+/) } : {}),
      ...(a.mounts.trim() ? { volumes: a.mounts.trim().split(/[\s,]+/) } : {}),
      ...(env && Object.keys(env).length ? { env } : {}),
      ...(a.gpus ? { gpus: a.gpus } : {}),
      ...(a.shm && a.shm !== 'ipc=host' ? { shmSize: a.shm } : {}),
      ...(ipc ? { ipc } : {}),
      ...(a.command?.trim() ? { command: splitCommand(a.command) } : {}),
      ...(a.rm ? { rm: true } : {}),
      ...(a.mode === 'interactive' ? { interactive: true } : {}),
    },
  };
}

/** The last guided run in this workspace, as a profile input (for "Save as Profile"). */
export function lastGuidedRun(ctx: CommandContext): ProfileInput | undefined {
  return ctx.extension.workspaceState.get<ProfileInput>(LAST_RUN_KEY);
}
