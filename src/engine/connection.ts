/**
 * The connection to one Docker engine (a Unix socket, TCP with or without TLS, or SSH through
 * `docker system dial-stdio`), the bounded call every request goes through, the mapping of
 * socket and HTTP failures to messages that say what to do, and the system calls
 * (`_ping`, `/version`, `/info`). The other files of src/engine add the calls of one resource
 * each; src/engine/engine.ts joins them into the one public {@link Engine}.
 * dockerode is `require`d lazily on the first call: loading it costs about 100 ms (ssh2 and gRPC
 * code, ../shared/environment.md), which must not land on activation.
 */
import type * as DockerodeNs from 'dockerode';
import { readFileSync } from 'node:fs';
import { SshDialAgent, SshError, sshTarget, type SshOptions } from './ssh';
import { openSshForward, probeOverSsh } from './forward';
import type { OpenedForward } from '../core/forwards';
import type { ResolvedConnection } from '../core/connection';
import { UserError } from '../core/errors';
import type { EngineInfo, EngineVersion } from '../core/engineTypes';

/** Default timeout of one Engine API call, in ms: "enough time for any call, but short enough
 * to be UX-reasonable" (Microsoft's Docker extension's DockerApiClient used the same 20 s). */
export const DEFAULT_TIMEOUT_MS = 20_000;

/** An engine failure with a message for the user. `kind` lets callers react (offer Retry, another port). */
export class EngineError extends UserError {
  constructor(
    message: string,
    readonly kind: 'unreachable' | 'timeout' | 'notFound' | 'conflict' | 'portInUse' | 'noGpuRuntime' | 'buildFailed' | 'cancelled' | 'engine',
    options?: { hint?: string; cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EngineError';
  }
}

export type Dockerode = DockerodeNs;
let dockerodeCtor: (new (opts: DockerodeNs.DockerOptions) => Dockerode) | undefined;
function loadDockerode(): new (opts: DockerodeNs.DockerOptions) => Dockerode {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  dockerodeCtor ??= require('dockerode') as new (opts: DockerodeNs.DockerOptions) => Dockerode;
  return dockerodeCtor;
}

/** Aborts when either signal aborts (AbortSignal.any is Node 20.3+; VS Code 1.82 runs Node 18). */
export function anySignal(signals: Array<AbortSignal | undefined>): AbortSignal {
  const controller = new AbortController();
  for (const s of signals) {
    if (!s) continue;
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    s.addEventListener('abort', () => controller.abort(s.reason), { once: true });
  }
  return controller.signal;
}

export interface DockerodeError {
  statusCode?: number;
  code?: string;
  reason?: string;
  json?: { message?: string } | null;
  message?: string;
  name?: string;
}

/** The engine's own message from a dockerode error, without dockerode's "(HTTP code 500) server error - " prefix. */
export function engineMessage(err: DockerodeError): string {
  const json = err.json;
  if (json && typeof json === 'object' && typeof json.message === 'string') return json.message;
  const m = String(err.message ?? err);
  return m.replace(/^\(HTTP code \d+\) [a-z ]+ - /, '').trim();
}

/** Label filter for prune and list calls: `key=value` entries, as the Engine API's `label` filter takes them. */
export type LabelFilter = string[];

/** One engine: its connection, bounded calls, error mapping and system information. */
export abstract class EngineBase {
  private client: Dockerode | undefined;

  /** Whether the engine has a GPU runtime; asked once per Engine (Retry makes a new Engine). */
  private gpuRuntime: Promise<boolean> | undefined;

  /**
   * @param connection where the engine is (src/core/connection.ts resolves it)
   * @param timeoutMs limit of one API call in ms; streams (build, logs, events) are not limited
   */
  constructor(
    readonly connection: ResolvedConnection,
    readonly timeoutMs: number = DEFAULT_TIMEOUT_MS,
    /** for ssh:// engines: how to ask about an unknown host key, where ~/.ssh is */
    readonly sshOptions: SshOptions = {},
  ) {}

  private sshDialAgent: SshDialAgent | undefined;

  /** The shared SSH connection of an ssh:// engine (made on the first call). */
  private sshAgent(): SshDialAgent {
    const a = this.connection.address;
    if (a.kind !== 'ssh') throw new Error('not an ssh:// engine');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.sshDialAgent ??= new SshDialAgent(sshTarget(a, this.sshOptions), this.sshOptions, () => require('ssh2') as typeof import('ssh2'));
    return this.sshDialAgent;
  }

