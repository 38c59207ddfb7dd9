/**
 * A run request -> the Engine API `POST /containers/create` body.
 * Source: https://docs.docker.com/engine/api/v1.41/#tag/Container/operation/ContainerCreate
 */
import { CREATED_BY_LABEL, CREATED_BY_VALUE } from '../ids';
import { UserError } from '../errors';
import { PortBinding, toEnginePortOptions } from './ports';
import { MountSpec, toEngineMounts } from './mounts';
import { GpuRequest, toDeviceRequests } from './gpus';
import type { TransferSpec } from '../transfer/spec';

export interface RunRequest {
  /** Image reference or id, e.g. "iris-train:v1". */
  image: string;
  /** Container name; undefined lets the engine pick one. */
  name?: string;
  ports: PortBinding[];
  mounts: MountSpec[];
  /** Environment variables, set as `K=V`. */
  env?: Record<string, string>;
  /** Extra labels; the created-by label is always added. */
  labels?: Record<string, string>;
  /** Overrides the image's CMD. */
  cmd?: string[];
  /** Host IP for port bindings that name none (setting `mlLab.run.bindAddress`, default 127.0.0.1). */
  bindAddress: string;
  /** Overrides the image's ENTRYPOINT (`--entrypoint`); `[]` is left out, `['']` clears it. */
  entrypoint?: string[];
  /** Working directory inside the container (`--workdir`); absolute. */
  workingDir?: string;
  /** User to run as (`--user`): `name`, `uid`, `uid:gid` or `name:group`. */
  user?: string;
  /** GPUs for the container (`--gpus`); see `parseGpuRequest`. */
  gpus?: GpuRequest;
  /** Size of /dev/shm in bytes (`--shm-size`); undefined: Docker's 64 MB. */
  shmSize?: number;
  /** IPC namespace (`--ipc`): 'host', 'private', 'shareable', 'none' or 'container:<name>'. */
  ipcMode?: 'host' | 'private' | 'shareable' | 'none' | (string & {});
  /** Memory limit in bytes (`--memory`); Docker's minimum is 6 MB. */
  memory?: number;
  /** CPU limit in billionths of a CPU (`--cpus 1.5` = 1_500_000_000). */
  nanoCpus?: number;
  /** Network (`--network`): 'bridge', 'host', 'none', 'container:<name>' or a network name. */
  network?: string;
  /** Remove the container when it exits (`--rm`). */
  autoRemove?: boolean;
  /** Keep stdin open and allocate a terminal (`-it`): OpenStdin, AttachStdin/out/err, StdinOnce, Tty. */
  interactive?: boolean;
  /**
   * Run in the background (`-d`). Default: true unless `interactive`, whose run attaches a
   * terminal; `interactive` with `detach: true` is `docker run -dit` (stdin kept open, nothing attached).
   */
  detach?: boolean;
  /** Restart policy (`--restart`): 'no', 'always', 'unless-stopped', 'on-failure' or 'on-failure:N'. */
  restart?: string;
  /** Workspace files copied into the created container before it starts (not part of the create body). */
  upload?: TransferSpec[];
  /** Container paths copied into the workspace after a detached run exits (not part of the create body). */
  download?: TransferSpec[];
}

/** Docker's container name rule (daemon/names: RestrictedNameChars), optionally with a leading "/". */
export const CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
/** POSIX-style environment variable name; Docker only forbids "=" and empty names, we are stricter to catch typos. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The daemon's lower bound for `--memory` ("Minimum memory limit allowed is 6MB", daemon/daemon_unix.go). */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;

/**
 * Parses a `--restart` policy into the Engine API `HostConfig.RestartPolicy`:
 * 'no' -> `{Name: 'no'}`, 'always', 'unless-stopped', 'on-failure' and 'on-failure:3'
 * (`MaximumRetryCount: 3`). Source: https://docs.docker.com/engine/containers/start-containers-automatically/
 * @throws UserError for any other text or a retry count that is not a whole number.
 */
