/**
 * The `docker build` / `docker run` command text equivalent to a profile, a run request or an
 * existing container, so students see (and can copy) the CLI the labs teach.
 * Option names: https://docs.docker.com/reference/cli/docker/container/run/ and
 * https://docs.docker.com/reference/cli/docker/buildx/build/
 */
import * as path from 'node:path';
import { CREATED_BY_LABEL } from '../ids';
import { PortBinding, formatPortBinding } from './ports';
import { formatMount, MountSpec } from './mounts';
import { formatGpuRequest, gpuRequestFromDeviceRequests } from './gpus';
import { DEFAULT_SHM_SIZE_BYTES, formatByteSize, formatCpus } from './resources';
import type { RunRequest } from './createOptions';
import type { Profile, ProfileBuild } from './profile';

/** Characters that never need quoting in a POSIX shell word. */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes one word for a POSIX shell (sh, bash, zsh): unchanged when it has only safe
 * characters, else in single quotes with each `'` written as `'\''`; `''` for the empty word.
 * @example shellQuote("it's") === "'it'\\''s'"
 */
export function shellQuote(word: string): string {
  if (word === '') return "''";
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function joinWords(words: string[]): string {
  return words.map(shellQuote).join(' ');
}

/** `p` relative to `cwd` when it lies inside it ("." for cwd itself), else unchanged. */
function relativeTo(p: string, cwd: string | undefined): string {
  if (cwd === undefined) return p;
  const rel = path.relative(cwd, p);
  if (rel === '') return '.';
  if (rel.startsWith('..') || path.isAbsolute(rel)) return p;
  return rel;
}

/**
 * The `docker build` command for a profile's build:
 * `docker build -f <dockerfile> -t <tag> --build-arg K=V ... --target <stage> --platform <p> <context>`.
 * @param options.cwd when given, the Dockerfile and context inside it are written relative to it
 *   (run the command from there, e.g. the workspace folder); else absolute paths.
 * @returns the command; '' for a profile without `build`. Never throws.
 */
export function dockerBuildCommand(profile: Pick<Profile, 'build'> | { build?: ProfileBuild }, options: { cwd?: string } = {}): string {
  const b = profile.build;
  if (b === undefined) return '';
  const words = ['docker', 'build', '-f', relativeTo(b.dockerfile, options.cwd), '-t', b.tag];
  for (const [key, value] of Object.entries(b.args)) words.push('--build-arg', `${key}=${value}`);
  if (b.target !== undefined) words.push('--target', b.target);
  if (b.platform !== undefined) words.push('--platform', b.platform);
  words.push(relativeTo(b.context, options.cwd));
  return joinWords(words);
}

/** The parts of a run the CLI text needs; both profiles and run requests map onto it. */
interface RunText {
  image: string;
  name?: string;
  interactive: boolean;
  detach: boolean;
  ports: PortBinding[];
  bindAddress?: string;
  mounts: MountSpec[];
  gpus?: string;
  shmSize?: number;
  ipcMode?: string;
  memory?: number;
  nanoCpus?: number;
  network?: string;
  restart?: string;
  autoRemove: boolean;
  envFiles: string[];
  env: Array<[string, string]>;
  labels: Array<[string, string]>;
  workingDir?: string;
  user?: string;
  entrypoint?: string[];
  cmd?: string[];
}

/**
 * The `docker run` command equivalent to a profile or a run request, options in this order:
 * `docker run -d|-it|-dit --name N -p ... -v ... --gpus G --shm-size 2g --ipc host -m 8g --cpus 2
 *  --network N --restart R --rm --env-file F -e K=V --label K=V --workdir W --user U
 *  --entrypoint E image [entrypoint args...] [cmd...]`.
 * `-d` when detached, `-it` when interactive (`-dit`: both). Port bindings without a host IP get the bind address
 * (the run request's, or `options.bindAddress` for a profile, default 127.0.0.1), so the text
 * publishes exactly where the extension would. Bind mounts use absolute host paths. An
 * entrypoint of several words becomes `--entrypoint <first>` and the rest go before the
 * command (the CLI takes one word). The created-by label is left out: a CLI run is not ours.
 * Every word is shell-quoted (`shellQuote`).
 * @param options.cwd env files inside it are written relative to it.
 */
export function dockerRunCommand(input: Profile | RunRequest, options: { bindAddress?: string; cwd?: string } = {}): string {
  let t: RunText;
  if ('run' in input) {
    const r = input.run;
    t = {
      ...r,
      image: input.image,
      bindAddress: options.bindAddress ?? '127.0.0.1',
      gpus: r.gpus && formatGpuRequest(r.gpus),
      env: Object.entries(r.env),
      labels: Object.entries(r.labels),
      envFiles: r.envFiles.map((f) => relativeTo(f, options.cwd)),
    };
  } else {
    t = {
      ...input,
      interactive: input.interactive === true,
      detach: input.detach ?? input.interactive !== true,
      autoRemove: input.autoRemove === true,
      gpus: input.gpus && formatGpuRequest(input.gpus),
      env: Object.entries(input.env ?? {}),
      labels: Object.entries(input.labels ?? {}).filter(([k]) => k !== CREATED_BY_LABEL),
      envFiles: [],
    };
  }
  return runText(t);
}

function runText(t: RunText): string {
  const mode = `${t.detach ? 'd' : ''}${t.interactive ? 'it' : ''}`;
  const w: string[] = ['docker', 'run', ...(mode ? [`-${mode}`] : [])];
  if (t.name !== undefined && t.name !== '') w.push('--name', t.name.replace(/^\//, ''));
  for (const p of t.ports) w.push('-p', formatPortBinding(p.hostIp === undefined && t.bindAddress !== undefined ? { ...p, hostIp: t.bindAddress } : p));
  for (const m of t.mounts) w.push('-v', formatMount(m));
  if (t.gpus !== undefined) w.push('--gpus', t.gpus);
  if (t.shmSize !== undefined) w.push('--shm-size', formatByteSize(t.shmSize));
  if (t.ipcMode !== undefined && t.ipcMode !== '') w.push('--ipc', t.ipcMode);
  if (t.memory !== undefined) w.push('-m', formatByteSize(t.memory));
  if (t.nanoCpus !== undefined) w.push('--cpus', formatCpus(t.nanoCpus));
  if (t.network !== undefined && t.network !== '') w.push('--network', t.network);
  if (t.restart !== undefined && t.restart !== '') w.push('--restart', t.restart);
  if (t.autoRemove) w.push('--rm');
  for (const f of t.envFiles) w.push('--env-file', f);
  for (const [k, v] of t.env) w.push('-e', `${k}=${v}`);
  for (const [k, v] of t.labels) w.push('--label', `${k}=${v}`);
  if (t.workingDir !== undefined && t.workingDir !== '') w.push('--workdir', t.workingDir);
  if (t.user !== undefined && t.user !== '') w.push('--user', t.user);
  const args: string[] = [];
  if (t.entrypoint !== undefined && t.entrypoint.length > 0) {
    w.push('--entrypoint', t.entrypoint[0]);
    args.push(...t.entrypoint.slice(1));
  }
  args.push(...(t.cmd ?? []));
  w.push(t.image, ...args);
  return joinWords(w);
}

/** What the image itself sets; values equal to these are left out of the command. */
export interface ImageDefaults {
  Env?: string[];
  Labels?: Record<string, string>;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  User?: string;
}

const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const strs = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : undefined);
const sameList = (a: string[] | undefined, b: string[] | null | undefined): boolean => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

/**
 * The `docker run` command that would recreate an existing container, from its
 * `GET /containers/{id}/json` (for "Copy docker run command"). Covers what profiles can
 * express: name, -it/-d, port bindings, bind mounts and named volumes (`HostConfig.Binds` and
 * `HostConfig.Mounts`; anonymous volumes are left out), GPUs, shm size (left out at Docker's
 * default 64 MB), IPC mode (left out when private/shareable), memory, CPUs, network (left out
 * for bridge/default), restart policy, --rm, env, labels, working dir, user, entrypoint, command.
 *
 * @param imageEnv the image's `Config.Env` ("K=V"); variables equal to the image's are left out.
 * @param image more image defaults (labels, Cmd, Entrypoint, WorkingDir, User) to leave out;
 *   without it they are written out, which is equivalent but longer.
 */
export function runCommandFromInspect(inspect: Record<string, unknown>, imageEnv: string[] = [], image: ImageDefaults = {}): string {
  const config = obj(inspect.Config);
  const host = obj(inspect.HostConfig);
  const ports: PortBinding[] = [];
  for (const [key, list] of Object.entries(obj(host.PortBindings))) {
    const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(key);
    if (!m || !Array.isArray(list)) continue;
    for (const b of list as Array<Record<string, unknown>>) {
      const binding: PortBinding = { containerPort: Number(m[1]), protocol: (m[2] ?? 'tcp') as PortBinding['protocol'] };
      if (typeof b.HostIp === 'string' && b.HostIp !== '') binding.hostIp = b.HostIp;
      if (typeof b.HostPort === 'string' && /^\d+$/.test(b.HostPort)) binding.hostPort = Number(b.HostPort);
      ports.push(binding);
    }
  }
  const mounts: MountSpec[] = [];
  for (const bind of strs(host.Binds) ?? []) {
    const [source, target, opts = ''] = bind.split(':');
    mounts.push({ type: source.startsWith('/') ? 'bind' : 'volume', source, target, readOnly: opts.split(',').includes('ro') });
  }
  for (const m of Array.isArray(host.Mounts) ? (host.Mounts as Array<Record<string, unknown>>) : []) {
    if ((m.Type === 'bind' || m.Type === 'volume') && typeof m.Source === 'string' && m.Source !== '' && typeof m.Target === 'string') {
      mounts.push({ type: m.Type, source: m.Source, target: m.Target, readOnly: m.ReadOnly === true });
    }
  }
  const gpus = gpuRequestFromDeviceRequests(host.DeviceRequests);
  const restart = obj(host.RestartPolicy);
  const restartName = typeof restart.Name === 'string' ? restart.Name : '';
  const retries = typeof restart.MaximumRetryCount === 'number' ? restart.MaximumRetryCount : 0;
  const fromImage = new Set([...imageEnv, ...(image.Env ?? [])]);
  const imageLabels = image.Labels ?? {};
  const entrypoint = strs(config.Entrypoint);
  const cmd = strs(config.Cmd);
  const entrypointChanged = !sameList(entrypoint, image.Entrypoint) || image.Entrypoint === undefined;
  const num = (v: unknown): number | undefined => (typeof v === 'number' && v > 0 ? v : undefined);
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const t: RunText = {
    image: str(config.Image) ?? str(inspect.Image) ?? '',
    name: str(inspect.Name),
    interactive: config.OpenStdin === true && config.Tty === true,
    detach: !(config.OpenStdin === true && config.Tty === true),
    ports,
    mounts,
    gpus: gpus && formatGpuRequest(gpus),
    shmSize: num(host.ShmSize) === DEFAULT_SHM_SIZE_BYTES ? undefined : num(host.ShmSize),
    ipcMode: ['', 'private', 'shareable'].includes(str(host.IpcMode) ?? '') ? undefined : str(host.IpcMode),
    memory: num(host.Memory),
    nanoCpus: num(host.NanoCpus),
    network: ['', 'default', 'bridge'].includes(str(host.NetworkMode) ?? '') ? undefined : str(host.NetworkMode),
    restart: restartName === '' || restartName === 'no' ? undefined : restartName === 'on-failure' && retries > 0 ? `on-failure:${retries}` : restartName,
    autoRemove: host.AutoRemove === true,
    envFiles: [],
    env: (strs(config.Env) ?? [])
      .filter((e) => !fromImage.has(e))
      .map((e) => {
        const eq = e.indexOf('=');
        return eq < 0 ? [e, ''] : [e.slice(0, eq), e.slice(eq + 1)];
      }),
    labels: Object.entries(obj(config.Labels))
      .map(([k, v]): [string, string] => [k, String(v)])
      .filter(([k, v]) => k !== CREATED_BY_LABEL && imageLabels[k] !== v),
    workingDir: str(config.WorkingDir) === (image.WorkingDir ?? '') ? undefined : str(config.WorkingDir),
    user: str(config.User) === (image.User || undefined) ? undefined : str(config.User),
    entrypoint: entrypointChanged ? entrypoint : undefined,
    // With --entrypoint the daemon drops the image's CMD, so the command is then always written.
    cmd: entrypointChanged && entrypoint !== undefined && entrypoint.length > 0 ? cmd : sameList(cmd, image.Cmd) && image.Cmd !== undefined ? undefined : cmd,
  };
  return runText(t);
}