  /**
   * Port forwarding for an ssh:// engine: a free port of 127.0.0.1 here forwarded to
   * `remoteHost:remotePort` on the engine's machine, over the engine's SSH connection
   * (src/engine/forward.ts). Closes with the SSH connection.
   * @throws EngineError ('unreachable') when the SSH connection fails; ('engine') when nothing
   *   answers at that port there, or the engine is not ssh://
   */
  async openPortForward(remoteHost: string, remotePort: number): Promise<OpenedForward> {
    if (this.connection.address.kind !== 'ssh') {
      throw new EngineError(`Port forwarding needs an ssh:// engine; ${this.connection.describe} is not one.`, 'engine');
    }
    try {
      return await openSshForward(this.sshAgent(), remoteHost, remotePort);
    } catch (err) {
      // the engine answers; only that port does not: no "Retry the engine" for this one
      if (err instanceof SshError && err.kind === 'forward') throw new EngineError(err.message, 'engine', { cause: err });
      throw this.mapError(`Forward host port ${remotePort}`, err);
    }
  }

  /**
   * For an ssh:// engine: whether GET `path` at `remoteHost:remotePort` on the engine's machine
   * answers 2xx/3xx within `timeoutMs` (an app health check through one SSH channel, no forward).
   * False on any failure, and for an engine that is not ssh://.
   */
  async probeHttp(remoteHost: string, remotePort: number, path: string, timeoutMs: number): Promise<boolean> {
    if (this.connection.address.kind !== 'ssh') return false;
    return probeOverSsh(this.sshAgent(), remoteHost, remotePort, path, timeoutMs);
  }

  /** Closes the SSH connection of an ssh:// engine, if one is open; the next call opens a new one. */
  close(): void {
    this.sshDialAgent?.destroy();
  }

  protected docker(): Dockerode {
    if (!this.client) {
      const Ctor = loadDockerode();
      const a = this.connection.address;
      if (a.kind === 'socket') {
        this.client = new Ctor({ socketPath: a.socketPath });
      } else if (a.kind === 'ssh') {
        // A socketPath (never opened: the agent makes every connection) rather than a host: VS Code's
        // extension host routes http requests to a host through its proxy agent, which drops ours
        // (@vscode/proxy-agent keeps a caller's agent only for localhost and socketPath requests),
        // and dockerode then dialled "docker:80" (getaddrinfo ENOTFOUND docker). host: undefined
        // keeps docker-modem from taking DOCKER_HOST's instead.
        this.client = new Ctor({ socketPath: 'ssh-dial-stdio', host: undefined, protocol: 'http', agent: this.sshAgent() } as DockerodeNs.DockerOptions);
      } else {
        const tls = a.tls;
        const read = (p?: string) => (p ? readFileSync(p) : undefined);
        this.client = new Ctor({
          host: a.host,
          port: a.port,
          protocol: tls ? 'https' : 'http',
          ...(tls ? { ca: read(tls.caPath), cert: read(tls.certPath), key: read(tls.keyPath) } : {}),
        });
      }
    }
    return this.client;
  }