export function parseRestartPolicy(text: string): { Name: string; MaximumRetryCount?: number } {
  const t = text.trim();
  if (t === 'no' || t === 'always' || t === 'unless-stopped' || t === 'on-failure') return { Name: t };
  const m = /^on-failure:(\d+)$/.exec(t);
  if (m) return { Name: 'on-failure', MaximumRetryCount: Number(m[1]) };
  throw new UserError(`Restart policy "${t}" is not valid; expected no, always, unless-stopped, on-failure or on-failure:N (e.g. on-failure:3).`);
}

/**
 * Checks an `--ipc` mode: 'host', 'private', 'shareable', 'none' or 'container:<name or id>'.
 * @throws UserError naming the expected values.
 */
export function validateIpcMode(mode: string): void {
  if (['host', 'private', 'shareable', 'none'].includes(mode)) return;
  if (/^container:[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(mode)) return;
  throw new UserError(`IPC mode "${mode}" is not valid; expected host, private, shareable, none or container:<name>.`);
}

/**
 * Builds the create body:
 * `{ name?, Image, Cmd?, Entrypoint?, WorkingDir?, User?, Env: ["K=V"], Labels, ExposedPorts,
 *   AttachStdin/AttachStdout/AttachStderr/OpenStdin/StdinOnce/Tty? (all true when interactive, as `docker run -it`),
 *   HostConfig: { PortBindings, Mounts, DeviceRequests?, ShmSize?, IpcMode?, Memory?, NanoCpus?,
 *   NetworkMode?, AutoRemove?, RestartPolicy? } }`.
 * Fields left undefined are left out, so the engine (and the image) defaults apply: shm 64 MB,
 * IPC private (or shareable, per daemon config), no memory or CPU limit, network bridge.
 * `Labels` always holds `org.mllab.created-by=ml-container-lab` (it wins over a caller label of
 * the same key, so the Containers view can find what the extension made). `name` is a query
 * parameter in the raw API; dockerode's `createContainer` moves it there.
 *
 * @throws UserError for an empty image, a name that breaks Docker's rule
 *   `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, an invalid environment variable name, host port clashes
 *   (from `toEnginePortOptions`), a relative working dir, a memory limit under 6 MB, a shm size,
 *   CPU count or memory that is not a positive whole number, an invalid IPC mode or restart
 *   policy, `--rm` with a restart policy, or published ports with network `host`.
 */
export function toCreateOptions(r: RunRequest): Record<string, unknown> {
  const image = r.image.trim();
  if (image === '') throw new UserError('No image given to run; pick an image, e.g. iris-train:v1.');
  const body: Record<string, unknown> = {};
  if (r.name !== undefined && r.name !== '') {
    if (!CONTAINER_NAME.test(r.name)) {
      throw new UserError(
        `Container name "${r.name}" is not valid: use letters, digits, _, . and - (at least 2 characters, starting with a letter or digit), e.g. iris-train-1a2b.`,
      );
    }
    body.name = r.name;
  }
  body.Image = image;
  if (r.cmd !== undefined && r.cmd.length > 0) body.Cmd = [...r.cmd];
  body.Env = Object.entries(r.env ?? {}).map(([key, value]) => {
    if (!ENV_NAME.test(key)) {
      throw new UserError(`Environment variable name "${key}" is not valid: use letters, digits and _, not starting with a digit (e.g. EPOCHS).`);
    }
    return `${key}=${value}`;
  });
  body.Labels = { ...(r.labels ?? {}), [CREATED_BY_LABEL]: CREATED_BY_VALUE };
  const ports = toEnginePortOptions(r.ports, r.bindAddress);
  body.ExposedPorts = ports.ExposedPorts;
  const hostConfig: Record<string, unknown> = { PortBindings: ports.PortBindings, Mounts: toEngineMounts(r.mounts) };
  body.HostConfig = hostConfig;

  if (r.entrypoint !== undefined && r.entrypoint.length > 0) body.Entrypoint = [...r.entrypoint];
  if (r.workingDir !== undefined && r.workingDir !== '') {
    if (!r.workingDir.startsWith('/')) {
      throw new UserError(`Working directory "${r.workingDir}" must be an absolute path inside the container, e.g. /usr/local/app.`);
    }
    body.WorkingDir = r.workingDir;
  }
  if (r.user !== undefined && r.user !== '') {
    if (/\s/.test(r.user)) throw new UserError(`User "${r.user}" is not valid; expected name, uid, uid:gid or name:group, e.g. 1000:1000.`);
    body.User = r.user;
  }
  if (r.interactive === true) {
    Object.assign(body, { AttachStdin: true, AttachStdout: true, AttachStderr: true, OpenStdin: true, StdinOnce: true, Tty: true });
  }
  if (r.gpus !== undefined) hostConfig.DeviceRequests = toDeviceRequests(r.gpus);
  if (r.shmSize !== undefined) {
    positiveWhole(r.shmSize, 'Shared memory size (shm size)', 'bytes, e.g. 2g');
    hostConfig.ShmSize = r.shmSize;
  }
  if (r.ipcMode !== undefined && r.ipcMode !== '') {
    validateIpcMode(r.ipcMode);
    hostConfig.IpcMode = r.ipcMode;
  }
  if (r.memory !== undefined) {
    positiveWhole(r.memory, 'Memory limit', 'bytes, e.g. 8g');
    if (r.memory < MIN_MEMORY_BYTES) throw new UserError(`Memory limit ${r.memory} bytes is below Docker's minimum of 6 MB; give at least 6m, e.g. 8g.`);
    hostConfig.Memory = r.memory;
  }
  if (r.nanoCpus !== undefined) {
    positiveWhole(r.nanoCpus, 'CPU limit (NanoCpus)', 'billionths of a CPU, e.g. 1.5 CPUs = 1500000000');
    hostConfig.NanoCpus = r.nanoCpus;
  }
  if (r.network !== undefined && r.network !== '') {
    if (r.network === 'host' && r.ports.length > 0) {
      throw new UserError('Ports cannot be published with network "host": the container already uses the host\'s ports.', {
        hint: 'Remove the port bindings, or use network bridge.',
      });
    }
    hostConfig.NetworkMode = r.network;
  }
  if (r.restart !== undefined && r.restart !== '') {
    const policy = parseRestartPolicy(r.restart);
    if (r.autoRemove === true && policy.Name !== 'no') {
      throw new UserError(`Remove-on-exit (--rm) cannot be combined with restart policy "${r.restart}": Docker would remove the container it should restart.`);
    }
    hostConfig.RestartPolicy = policy;
  }
  if (r.autoRemove === true) hostConfig.AutoRemove = true;
  return body;
}

function positiveWhole(value: number, what: string, unit: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new UserError(`${what} ${value} is not valid; expected a positive whole number of ${unit}.`);
}

/**
 * Suggests a container name from an image reference: the last path segment of the repository
 * plus 4 random hex digits, e.g. "localhost:5000/course/iris-train:v2" -> "iris-train-3f9a".
 * Characters Docker does not allow in names become "-"; an image id or an empty result gives
 * "container-xxxx". The result always matches `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
 *
 * @param random returns a number in [0, 1), injectable for tests.
 */
export function suggestContainerName(imageRef: string, random: () => number = Math.random): string {
  let ref = imageRef.trim();
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const lastSlash = ref.lastIndexOf('/');
  const lastColon = ref.lastIndexOf(':');
  if (lastColon > lastSlash) ref = ref.slice(0, lastColon);
  let base = ref.slice(ref.lastIndexOf('/') + 1);
  if (/^(sha256)?$/.test(base) || /^[0-9a-f]{12,64}$/.test(base)) base = 'container';
  base = base.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '').replace(/[^a-zA-Z0-9]+$/, '');
  if (base === '') base = 'container';
  const suffix = Math.floor(Math.min(Math.max(random(), 0), 0.9999999) * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return `${base}-${suffix}`;
}
