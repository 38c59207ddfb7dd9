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
import { SshDialAgent, SshError, sshTarget, type SshOptions, type SshPoolStats } from './ssh';
import { openSshForward, probeOverSsh } from './forward';
import type { OpenedForward } from '../core/forwards';
import type { ResolvedConnection } from '../core/connection';
import { UserError } from '../core/errors';
import type { EngineInfo, EngineProduct, EngineVersion } from '../core/engineTypes';

/** Default timeout of one Engine API call, in ms: "enough time for any call, but short enough
 * to be UX-reasonable" (Microsoft's Docker extension's DockerApiClient used the same 20 s). */
export const DEFAULT_TIMEOUT_MS = 20_000;

/** An engine failure with a message for the user. `kind` lets callers react (offer Retry, another port). */
export class EngineError extends UserError {
  constructor(
    message: string,
    readonly kind: 'unreachable' | 'timeout' | 'notFound' | 'conflict' | 'portInUse' | 'noGpuRuntime' | 'buildFailed' | 'cancelled' | 'startFailed' | 'tls' | 'unsupported' | 'engine',
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

  /** The SSH connection pool of an ssh:// engine (connections made on the first call). */
  private sshAgent(): SshDialAgent {
    const a = this.connection.address;
    if (a.kind !== 'ssh') throw new Error('not an ssh:// engine');
    if (!this.sshDialAgent) {
      let target;
      try {
        target = sshTarget(a, this.sshOptions);
      } catch (err) {
        throw new EngineError(`${this.connection.describe}: ${(err as Error).message}`, 'unreachable', { hint: 'Fix ~/.ssh/config (ssh -G <host> shows how ssh reads it), then Retry.', cause: err });
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      this.sshDialAgent = new SshDialAgent(target, this.sshOptions, () => require('ssh2') as typeof import('ssh2'));
    }
    return this.sshDialAgent;
  }

  /**
   * For an ssh:// engine: its SSH connections and session channels now (src/engine/ssh.ts keeps
   * each connection under the server's MaxSessions); undefined for other engines or before the
   * first call.
   */
  sshPoolStats(): SshPoolStats | undefined {
    return this.sshDialAgent?.stats();
  }

  /**
   * Port forwarding for an ssh:// engine: a free port of 127.0.0.1 here forwarded to
   * `remoteHost:remotePort` on the engine's machine, over the engine's SSH connection
   * (src/engine/forward.ts). Closes with the SSH connection.
   * @param options.probe open and close one channel to the target first (default true), so a
   *   wrong port fails here; false for a target that takes an empty connection as its one client
   *   (debugpy's adapter port)
   * @throws EngineError ('unreachable') when the SSH connection fails; ('engine') when nothing
   *   answers at that port there, or the engine is not ssh://
   */
  async openPortForward(remoteHost: string, remotePort: number, options: { probe?: boolean } = {}): Promise<OpenedForward> {
    if (this.connection.address.kind !== 'ssh') {
      throw new EngineError(`Port forwarding needs an ssh:// engine; ${this.connection.describe} is not one.`, 'engine');
    }
    try {
      return await openSshForward(this.sshAgent(), remoteHost, remotePort, options);
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

  /** Closes the SSH connections of an ssh:// engine (jump hosts too), or the pooled sockets of a tcp:// one; the next call opens new ones. */
  close(): void {
    this.sshDialAgent?.destroy();
    this.tcpAgent?.destroy();
  }

  /** The connection pool of a tcp:// engine (made with the client). */
  private tcpAgent: import('node:http').Agent | undefined;

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
        const read = (p?: string) => {
          if (!p) return undefined;
          try {
            return readFileSync(p);
          } catch (err) {
            throw new EngineError(`Cannot read the TLS file ${p} for ${this.connection.describe}: ${(err as Error).message}.`, 'tls', {
              hint: 'Point the engine (its Docker context or DOCKER_CERT_PATH) at a folder with ca.pem, cert.pem and key.pem.',
              cause: err,
            });
          }
        };
        // Our own connection pool, not Node's global one (keep-alive since Node 19): a pooled
        // socket to an engine that restarted is dead, and `close()` must end this engine's sockets.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { Agent } = (tls ? require('node:https') : require('node:http')) as typeof import('node:https');
        this.tcpAgent = new Agent({ keepAlive: true });
        this.client = new Ctor({
          host: a.host,
          port: a.port,
          protocol: tls ? 'https' : 'http',
          agent: this.tcpAgent,
          ...(tls ? { ca: read(tls.caPath), cert: read(tls.certPath), key: read(tls.keyPath) } : {}),
        } as DockerodeNs.DockerOptions);
      }
    }
    return this.client;
  }

  /**
   * Loads dockerode and makes the client, without contacting the engine: called in the background
   * right after activation, so that the first view does not wait for the 40-300 ms `require` (more
   * on a busy machine). Never throws (a malformed TLS file is reported by the first real call).
   */
  warm(): void {
    try {
      this.docker();
    } catch {
      // the first call reports it
    }
  }

  /**
   * `GET /system/df`, the engine's disk usage. Docker 20.10 computes one at a time and answers
   * any other client meanwhile with HTTP 500 "a disk usage operation is already running"
   * (moby daemon/disk_usage.go), so this asks again, every 300 ms, up to 10 times, before
   * giving that error (another view, prune or `docker system df` usually finishes well within).
   * @returns the engine's answer as dockerode gives it
   */
  protected async diskUsage(): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.call('disk usage', () => this.docker().df());
      } catch (err) {
        if (attempt >= 10 || !(err instanceof EngineError) || !/disk usage operation is already running/.test(err.message)) throw err;
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  }