  /** Runs one bounded API call: aborted after `timeoutMs`, errors mapped to {@link EngineError}. */
  protected async call<T>(what: string, fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal, extraMs = 0): Promise<T> {
    const limitMs = this.timeoutMs + extraMs;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error('timeout')), limitMs);
    // Race as well as abort: a few dockerode calls (image inspect) take no abort signal.
    const timedOut = new Promise<never>((_, reject) =>
      timeout.signal.addEventListener('abort', () => reject(new Error('timeout')), { once: true }),
    );
    try {
      return await Promise.race([fn(anySignal([timeout.signal, signal])), timedOut]);
    } catch (err) {
      if (timeout.signal.aborted && !signal?.aborted) {
        throw new EngineError(
          `The Docker engine at ${this.connection.describe} did not answer "${what}" within ${limitMs} ms.`,
          'timeout',
          { hint: 'Check that the engine is not overloaded, or raise the setting mlLab.engine.timeoutMs.', cause: err },
        );
      }
      throw this.mapError(what, err, signal);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Turns socket and HTTP errors into messages that say what to do next. */
  mapError(what: string, err: unknown, signal?: AbortSignal): EngineError {
    if (err instanceof EngineError) return err;
    if (signal?.aborted) return new EngineError(`${what}: cancelled.`, 'cancelled', { cause: err });
    const e = (err ?? {}) as DockerodeError;
    if (e.code && ['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE'].includes(e.code)) {
      return new EngineError(
        `Docker engine not reachable at ${this.connection.describe} (${e.code}). Is Docker installed and running?`,
        'unreachable',
        { hint: 'Start the Docker engine (Docker Desktop, or `sudo systemctl start docker`), or set mlLab.engine.dockerHost, then Retry.', cause: err },
      );
    }
    if (err instanceof SshError) {
      return new EngineError(err.message, 'unreachable', { cause: err });
    }
    if (e.code === 'EACCES') {
      return new EngineError(
        `Permission denied on the Docker socket ${this.connection.describe}.`,
        'unreachable',
        { hint: 'Add your user to the `docker` group (then log out and in), or point mlLab.engine.dockerHost at an engine you may use.', cause: err },
      );
    }
    const msg = engineMessage(e);
    if (/port is already allocated|address already in use/i.test(msg)) {
      const port = /:(\d+)(?: failed|: bind)/.exec(msg)?.[1];
      return new EngineError(
        `${what}: ${port ? `host port ${port}` : 'a host port'} is already in use.`,
        'portInUse',
        { hint: 'Choose another host port (e.g. 4001:8080), or stop what is using it.', cause: err },
      );
    }
    if (/could not select device driver .* with capabilities: \[\[gpu\]\]/i.test(msg)) {
      return new EngineError(
        `${what}: this Docker engine has no GPU runtime, so the container cannot get a GPU.`,
        'noGpuRuntime',
        { hint: 'Install the NVIDIA Container Toolkit on the engine host and restart Docker, or run without GPUs.', cause: err },
      );
    }
    if (e.statusCode === 404) return new EngineError(`${what}: ${msg}`, 'notFound', { cause: err });
    if (e.statusCode === 409) return new EngineError(`${what}: ${msg}`, 'conflict', { cause: err });
    return new EngineError(`${what}: ${msg}`, 'engine', { cause: err });
  }

  /** `GET /_ping`; throws EngineError('unreachable') when nothing answers. */
  async ping(): Promise<void> {
    // dockerode's ping and version take options ({abortSignal}) at run time; its types omit them.
    const d = this.docker() as unknown as { ping(o: object): Promise<unknown> };
    await this.call('ping', (abortSignal) => d.ping({ abortSignal }));
  }

  /** `GET /version` */
  async version(): Promise<EngineVersion> {
    const d = this.docker() as unknown as { version(o: object): Promise<DockerodeNs.DockerVersion> };
    const v = await this.call('version', (abortSignal) => d.version({ abortSignal }));
    return { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch };
  }

  /** `GET /info`: what the Engines view shows (version, platform, CPUs, memory, GPU runtime, swarm state). */
  async info(): Promise<EngineInfo> {
    const d = this.docker() as unknown as { info(o: object): Promise<Record<string, unknown>> };
    const i = await this.call('engine info', (abortSignal) => d.info({ abortSignal }));
    const swarm = (i.Swarm ?? {}) as { LocalNodeState?: string; ControlAvailable?: boolean };
    return {
      serverVersion: String(i.ServerVersion ?? '?'),
      platform: `${String(i.OSType ?? '?')}/${String(i.Architecture ?? '?')}`,
      cpus: Number(i.NCPU ?? 0),
      memoryBytes: Number(i.MemTotal ?? 0),
      gpuRuntime: Object.keys((i.Runtimes ?? {}) as object).some((name) => /nvidia/i.test(name)),
      swarm: swarm.LocalNodeState ?? 'inactive',
      swarmManager: swarm.LocalNodeState === 'active' && swarm.ControlAvailable === true,
      operatingSystem: String(i.OperatingSystem ?? ''),
    };
  }

  /**
   * Whether the engine can give containers NVIDIA GPUs: `GET /info` lists a runtime named
   * `nvidia` (or any runtime whose name contains "nvidia", e.g. `nvidia-experimental`), as the
   * NVIDIA Container Toolkit registers it. Docker's CDI route (engine 25+) is not detected.
   * Asked once per Engine: runtimes change only with an engine restart (then Retry resets it).
   */
  hasGpuRuntime(): Promise<boolean> {
    // One reading of GET /info decides it, the same one the Engines view shows.
    this.gpuRuntime ??= this.info().then(
      (info) => info.gpuRuntime,
      (err: unknown) => {
        this.gpuRuntime = undefined; // ask again next time
        throw err;
      },
    );
    return this.gpuRuntime;
  }
}