  /**
   * {@link call} for a request that changes nothing on the engine (ping, version, list, inspect),
   * tried once more when an ssh:// engine's kept-alive channel was cut under it (ECONNRESET,
   * EPIPE): such a channel is a `docker system dial-stdio` whose engine connection ended (the
   * engine restarted or died) before the pool learnt it. The idle channels are dropped first, so
   * the second try opens a fresh one, which either works or names the host's own reason. Node's
   * http documentation gives the same rule for kept-alive sockets: retry only idempotent requests.
   * @throws EngineError as {@link call}
   */
  protected async read<T>(what: string, fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal, extraMs = 0): Promise<T> {
    try {
      return await this.call(what, fn, signal, extraMs);
    } catch (err) {
      const code = err instanceof EngineError ? (err.cause as { code?: unknown } | undefined)?.code : undefined;
      if (!this.sshDialAgent || (code !== 'ECONNRESET' && code !== 'EPIPE') || signal?.aborted) throw err;
      this.sshDialAgent.dropIdle();
      return this.call(what, fn, signal, extraMs);
    }
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
          {
            hint: this.connection.address.kind === 'socket'
              ? 'Check that the engine is not overloaded, or raise the setting mlLab.engine.timeoutMs.'
              : 'The remote host may be down or unreachable, or the link slow: check the host and network, then Retry; on a slow link, raise the setting mlLab.engine.timeoutMs.',
            cause: err,
          },
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
    const remote = this.connection.address.kind !== 'socket';
    if (e.code && UNREACHABLE_CODES.includes(e.code)) {
      if (remote) {
        return new EngineError(
          `Docker engine not reachable at ${this.connection.describe} (${e.code}): ${e.code === 'ECONNREFUSED' ? 'the host answered, but nothing listens on the engine\'s port' : e.code === 'ECONNRESET' || e.code === 'EPIPE' ? 'the connection was cut' : 'the host did not answer'}.`,
          'unreachable',
          { hint: 'Check that the remote host is up and reachable from here (network, VPN) and that its Docker engine runs, then Retry; or switch to another engine in the Engines view.', cause: err },
        );
      }
      return new EngineError(
        `Docker engine not reachable at ${this.connection.describe} (${e.code}). Is Docker installed and running?`,
        'unreachable',
        { hint: 'Start the Docker engine (Docker Desktop, or `sudo systemctl start docker`), or set mlLab.engine.dockerHost, then Retry.', cause: err },
      );
    }
    const tls = tlsProblem(e);
    if (tls) {
      return new EngineError(`TLS connection to the Docker engine at ${this.connection.describe} refused: ${tls.what}`, 'tls', { hint: tls.todo, cause: err });
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
    if (START_FAILED.test(msg)) {
      // The container exists but its runtime (runc/crun) refused to start it: one message with the engine's own reason.
      const rlimit = /setting rlimit|setrlimit/i.test(msg);
      return new EngineError(`${what}: the engine could not start the container. The engine's reason: ${msg}`, 'startFailed', {
        hint: rlimit
          ? 'The engine\'s host refuses to set resource limits (setrlimit), as sandboxes and some rootless setups do, so no container can start there: run on another engine (Engines view), or ask the host\'s administrator to allow it.'
          : 'Check the image\'s command and entrypoint (a missing executable is the usual cause) and the engine\'s container runtime (runc/crun).',
        cause: err,
      });
    }
    if (e.statusCode === 404) return new EngineError(`${what}: ${msg}`, 'notFound', { cause: err });
    if (e.statusCode === 409) return new EngineError(`${what}: ${msg}`, 'conflict', { cause: err });
    return new EngineError(`${what}: ${msg}`, 'engine', { cause: err });
  }

  /**
   * How often a long stream (logs follow, build) checks that the engine still answers, in ms.
   * A host that goes away without closing the connection (power off, a dropped link) would
   * otherwise leave the stream waiting forever: TCP sends nothing on an idle connection.
   */
  livenessIntervalMs = 10_000;

  /** Limit of one liveness probe, in ms (a `_ping` answers in milliseconds when the engine is there). */
  livenessProbeMs = 5_000;

  /** One `GET /_ping` limited to {@link livenessProbeMs}; throws the mapped error. */
  private async probe(): Promise<void> {
    const d = this.docker() as unknown as { ping(o: object): Promise<unknown> };
    await this.read('ping', (abortSignal) => d.ping({ abortSignal }), undefined, this.livenessProbeMs - this.timeoutMs);
  }

  /** The message when an engine stops answering during `what` (a stream). */
  protected lostEngine(what: string, cause: unknown): EngineError {
    const code = ((cause as { cause?: { code?: unknown } } | undefined)?.cause?.code ?? '') as string;
    const reason =
      cause instanceof EngineError && cause.kind === 'timeout' ? `no answer to a ping within ${this.livenessProbeMs} ms`
      : code ? code
      : cause instanceof Error ? cause.message : String(cause);
    return new EngineError(`${what} stopped: the Docker engine at ${this.connection.describe} stopped answering (${reason}).`, 'unreachable', {
      hint: 'The engine or its host may be down, or the network to it gone. Check the host, then Retry: the views reconnect when the engine answers again.',
      cause,
    });
  }

  /**
   * Watches a long stream: every {@link livenessIntervalMs} it pings the engine, and calls
   * `onLost` once with {@link lostEngine}'s error when a ping fails. Returns the stop function.
   */
  protected watchLiveness(what: string, onLost: (err: EngineError) => void): () => void {
    // A local socket cannot go silent: a stopped engine closes it, which ends the stream itself.
    // (Probing it anyway could end a healthy stream when a busy engine takes over 5 s to answer.)
    if (this.connection.address.kind === 'socket') return () => undefined;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const tick = (): void => {
      void this.probe().then(
        () => {
          if (!stopped) timer = setTimeout(tick, this.livenessIntervalMs).unref();
        },
        (err: unknown) => {
          if (stopped) return;
          stopped = true;
          onLost(this.lostEngine(what, err));
        },
      );
    };
    timer = setTimeout(tick, this.livenessIntervalMs).unref();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  /**
   * Reads a long stream of newline-delimited text (the events and stats streams give one JSON
   * object per line): `onLine` gets each non-empty line, and returns 'stop' to end the stream.
   * Resolves when the stream ends, fails, `onLine` stops it, `signal` aborts, or
   * {@link watchLiveness} finds the engine gone (the stream is then destroyed).
   */
  protected async followLines(stream: NodeJS.ReadableStream, what: string, onLine: (line: string) => void | 'stop', signal?: AbortSignal): Promise<void> {
    let buffered = '';
    const destroy = () => (stream as unknown as { destroy?: () => void }).destroy?.();
    let finish = (): void => undefined;
    const stopWatching = this.watchLiveness(what, () => {
      finish();
      destroy();
    });
    await new Promise<void>((resolve) => {
      finish = resolve;
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line && onLine(line) === 'stop') {
            destroy();
            resolve();
            return;
          }
        }
      });
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
      stream.on('error', () => resolve());
      signal?.addEventListener('abort', () => {
        destroy();
        resolve();
      });
    }).finally(stopWatching);
  }

  /**
   * After a stream ended by itself: undefined when the engine still answers (the stream's end
   * was real), else the {@link lostEngine} error (the engine went away and closed it).
   */
  protected async checkAfterStream(what: string): Promise<EngineError | undefined> {
    try {
      await this.probe();
      return undefined;
    } catch (err) {
      return this.lostEngine(what, err);
    }
  }

  /** `GET /_ping`; throws EngineError('unreachable') when nothing answers. */
  async ping(): Promise<void> {
    // dockerode's ping and version take options ({abortSignal}) at run time; its types omit them.
    const d = this.docker() as unknown as { ping(o: object): Promise<unknown> };
    await this.read('ping', (abortSignal) => d.ping({ abortSignal }));
  }

  /** `GET /version` */
  async version(): Promise<EngineVersion> {
    const d = this.docker() as unknown as { version(o: object): Promise<DockerodeNs.DockerVersion> };
    const v = await this.read('version', (abortSignal) => d.version({ abortSignal }));
    return { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch, product: productOf(v) };
  }

  /** `GET /info`: what the Engines view shows (version, platform, CPUs, memory, GPU runtime, swarm state). */
  async info(): Promise<EngineInfo> {
    const d = this.docker() as unknown as { info(o: object): Promise<Record<string, unknown>> };
    // /version tells Podman apart: its /info has Docker's shape and its own version number.
    const [i, v] = await Promise.all([this.read('engine info', (abortSignal) => d.info({ abortSignal })), this.version()]);
    const swarm = (i.Swarm ?? {}) as { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string };
    return {
      serverVersion: String(i.ServerVersion ?? '?'),
      platform: `${String(i.OSType ?? '?')}/${String(i.Architecture ?? '?')}`,
      cpus: Number(i.NCPU ?? 0),
      memoryBytes: Number(i.MemTotal ?? 0),
      gpuRuntime: Object.keys((i.Runtimes ?? {}) as object).some((name) => /nvidia/i.test(name)),
      swarm: swarm.LocalNodeState ?? 'inactive',
      swarmManager: swarm.LocalNodeState === 'active' && swarm.ControlAvailable === true,
      ...(swarm.NodeID ? { swarmNodeId: swarm.NodeID } : {}),
      operatingSystem: String(i.OperatingSystem ?? ''),
      product: v.product,
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

/** Socket errors that mean nothing answered at the engine's address. */
const UNREACHABLE_CODES = ['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ETIMEDOUT', 'EPIPE'];

/**
 * A container runtime's refusal to start a container, as dockerd ("OCI runtime create failed:
 * ...") and Podman ("runc: runc create failed: ...: OCI permission denied", "crun: ...: OCI
 * runtime error") word it.
 */
const START_FAILED = /OCI runtime|OCI permission denied|runc create failed|crun: |executable file not found|starting container process caused/i;

/** Podman's `/version` lists a component "Podman Engine"; Docker's lists "Engine". */
export function productOf(v: { Components?: Array<{ Name?: string }> | null }): EngineProduct {
  return (v.Components ?? []).some((c) => /podman/i.test(c.Name ?? '')) ? 'podman' : 'docker';
}

/**
 * Node's TLS errors for an engine over TCP+TLS, in words: what is wrong and what to do.
 * Codes from Node's TLS/OpenSSL layer: the server's certificate (CERT_HAS_EXPIRED,
 * UNABLE_TO_VERIFY_LEAF_SIGNATURE, SELF_SIGNED_CERT_IN_CHAIN, DEPTH_ZERO_SELF_SIGNED_CERT,
 * ERR_TLS_CERT_ALTNAME_INVALID), and the server's alerts about ours (ERR_SSL_*_ALERT_*).
 */
export function tlsProblem(e: DockerodeError): { what: string; todo: string } | undefined {
  const code = e.code ?? '';
  const text = `${code} ${e.message ?? ''}`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return { what: `the engine's server certificate ${code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not valid yet'} (${code}).`, todo: 'Renew the server certificate on the engine host (and check both clocks), then Retry.' };
  }
  if (['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED'].includes(code)) {
    return { what: `the engine's server certificate is not signed by the CA in your ca.pem (${code}).`, todo: 'Use the ca.pem of the CA that signed the engine\'s certificate (in the context\'s TLS folder or DOCKER_CERT_PATH), then Retry.' };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return { what: `the engine's server certificate does not name this address (${code}).`, todo: 'Connect with a host name or IP that the certificate lists (subjectAltName), or reissue the certificate with it.' };
  }
  if (/ALERT_CERTIFICATE_EXPIRED/i.test(text)) {
    return { what: 'the engine refused your client certificate: it has expired.', todo: 'Get a new client certificate (cert.pem, key.pem) from the engine\'s CA, then Retry.' };
  }
  if (/ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|CERTIFICATE_REQUIRED|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED)|alert (bad certificate|unknown ca|certificate required)/i.test(text)) {
    return { what: `the engine did not accept your client certificate (${code || 'TLS alert'}).`, todo: 'Use a client certificate (cert.pem, key.pem) signed by the CA the engine trusts (its --tlscacert), valid today, then Retry.' };
  }
  if (/^ERR_SSL_|^ERR_TLS_|^EPROTO$/.test(code)) {
    return { what: `${e.message ?? code}.`, todo: 'Check that the address is a TLS port of a Docker engine (usually 2376) and that the certificates in the TLS folder belong to it.' };
  }
  return undefined;
}
