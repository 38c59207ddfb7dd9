/**
 * The only module that talks to dockerode (the Docker Engine API client). Everything it returns
 * is one of our own types (./types.ts); every failure is an {@link EngineError} whose message
 * says what to do. dockerode is `require`d lazily on the first call: loading it costs about
 * 100 ms (ssh2 and gRPC code, ../shared/environment.md), which must not land on activation.
 */
import type * as DockerodeNs from 'dockerode';
import { SshDialAgent, SshError, sshTarget, type SshOptions } from './ssh';
import { PassThrough } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ResolvedConnection } from '../core/connection';
import { UserError } from '../core/errors';
import { CREATED_BY_LABEL, CREATED_BY_VALUE } from '../core/ids';
import { packBuildContext, type ContextStats } from '../core/build/context';
import { BuildTranscript, type BuildEvent } from '../core/build/output';
import { BuildkitTranscript } from '../core/build/buildkitTrace';
import { toCreateOptions, type RunRequest } from '../core/run/createOptions';
import { LogDemuxer } from '../core/logs/demux';
import { extraNetworks, recreateOptions, type RecreateChange } from '../core/run/recreate';
import { TransferProgress, isAuthFailureMessage } from '../core/registry/progress';
import { RegistryAuthError } from '../core/registry/errors';
import { familiarRepository, parseReference } from '../core/registry/reference';
import type {
  ContainerState,
  ContainerSummary,
  EngineEvent,
  EngineInfo,
  EngineVersion,
  ImageDetails,
  ImageDiskUsage,
  ImageLayer,
  ImageSummary,
  PruneResult,
  VolumeSummary,
  NetworkSummary,
} from '../core/engineTypes';

export * from '../core/engineTypes';

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

export interface BuildRequest {
  /** absolute path of the build context folder */
  contextDir: string;
  /** absolute path of the Dockerfile (inside or outside the context) */
  dockerfile: string;
  /** `repo:tag` */
  tag: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  /** build stage to stop at (`--target`) */
  target?: string;
  /** target platform (`--platform`), e.g. `linux/amd64` */
  platform?: string;
  /**
   * Which builder: 'auto' (default) uses BuildKit (`POST /build?version=2`) when the engine
   * supports it (Linux engine, API 1.39 or later) and falls back to the classic builder once,
   * saying so in the log, when the engine refuses a BuildKit build; 'buildkit' never falls back;
   * 'classic' is the pre-BuildKit builder.
   */
  builder?: 'auto' | 'buildkit' | 'classic';
}

export interface BuildResult {
  imageId: string;
  context: ContextStats;
  /** wall time of the build, in ms */
  durationMs: number;
  /** the builder that built the image */
  builder: 'buildkit' | 'classic';
}

/** The engine refused a BuildKit build before it started (not the Dockerfile's own error). */
class BuildkitRefused extends Error {
  constructor(
    readonly reason: string,
    readonly original: unknown,
  ) {
    super(reason);
  }
}

/** "1.41" >= "1.39" */
function apiAtLeast(version: string, min: string): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  const [c = 0, d = 0] = min.split('.').map(Number);
  return a > c || (a === c && b >= d);
}

type Dockerode = DockerodeNs;
let dockerodeCtor: (new (opts: DockerodeNs.DockerOptions) => Dockerode) | undefined;
function loadDockerode(): new (opts: DockerodeNs.DockerOptions) => Dockerode {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  dockerodeCtor ??= require('dockerode') as new (opts: DockerodeNs.DockerOptions) => Dockerode;
  return dockerodeCtor;
}

/** Aborts when either signal aborts (AbortSignal.any is Node 20.3+; VS Code 1.82 runs Node 18). */
function anySignal(signals: Array<AbortSignal | undefined>): AbortSignal {
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

interface DockerodeError {
  statusCode?: number;
  code?: string;
  reason?: string;
  json?: { message?: string } | null;
  message?: string;
  name?: string;
}

/** The engine's own message from a dockerode error, without dockerode's "(HTTP code 500) server error - " prefix. */
function engineMessage(err: DockerodeError): string {
  const json = err.json;
  if (json && typeof json === 'object' && typeof json.message === 'string') return json.message;
  const m = String(err.message ?? err);
  return m.replace(/^\(HTTP code \d+\) [a-z ]+ - /, '').trim();
}

export class Engine {
  private client: Dockerode | undefined;
  /** Whether the engine builds with BuildKit; settled once per Engine (see {@link supportsBuildkit}). */
  private buildkitSupport: Promise<boolean> | undefined;
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

  /** Closes the SSH connection of an ssh:// engine, if one is open; the next call opens a new one. */
  close(): void {
    this.sshDialAgent?.destroy();
  }

  private docker(): Dockerode {
    if (!this.client) {
      const Ctor = loadDockerode();
      const a = this.connection.address;
      if (a.kind === 'socket') {
        this.client = new Ctor({ socketPath: a.socketPath });
      } else if (a.kind === 'ssh') {
        this.client = new Ctor({ protocol: 'http', host: 'docker', port: 80, agent: this.sshAgent() } as DockerodeNs.DockerOptions);
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
  private async call<T>(what: string, fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal, extraMs = 0): Promise<T> {
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
    const swarm = (i.Swarm ?? {}) as { LocalNodeState?: string };
    return {
      serverVersion: String(i.ServerVersion ?? '?'),
      platform: `${String(i.OSType ?? '?')}/${String(i.Architecture ?? '?')}`,
      cpus: Number(i.NCPU ?? 0),
      memoryBytes: Number(i.MemTotal ?? 0),
      gpuRuntime: Object.keys((i.Runtimes ?? {}) as object).some((name) => /nvidia/i.test(name)),
      swarm: swarm.LocalNodeState ?? 'inactive',
      operatingSystem: String(i.OperatingSystem ?? ''),
    };
  }

  /** `GET /images/json`: tagged and dangling images. */
  async listImages(): Promise<ImageSummary[]> {
    const rows = await this.call('list images', (abortSignal) => this.docker().listImages({ all: false, abortSignal }));
    return rows.map((r) => ({
      id: r.Id,
      repoTags: (r.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
      repoDigests: (r.RepoDigests ?? []).filter((d) => d !== '<none>@<none>'),
      created: r.Created * 1000,
      size: r.Size,
      labels: r.Labels ?? {},
      containers: r.Containers ?? -1,
    }));
  }

  /** `GET /containers/json?all=1`: running and stopped containers. */
  async listContainers(options: { label?: LabelFilter; size?: boolean } = {}): Promise<ContainerSummary[]> {
    const rows = await this.call('list containers', (abortSignal) =>
      this.docker().listContainers({
        all: true,
        abortSignal,
        ...(options.size ? { size: true } : {}),
        ...(options.label ? { filters: JSON.stringify({ label: options.label }) } : {}),
      }),
    );
    return rows.map((r) => ({
      id: r.Id,
      name: (r.Names?.[0] ?? r.Id.slice(0, 12)).replace(/^\//, ''),
      image: r.Image,
      imageId: r.ImageID,
      command: r.Command,
      created: r.Created * 1000,
      state: r.State as ContainerState,
      status: r.Status,
      ports: (r.Ports ?? []).map((p) => ({
        hostIp: p.IP,
        hostPort: p.PublicPort,
        containerPort: p.PrivatePort,
        protocol: p.Type,
      })),
      labels: r.Labels ?? {},
      mounts: (r.Mounts ?? []).map((m) => ({
        type: m.Type,
        source: m.Source,
        destination: m.Destination,
        name: m.Name,
        readOnly: m.RW === false,
      })),
      ...((r as { SizeRw?: number }).SizeRw !== undefined ? { sizeRw: (r as { SizeRw?: number }).SizeRw } : {}),
      networks: Object.keys(r.NetworkSettings?.Networks ?? {}),
    }));
  }

  /** `GET /images/{name}/json` */
  async inspectImage(ref: string): Promise<ImageDetails> {
    const i = await this.call(`inspect image ${ref}`, () => this.docker().getImage(ref).inspect());
    const c = i.Config ?? ({} as DockerodeNs.ImageInspectInfo['Config']);
    return {
      id: i.Id,
      repoTags: i.RepoTags ?? [],
      exposedPorts: (c.ExposedPorts as Record<string, unknown> | undefined) ?? {},
      workingDir: c.WorkingDir ?? '',
      volumes: Object.keys((c.Volumes as Record<string, unknown> | undefined) ?? {}),
      labels: c.Labels ?? {},
      user: c.User ?? '',
      cmd: asWords(c.Cmd),
      entrypoint: asWords(c.Entrypoint),
      architecture: i.Architecture,
      os: i.Os,
    };
  }

  /** `GET /containers/{id}/json`, raw, for the Inspect editor and tests. */
  async inspectContainer(id: string): Promise<Record<string, unknown>> {
    return this.call(`inspect container ${id}`, async (abortSignal) =>
      (await this.docker().getContainer(id).inspect({ abortSignal })) as unknown as Record<string, unknown>,
    );
  }

  /**
   * Builds an image through `POST /build` from a build context packed by
   * src/core/build/context.ts (honoring .dockerignore relative to the context root), with
   * BuildKit (`version=2`, the tar body as the build context: no client session needed) or the
   * classic builder, as `req.builder` says (default 'auto', see {@link BuildRequest.builder}).
   * Streams every {@link BuildEvent} to `onEvent`. Not limited by the call timeout.
   * @throws EngineError 'buildFailed' with the failing step's instruction in `hint`; 'cancelled' when `signal` aborts
   */
  async build(req: BuildRequest, onEvent: (e: BuildEvent) => void, signal?: AbortSignal): Promise<BuildResult> {
    const started = Date.now();
    const choice = req.builder ?? 'auto';
    if (choice === 'buildkit' || (choice === 'auto' && (await this.supportsBuildkit()))) {
      try {
        return await this.buildWith('buildkit', req, onEvent, signal, started);
      } catch (err) {
        if (!(err instanceof BuildkitRefused)) throw err;
        if (choice === 'buildkit') {
          throw new EngineError(`build ${req.tag}: the engine refused a BuildKit build: ${err.reason}`, 'engine', {
            hint: 'Build with the classic builder, or let the extension choose (builder "auto").',
            cause: err.original,
          });
        }
        this.buildkitSupport = Promise.resolve(false);
        onEvent({ kind: 'log', text: `BuildKit is not available on this engine (${err.reason}); building with the classic builder instead.\n` });
      }
    }
    return this.buildWith('classic', req, onEvent, signal, started);
  }

  /**
   * Whether 'auto' builds use BuildKit: a Linux engine with API 1.39 or later (BuildKit builds
   * through the Engine API since Docker 18.09; Windows engines have no BuildKit). The `_ping`
   * header `Builder-Version` is not used: it is the engine's default for the CLI (unset on a
   * stock 20.10 engine, which still accepts `version=2`), not whether BuildKit is available.
   * An engine that refuses anyway is caught by the fallback in {@link build}.
   */
  supportsBuildkit(): Promise<boolean> {
    this.buildkitSupport ??= this.version().then(
      (v) => v.os === 'linux' && apiAtLeast(v.apiVersion, '1.39'),
      (err: unknown) => {
        this.buildkitSupport = undefined; // ask again next time
        throw err;
      },
    );
    return this.buildkitSupport;
  }

  private async buildWith(
    builder: 'buildkit' | 'classic',
    req: BuildRequest,
    onEvent: (e: BuildEvent) => void,
    signal: AbortSignal | undefined,
    started: number,
  ): Promise<BuildResult> {
    const packed = await packBuildContext(req.contextDir, req.dockerfile);
    const bk = builder === 'buildkit';
    const transcript = bk ? new BuildkitTranscript() : new BuildTranscript();
    const what = `build ${req.tag}`;
    // BuildKit: a build id lets `POST /build/cancel` stop the solve on the engine when the signal aborts.
    const buildId = bk ? `mllab-${randomUUID()}` : undefined;
    const onAbort = (): void => {
      if (buildId) void this.cancelBuild(buildId);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let stream: NodeJS.ReadableStream;
      try {
        const options = {
          t: req.tag,
          dockerfile: packed.dockerfileInContext,
          buildargs: req.buildArgs ?? {},
          labels: req.labels ?? {},
          ...(req.target ? { target: req.target } : {}),
          ...(req.platform ? { platform: req.platform } : {}),
          ...(bk ? { version: '2', buildid: buildId } : { rm: true, forcerm: true }),
        };
        stream = bk
          ? await this.postBuildkit(packed.stream, options, signal)
          : ((await this.docker().buildImage(packed.stream as NodeJS.ReadableStream, {
              ...options,
              abortSignal: signal,
            } as DockerodeNs.ImageBuildOptions)) as NodeJS.ReadableStream);
      } catch (err) {
        // An HTTP error answer to a BuildKit request (e.g. 400 "buildkit not supported"): the engine refused it.
        if (bk && !signal?.aborted && typeof (err as DockerodeError).statusCode === 'number') {
          throw new BuildkitRefused(engineMessage(err as DockerodeError), err);
        }
        throw this.mapError(what, err, signal);
      }
      await new Promise<void>((resolve, reject) => {
        this.docker().modem.followProgress(
          stream,
          (err: unknown) => (err ? reject(this.mapError(what, err, signal)) : resolve()),
          (msg: unknown) => {
            for (const ev of transcript.accept(msg)) onEvent(ev);
          },
        );
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted) throw new EngineError(`${what}: cancelled.`, 'cancelled');
    if (transcript.error) {
      // No BuildKit progress at all: the engine did not run the build (not a Dockerfile error).
      if (transcript instanceof BuildkitTranscript && transcript.traces === 0) throw new BuildkitRefused(transcript.error, undefined);
      // BuildKit runs independent steps in parallel: the failing vertex, not the last started step.
      const failed = transcript instanceof BuildkitTranscript ? transcript.failedVertex : undefined;
      const step =
        transcript instanceof BuildkitTranscript
          ? failed?.index !== undefined
            ? { index: failed.index, total: failed.total ?? failed.index, instruction: failed.instruction }
            : undefined
          : transcript.lastStep;
      throw new EngineError(`Build of ${req.tag} failed${step ? ` at step ${step.index}/${step.total}` : ''}: ${transcript.error}`, 'buildFailed', {
        hint: step?.instruction,
      });
    }
    const imageId = transcript.imageId ?? (await this.inspectImage(req.tag)).id;
    return { imageId, context: await packed.stats, durationMs: Date.now() - started, builder };
  }

  /**
   * `POST /build?version=2` with the tar as the request body, without a client session.
   * Not dockerode's `buildImage`: for `version: '2'` it first hijacks `POST /session` for a gRPC
   * auth server (dockerode 5 lib/session.js), a second connection that takes no abort signal
   * and only serves registry credentials, which our builds do not send (the classic path sends
   * none either). Measured on dockerd 20.10: with no `session` and no `remote` parameter moby's
   * builder-next serves the request body to the Dockerfile frontend as its `context`
   * ("[internal] load remote build context"), so BuildKit needs nothing more.
   */
  private postBuildkit(body: NodeJS.ReadableStream, options: Record<string, unknown>, signal?: AbortSignal): Promise<NodeJS.ReadableStream> {
    return new Promise((resolve, reject) => {
      this.docker().modem.dial(
        {
          path: '/build?',
          method: 'POST',
          file: body,
          options,
          isStream: true,
          abortSignal: signal,
          statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
        } as Parameters<Dockerode['modem']['dial']>[0],
        (err: unknown, stream: unknown) => (err ? reject(err) : resolve(stream as NodeJS.ReadableStream)),
      );
    });
  }

  /** `POST /build/cancel?id=`: stops a running BuildKit build (API 1.32+). Failures are ignored: the request abort follows. */
  private async cancelBuild(buildId: string): Promise<void> {
    await new Promise<void>((resolve) => {
      this.docker().modem.dial(
        { path: '/build/cancel?', method: 'POST', options: { id: buildId }, statusCodes: { 200: true, 404: true, 500: true } },
        () => resolve(),
      );
    }).catch(() => undefined);
  }

  /**
   * Creates a container without starting it (`POST /containers/create`).
   * @returns the container's id and name
   */
  async createContainer(req: RunRequest): Promise<{ id: string; name: string }> {
    const opts = toCreateOptions(req) as unknown as DockerodeNs.ContainerCreateOptions;
    const container = await this.call(`create container from ${req.image}`, (abortSignal) =>
      this.docker().createContainer({ ...opts, abortSignal } as DockerodeNs.ContainerCreateOptions),
    );
    return { id: container.id, name: req.name ?? container.id.slice(0, 12) };
  }

  /**
   * Creates and starts a detached container (`POST /containers/create`, then `/start`).
   * If the start fails (a host port in use, no GPU runtime), the just-created container is
   * removed again so nothing half-made is left behind.
   * @returns the container's id and name
   */
  async runContainer(req: RunRequest): Promise<{ id: string; name: string }> {
    const { id } = await this.createContainer(req);
    const container = this.docker().getContainer(id);
    try {
      await this.call(`start container from ${req.image}`, (abortSignal) => container.start({ abortSignal }));
    } catch (err) {
      await container.remove({ force: true }).catch(() => undefined);
      throw err;
    }
    const info = await this.call('inspect new container', (abortSignal) => container.inspect({ abortSignal }));
    return { id: info.Id, name: info.Name.replace(/^\//, '') };
  }

  /**
   * Runs a container interactively, as `docker run -it` does: creates it (the request should be
   * `interactive`: OpenStdin, StdinOnce, Tty), attaches to it
   * (`POST /containers/{id}/attach?stream=1&stdin=1&stdout=1&stderr=1`, hijacked so stdin is
   * written on the same connection), registers the wait (`POST /containers/{id}/wait`,
   * condition `removed` with AutoRemove, as the CLI does, else `next-exit`), then starts it.
   * Output produced before `onData` is given (the terminal opens later) is buffered.
   * If attaching or starting fails, the container is removed again.
   * @returns the session: `write` sends keystrokes to the container's TTY (Ctrl-C is `\x03`,
   *   which the TTY turns into SIGINT for the foreground program), `resize` calls
   *   `POST /containers/{id}/resize?h=&w=` (character cells), `close` ends the attach stream and
   *   hangs up (SIGHUP, then a stop if the container is still running 3 s later, as a closed
   *   terminal window does to its shell), `exited` resolves with the exit code when it stops.
   */
  async runInteractive(req: RunRequest): Promise<AttachedRun> {
    const { id } = await this.createContainer(req);
    const container = this.docker().getContainer(id);
    let stream: NodeJS.ReadWriteStream;
    let waited: Promise<{ exitCode: number }>;
    try {
      stream = await this.call(`attach to container ${id}`, () =>
        container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true } as DockerodeNs.ContainerAttachOptions),
      );
      waited = this.waitContainer(id, undefined, req.autoRemove ? 'removed' : 'next-exit');
      waited.catch(() => undefined); // handled by `exited` below
      await this.call(`start container from ${req.image}`, (abortSignal) => container.start({ abortSignal }));
    } catch (err) {
      await container.remove({ force: true }).catch(() => undefined);
      throw err;
    }
    const info = await this.call('inspect new container', (abortSignal) => container.inspect({ abortSignal })).catch(() => undefined);
    let pending: string[] | undefined = [];
    let sink: ((text: string) => void) | undefined;
    const taps: Array<(text: string) => void> = [];
    let untapped: string[] | undefined = [];
    let untappedChars = 0;
    stream.on('data', (d: Buffer) => {
      const text = d.toString('utf8');
      for (const t of taps) t(text);
      if (untapped) {
        untapped.push(text);
        untappedChars += text.length;
        if (untappedChars > 1024 * 1024) untapped = undefined;
      }
      if (sink) sink(text);
      else pending?.push(text);
    });
    const exited = waited.then(
      (r) => r.exitCode,
      () => undefined,
    );
    const outputEnded = new Promise<void>((resolve) => {
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
      stream.on('error', () => resolve());
    });
    return {
      id,
      outputEnded,
      tap: (fn) => {
        for (const t of untapped ?? []) fn(t);
        untapped = undefined;
        taps.push(fn);
      },
      name: info?.Name.replace(/^\//, '') ?? req.name ?? id.slice(0, 12),
      onData: (fn) => {
        sink = fn;
        for (const t of pending ?? []) fn(t);
        pending = undefined;
      },
      write: (data) => void stream.write(data),
      resize: (columns, rows) => void container.resize({ h: rows, w: columns }).catch(() => undefined),
      close: () => {
        stream.end();
        (stream as unknown as { destroy?: () => void }).destroy?.();
        void this.hangUp(id, exited);
      },
      exited,
    };
  }

  /**
   * What closing a terminal does to the shell in it: SIGHUP (`POST /containers/{id}/kill?signal=SIGHUP`).
   * Closing stdin is not enough with a TTY (the shell reads the TTY, which stays open), and PID 1
   * only gets signals it handles, so a container still running `hangUpGraceMs` later is stopped
   * (SIGTERM, SIGKILL after 2 s). Errors (already gone) are ignored.
   */
  private async hangUp(id: string, exited: Promise<unknown>, hangUpGraceMs = 3_000): Promise<void> {
    const container = this.docker().getContainer(id);
    await container.kill({ signal: 'SIGHUP' }).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), hangUpGraceMs)))]);
    clearTimeout(timer);
    if (!gone) await this.stopContainer(id, 2).catch(() => undefined);
  }

  /** `POST /containers/{id}/start`; a container already running is not an error. */
  async startContainer(id: string): Promise<void> {
    await this.call(`start container ${id}`, async (abortSignal) => {
      try {
        await this.docker().getContainer(id).start({ abortSignal });
      } catch (err) {
        if ((err as DockerodeError).statusCode !== 304) throw err;
      }
    });
  }

  /**
   * `POST /containers/{id}/stop`: SIGTERM, then SIGKILL after `graceSeconds` (Docker's default 10 s).
   * A container already stopped is not an error. The call timeout is extended by the grace period.
   */
  async stopContainer(id: string, graceSeconds = 10): Promise<void> {
    await this.call(
      `stop container ${id}`,
      async (abortSignal) => {
        try {
          await this.docker().getContainer(id).stop({ t: graceSeconds, abortSignal });
        } catch (err) {
          if ((err as DockerodeError).statusCode !== 304) throw err;
        }
      },
      undefined,
      graceSeconds * 1000,
    );
  }

  /** `DELETE /containers/{id}`; `force` stops a running container first. Anonymous volumes are removed with it (`v`). */
  async removeContainer(id: string, options: { force?: boolean } = {}): Promise<void> {
    await this.call(`remove container ${id}`, (abortSignal) =>
      this.docker().getContainer(id).remove({ force: options.force ?? false, v: true, abortSignal }),
    );
  }

  /** `DELETE /images/{name}`; `noprune` keeps untagged parents other builds may still cache. */
  async removeImage(ref: string, options: { force?: boolean } = {}): Promise<void> {
    await this.call(`remove image ${ref}`, (abortSignal) =>
      this.docker().getImage(ref).remove({ force: options.force ?? false, noprune: true, abortSignal }),
    );
  }

  /**
   * `POST /containers/{id}/wait`: resolves with the exit code when the container stops. Not limited by the call timeout.
   * @param condition the engine's wait condition: 'not-running' (default), 'next-exit' (the next
   *   stop, even of a container not started yet) or 'removed' (for AutoRemove containers).
   */
  async waitContainer(id: string, signal?: AbortSignal, condition: 'not-running' | 'next-exit' | 'removed' = 'not-running'): Promise<{ exitCode: number }> {
    try {
      const r = (await this.docker().getContainer(id).wait({ abortSignal: signal, ...(condition !== 'not-running' ? { condition } : {}) })) as { StatusCode: number };
      return { exitCode: r.StatusCode };
    } catch (err) {
      throw this.mapError(`wait for container ${id}`, err, signal);
    }
  }

  /**
   * Streams a container's logs (`GET /containers/{id}/logs`), stdout and stderr demultiplexed
   * (or raw when the container has a TTY). With `follow`, resolves when the container stops or
   * `signal` aborts; without, when the existing logs have been read.
   */
  async logs(
    id: string,
    onText: (text: string, stream: 'stdout' | 'stderr') => void,
    options: { follow: boolean; tail?: number; signal?: AbortSignal },
  ): Promise<void> {
    const container = this.docker().getContainer(id);
    const info = await this.call(`inspect container ${id}`, (abortSignal) => container.inspect({ abortSignal }));
    const tty = info.Config?.Tty === true;
    let raw: NodeJS.ReadableStream | Buffer;
    try {
      raw = (await container.logs({
        follow: options.follow as true,
        stdout: true,
        stderr: true,
        tail: options.tail,
        abortSignal: options.signal,
      } as DockerodeNs.ContainerLogsOptions & { follow: true })) as unknown as NodeJS.ReadableStream | Buffer;
    } catch (err) {
      throw this.mapError(`logs of ${id}`, err, options.signal);
    }
    // one onText per chunk and stream (not per frame: one per log line), UTF-8 split across frames kept whole
    const demux = new LogDemuxer(onText, tty);
    if (Buffer.isBuffer(raw)) {
      // Not following: the engine answered with the whole (multiplexed unless TTY) buffer.
      demux.push(raw);
      demux.end();
      return;
    }
    const stream = raw;
    await new Promise<void>((resolve) => {
      stream.on('data', (d: Buffer) => demux.push(d));
      stream.on('end', () => demux.end());
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
      stream.on('error', () => resolve());
      options.signal?.addEventListener('abort', () => {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        resolve();
      });
    });
  }

  /** `POST /containers/{id}/restart` */
  async restartContainer(id: string, graceSeconds = 10): Promise<void> {
    await this.call(`restart container ${id}`, (abortSignal) => this.docker().getContainer(id).restart({ t: graceSeconds, abortSignal }), undefined, graceSeconds * 1000);
  }

  /** `POST /containers/{id}/pause` (freezes every process; memory is kept). */
  async pauseContainer(id: string): Promise<void> {
    await this.call(`pause container ${id}`, (abortSignal) => this.docker().getContainer(id).pause({ abortSignal }));
  }

  /** `POST /containers/{id}/unpause` */
  async unpauseContainer(id: string): Promise<void> {
    await this.call(`unpause container ${id}`, (abortSignal) => this.docker().getContainer(id).unpause({ abortSignal }));
  }

  /** `GET /images/{name}/history`: layers, newest first, with the instruction that made each. */
  async imageHistory(ref: string): Promise<ImageLayer[]> {
    const rows = (await this.call(`history of ${ref}`, () => this.docker().getImage(ref).history())) as Array<{
      Id: string; Created: number; CreatedBy: string; Size: number; Tags: string[] | null; Comment: string;
    }>;
    return rows.map((r) => ({ id: r.Id, created: r.Created * 1000, createdBy: r.CreatedBy, size: r.Size, tags: r.Tags ?? [], comment: r.Comment }));
  }

  /** `GET /images/{name}/json`, raw, for the Inspect editor. */
  async inspectImageRaw(ref: string): Promise<Record<string, unknown>> {
    return (await this.call(`inspect image ${ref}`, () => this.docker().getImage(ref).inspect())) as unknown as Record<string, unknown>;
  }

  /** `POST /images/{name}/tag`: adds `repo:tag` to the image `ref`. */
  async tagImage(ref: string, repo: string, tag: string): Promise<void> {
    await this.call(`tag ${ref} as ${repo}:${tag}`, (abortSignal) => this.docker().getImage(ref).tag({ repo, tag, abortSignal } as DockerodeNs.ImageTagOptions));
  }

  /**
   * `POST /images/{name}/push` of one tag, with `X-Registry-Auth` = `registryAuth` (base64url
   * JSON, src/core/registry/auth.ts `encodeRegistryAuth`). Every stream message goes to
   * `onMessage` (src/core/registry/progress.ts aggregates them). Not limited by the call timeout;
   * `signal` aborts the request (the engine then stops the push).
   * @returns the manifest digest the registry reported
   * @throws RegistryAuthError when the registry refused; EngineError 'cancelled', 'notFound' (no such image) or 'engine'
   */
  async pushImage(reference: string, options: { registryAuth: string; hadCredentials?: boolean; onMessage?: (m: unknown) => void; signal?: AbortSignal }): Promise<{ digest?: string }> {
    const ref = parseReference(reference);
    const repository = familiarRepository(ref);
    const tag = ref.tag ?? 'latest';
    const what = `push ${repository}:${tag}`;
    return this.transfer(what, ref.registry, 'push', options, () =>
      this.docker().getImage(repository).push({ tag, authconfig: { base64: options.registryAuth }, abortSignal: options.signal } as unknown as DockerodeNs.ImagePushOptions),
    );
  }

  /**
   * `POST /images/create?fromImage=...` (pull) of one tag or digest, with `X-Registry-Auth`.
   * Same streaming, cancelling and errors as {@link pushImage}.
   */
  async pullImage(reference: string, options: { registryAuth: string; hadCredentials?: boolean; onMessage?: (m: unknown) => void; signal?: AbortSignal }): Promise<{ digest?: string }> {
    const ref = parseReference(reference);
    const repository = familiarRepository(ref);
    const what = `pull ${reference}`;
    return this.transfer(what, ref.registry, 'pull', options, () =>
      (this.docker() as unknown as { createImage(auth: object, opts: object): Promise<NodeJS.ReadableStream> }).createImage(
        { base64: options.registryAuth },
        { fromImage: repository, tag: ref.digest ?? ref.tag ?? 'latest', abortSignal: options.signal },
      ),
    );
  }

  /** Follows a push or pull stream to its end; the stream's own error (inside HTTP 200) becomes our error. */
  private async transfer(
    what: string,
    registry: string,
    operation: 'push' | 'pull',
    options: { hadCredentials?: boolean; onMessage?: (m: unknown) => void; signal?: AbortSignal },
    start: () => Promise<unknown>,
  ): Promise<{ digest?: string }> {
    const { signal } = options;
    const progress = new TransferProgress();
    const refused = (detail: string) => new RegistryAuthError(registry, operation, detail, options.hadCredentials ?? false);
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await start()) as NodeJS.ReadableStream;
    } catch (err) {
      const mapped = this.mapError(what, err, signal);
      if (mapped.kind === 'engine' && isAuthFailureMessage(mapped.message)) throw refused(engineMessage(err as DockerodeError));
      throw mapped;
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        reject(new EngineError(`${what}: cancelled.`, 'cancelled'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.docker().modem.followProgress(
        stream,
        (err: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          if (err) reject(this.mapError(what, err, signal));
          else resolve();
        },
        (msg: unknown) => {
          progress.add(msg);
          options.onMessage?.(msg);
        },
      );
    });
    if (progress.error) {
      if (isAuthFailureMessage(progress.error)) throw refused(progress.error);
      throw new EngineError(`${what}: ${progress.error}`, 'engine');
    }
    return { digest: progress.digest };
  }

  /**
   * `GET /volumes`, with sizes from `GET /system/df` when `withSizes` (the engine computes them,
   * which can take seconds on a big engine, so only on demand).
   */
  async listVolumes(options: { withSizes?: boolean; label?: LabelFilter } = {}): Promise<VolumeSummary[]> {
    const res = await this.call('list volumes', (abortSignal) =>
      this.docker().listVolumes({ abortSignal, ...(options.label ? { filters: JSON.stringify({ label: options.label }) } : {}) } as DockerodeNs.VolumeListOptions),
    );
    const sizes = new Map<string, number>();
    if (options.withSizes) {
      const df = (await this.call('disk usage', () => this.docker().df())) as { Volumes?: Array<{ Name: string; UsageData?: { Size: number } | null }> };
      for (const v of df.Volumes ?? []) if (v.UsageData && v.UsageData.Size >= 0) sizes.set(v.Name, v.UsageData.Size);
    }
    return (res.Volumes ?? []).map((v) => {
      const created = (v as unknown as { CreatedAt?: string }).CreatedAt;
      return {
        name: v.Name,
        driver: v.Driver,
        mountpoint: v.Mountpoint,
        created: created ? Date.parse(created) || 0 : 0,
        labels: v.Labels ?? {},
        size: sizes.get(v.Name),
      };
    });
  }

  /**
   * `GET /system/df` images: size, shared size and container count of each top-level image
   * (the engine computes them, which can take seconds on a big engine: call on demand).
   */
  async imageDiskUsage(): Promise<ImageDiskUsage[]> {
    const df = (await this.call('disk usage', () => this.docker().df())) as {
      Images?: Array<{ Id: string; RepoTags?: string[] | null; Size: number; SharedSize?: number; Containers?: number; Labels?: Record<string, string> | null }>;
    };
    return (df.Images ?? []).map((i) => ({
      id: i.Id,
      repoTags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
      size: i.Size,
      sharedSize: i.SharedSize ?? -1,
      containers: i.Containers ?? -1,
      labels: i.Labels ?? {},
    }));
  }

  /** `GET /volumes/{name}`, raw, for the Inspect editor. */
  async inspectVolume(name: string): Promise<Record<string, unknown>> {
    return (await this.call(`inspect volume ${name}`, (abortSignal) => this.docker().getVolume(name).inspect({ abortSignal }))) as unknown as Record<string, unknown>;
  }

  /** `POST /volumes/create` */
  async createVolume(name: string, labels: Record<string, string> = {}): Promise<void> {
    await this.call(`create volume ${name}`, (abortSignal) => this.docker().createVolume({ Name: name, Labels: labels, abortSignal } as DockerodeNs.VolumeCreateOptions));
  }

  /** `DELETE /volumes/{name}`; the engine refuses (409, 'conflict') while a container uses it. */
  async removeVolume(name: string): Promise<void> {
    await this.call(`remove volume ${name}`, (abortSignal) => this.docker().getVolume(name).remove({ abortSignal }));
  }

  /**
   * `POST /containers/prune`: removes stopped containers. `label` narrows it (tests pass their
   * own label so they never touch anything else on a shared engine).
   */
  async pruneContainers(label?: LabelFilter): Promise<PruneResult> {
    const r = await this.call('prune containers', () => this.docker().pruneContainers(label ? { filters: { label } } : {}));
    return { removed: r.ContainersDeleted ?? [], spaceReclaimed: r.SpaceReclaimed ?? 0 };
  }

  /** `POST /images/prune?filters={"dangling":["true"]}`: removes dangling images only. */
  async pruneDanglingImages(label?: LabelFilter): Promise<PruneResult> {
    const r = await this.call('prune images', () => this.docker().pruneImages({ filters: { dangling: ['true'], ...(label ? { label } : {}) } }));
    return { removed: (r.ImagesDeleted ?? []).map((d) => d.Deleted ?? d.Untagged ?? '').filter(Boolean), spaceReclaimed: r.SpaceReclaimed ?? 0 };
  }

  /**
   * `POST /volumes/prune`: removes unused volumes. Engines from API 1.42 on prune only anonymous
   * volumes unless `all=true`; API 1.41 (Docker 20.10) prunes every unused local volume.
   */
  async pruneVolumes(label?: LabelFilter): Promise<PruneResult> {
    const [major, minor] = (await this.version()).apiVersion.split('.').map(Number);
    const filters: Record<string, string[]> = { ...(label ? { label } : {}), ...(major > 1 || minor >= 42 ? { all: ['true'] } : {}) };
    const r = await this.call('prune volumes', () => this.docker().pruneVolumes({ filters } as DockerodeNs.VolumePruneOptions));
    return { removed: r.VolumesDeleted ?? [], spaceReclaimed: r.SpaceReclaimed ?? 0 };
  }

  // --- networks (issue 13) ---

  /** `GET /networks`, optionally narrowed by label (`key=value`). */
  async listNetworks(options: { label?: LabelFilter } = {}): Promise<NetworkSummary[]> {
    const rows = await this.call('list networks', (abortSignal) =>
      this.docker().listNetworks({ abortSignal, ...(options.label ? { filters: JSON.stringify({ label: options.label }) } : {}) } as DockerodeNs.NetworkListOptions),
    );
    return rows.map((n) => ({
      id: n.Id,
      name: n.Name,
      driver: n.Driver,
      scope: n.Scope,
      subnets: (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((x): x is string => !!x),
      gateways: (n.IPAM?.Config ?? []).map((c) => c.Gateway).filter((x): x is string => !!x),
      internal: n.Internal === true,
      created: n.Created ? Date.parse(n.Created) || 0 : 0,
      labels: n.Labels ?? {},
    }));
  }

  /** `GET /networks/{id}`, raw, for the Inspect editor (it lists the attached containers with their addresses). */
  async inspectNetwork(idOrName: string): Promise<Record<string, unknown>> {
    return (await this.call(`inspect network ${idOrName}`, () => this.docker().getNetwork(idOrName).inspect())) as unknown as Record<string, unknown>;
  }

  /**
   * `POST /networks/create` with the bridge driver (`docker network create [--subnet S] name`).
   * @param subnet IPv4 CIDR, already validated (src/core/network/networks.ts `parseSubnet`); the engine's IPAM picks one when omitted
   * @returns the network id
   * @throws EngineError 'conflict' when the name exists; 'engine' when the subnet overlaps another network's
   */
  async createNetwork(req: { name: string; subnet?: string; labels?: Record<string, string> }): Promise<string> {
    const n = await this.call(`create network ${req.name}`, (abortSignal) =>
      this.docker().createNetwork({
        Name: req.name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: { [CREATED_BY_LABEL]: CREATED_BY_VALUE, ...(req.labels ?? {}) },
        ...(req.subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: req.subnet }] } } : {}),
        abortSignal,
      } as DockerodeNs.NetworkCreateOptions),
    );
    return n.id;
  }

  /** `DELETE /networks/{id}`; the engine refuses while a container is attached ('engine': "has active endpoints"). */
  async removeNetwork(idOrName: string): Promise<void> {
    await this.call(`remove network ${idOrName}`, (abortSignal) => this.docker().getNetwork(idOrName).remove({ abortSignal }));
  }

  /** `POST /networks/prune`: removes user-defined networks no container uses; `label` narrows it (tests). */
  async pruneNetworks(label?: LabelFilter): Promise<PruneResult> {
    const r = (await this.call('prune networks', () => this.docker().pruneNetworks(label ? { filters: { label } } : {}))) as { NetworksDeleted?: string[] };
    return { removed: r.NetworksDeleted ?? [], spaceReclaimed: 0 };
  }

  /** `POST /networks/{id}/connect` (`docker network connect`). */
  async connectNetwork(network: string, container: string): Promise<void> {
    await this.call(`connect ${container} to network ${network}`, (abortSignal) =>
      this.docker().getNetwork(network).connect({ Container: container, abortSignal } as DockerodeNs.NetworkConnectOptions),
    );
  }

  /** `POST /networks/{id}/disconnect` (`docker network disconnect`). */
  async disconnectNetwork(network: string, container: string): Promise<void> {
    await this.call(`disconnect ${container} from network ${network}`, (abortSignal) =>
      this.docker().getNetwork(network).disconnect({ Container: container, Force: false, abortSignal }) as Promise<unknown>,
    );
  }

  /**
   * Runs a command inside a running container and collects its output (`POST /containers/{id}/exec`).
   * @returns exit code and combined stdout+stderr text
   */
  async execCollect(id: string, cmd: string[], options: { user?: string } = {}): Promise<{ exitCode: number; output: string }> {
    const exec = await this.call(`exec in ${id}`, (abortSignal) =>
      this.docker().getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, User: options.user, abortSignal } as DockerodeNs.ExecCreateOptions),
    );
    const stream = (await this.call(`start exec in ${id}`, () => exec.start({ hijack: true, stdin: false }))) as NodeJS.ReadableStream;
    let output = '';
    const sink = new PassThrough();
    sink.on('data', (d: Buffer) => (output += d.toString('utf8')));
    this.docker().modem.demuxStream(stream, sink, sink);
    await new Promise<void>((resolve) => {
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
      stream.on('error', () => resolve());
    });
    const info = await this.call('exec result', () => exec.inspect());
    return { exitCode: info.ExitCode ?? -1, output };
  }

  /**
   * Runs a one-off command in a fresh container of `image` and collects its output, e.g.
   * `pip freeze` inside a built image: create (the command replaces the image's ENTRYPOINT and
   * CMD; no network; labelled `org.mllab.created-by=ml-container-lab`), start, wait, read the
   * logs, remove. The container is removed even when a step fails or the time limit passes.
   * @param cmd program and arguments, e.g. `['python', '-m', 'pip', 'freeze']`
   * @param timeoutMs limit for the whole run in ms (default 120 s); the container is then removed
   * @returns exit code, stdout and stderr text
   */
  async runToCompletion(image: string, cmd: string[], timeoutMs = 120_000): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const created = await this.call(`create container from ${image}`, (abortSignal) =>
      this.docker().createContainer({
        Image: image,
        Entrypoint: cmd.slice(0, 1),
        Cmd: cmd.slice(1),
        Labels: { [CREATED_BY_LABEL]: CREATED_BY_VALUE },
        HostConfig: { NetworkMode: 'none' },
        abortSignal,
      } as DockerodeNs.ContainerCreateOptions),
    );
    const limit = new AbortController();
    const timer = setTimeout(() => limit.abort(), timeoutMs);
    try {
      await this.call(`start container from ${image}`, (abortSignal) => created.start({ abortSignal }));
      let exitCode: number;
      try {
        ({ exitCode } = await this.waitContainer(created.id, limit.signal));
      } catch (err) {
        if (!limit.signal.aborted) throw err;
        throw new EngineError(`"${cmd.join(' ')}" in ${image} did not finish within ${timeoutMs / 1000} s.`, 'timeout', { cause: err });
      }
      let stdout = '';
      let stderr = '';
      await this.logs(created.id, (text, stream) => (stream === 'stderr' ? (stderr += text) : (stdout += text)), { follow: false });
      return { exitCode, stdout, stderr };
    } finally {
      clearTimeout(timer);
      await this.removeContainer(created.id, { force: true }).catch(() => undefined);
    }
  }

  /**
   * Opens an interactive shell (exec with a TTY) inside a running container, no Docker CLI
   * needed. The first of `shells` that exists in the container is used (bash, then sh).
   * @throws EngineError when the container is not running or has none of the shells
   */
  async openShell(id: string, shells: string[], onData: (text: string) => void, size?: { columns: number; rows: number }): Promise<ShellSession & { shell: string }> {
    let shell: string | undefined;
    for (const candidate of shells) {
      const probe = await this.execCollect(id, ['sh', '-c', `command -v ${candidate}`]).catch(() => undefined);
      if (probe?.exitCode === 0) {
        shell = candidate;
        break;
      }
    }
    if (!shell) {
      throw new EngineError(`Container ${id.slice(0, 12)} has none of these shells: ${shells.join(', ')}.`, 'notFound', {
        hint: 'Images built FROM scratch or distroless images have no shell; use View Logs or Inspect instead.',
      });
    }
    const exec = await this.call(`exec ${shell} in ${id}`, (abortSignal) =>
      this.docker().getContainer(id).exec({
        Cmd: [shell],
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: true,
        Env: ['TERM=xterm-256color'],
        abortSignal,
      } as DockerodeNs.ExecCreateOptions),
    );
    const stream = (await this.call(`start ${shell} in ${id}`, () => exec.start({ hijack: true, stdin: true, Tty: true }))) as NodeJS.ReadWriteStream;
    stream.on('data', (d: Buffer) => onData(d.toString('utf8')));
    if (size) await exec.resize({ h: size.rows, w: size.columns }).catch(() => undefined);
    const exited = new Promise<number | undefined>((resolve) => {
      const done = () => void exec.inspect().then((i) => resolve(i.ExitCode ?? undefined), () => resolve(undefined));
      stream.on('end', done);
      stream.on('close', done);
    });
    return {
      shell,
      write: (data) => void stream.write(data),
      resize: (columns, rows) => void exec.resize({ h: rows, w: columns }).catch(() => undefined),
      close: () => (stream as unknown as { destroy?: () => void }).destroy?.(),
      exited,
    };
  }

  /**
   * `POST /commit`: saves a container's filesystem changes as a new image `repo:tag`
   * (volumes and bind mounts are not part of it).
   * @returns the new image id
   */
  async commitContainer(id: string, repo: string, tag: string, labels: Record<string, string> = {}): Promise<string> {
    const r = (await this.call(`commit container ${id}`, (abortSignal) =>
      this.docker().getContainer(id).commit({ repo, tag, changes: Object.entries(labels).map(([k, v]) => `LABEL ${k}=${JSON.stringify(v)}`), abortSignal }),
    )) as { Id: string };
    return r.Id;
  }

  /**
   * `POST /containers/{id}/rename`.
   * @param newName Docker's name rule `[a-zA-Z0-9][a-zA-Z0-9_.-]+`
   * @throws EngineError 'conflict' when another container has that name, 'notFound' for an unknown container
   */
  async renameContainer(id: string, newName: string): Promise<void> {
    await this.call(`rename container ${id} to ${newName}`, (abortSignal) => this.docker().getContainer(id).rename({ name: newName, abortSignal }));
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

  /**
   * Recreates a container with the same configuration plus a change (a new port binding or
   * mount; Docker cannot add either to an existing container), keeping its name. The flow never
   * loses the original:
   * 1. inspect it and build the new create body (`recreateOptions`; a bad change throws here,
   *    before anything is touched);
   * 2. with `commitAs`, commit its filesystem to `repo:tag` (files written outside volumes) and
   *    create the new container from that image;
   * 3. stop it (unpausing first), rename it to `<name>-replaced-<base36 ms>`;
   * 4. create the new container under the original name (anonymous volumes re-attached, extra
   *    networks connected) and start it if the original was running (or paused);
   * 5. on success remove the original (without its volumes); on any failure in 3-4 remove the
   *    half-made new container, rename the original back, start (and re-pause) it as it was, and
   *    rethrow the error. A snapshot image already committed is kept (it is the user's data).
   * A container created with `--rm` (AutoRemove) is refused: Docker deletes it, and its anonymous
   * volumes, the moment it stops, so it could not be put back.
   *
   * @param change bindings/mounts to add and the host IP for bindings that name none; `change.image`
   *   is ignored when `commitAs` is given.
   * @param options.commitAs snapshot image name; `labels` are added to it (e.g. a test label).
   * @param options.graceSeconds stop timeout before SIGKILL, in s (default 10, as `docker stop`).
   * @returns the new container's id and name, the snapshot image reference (`repo:tag`) when
   *   committed, and `leftOver`: the renamed original's name if removing it failed (it is stopped).
   * @throws UserError from `recreateOptions` (port already published, target already mounted...),
   *   or for an AutoRemove container; EngineError from the engine (e.g. 'portInUse' when the new
   *   host port is taken), after the rollback. If the rollback itself fails the error says where
   *   the original container is.
   */
  async recreateContainer(
    id: string,
    change: RecreateChange,
    options: { commitAs?: { repo: string; tag: string; labels?: Record<string, string> }; graceSeconds?: number } = {},
  ): Promise<{ id: string; name: string; snapshotImage?: string; leftOver?: string }> {
    const inspect = await this.inspectContainer(id);
    const oldId = String(inspect.Id);
    const name = String(inspect.Name ?? '').replace(/^\//, '');
    const state = (inspect.State ?? {}) as { Running?: boolean; Paused?: boolean };
    const wasPaused = state.Paused === true;
    const wasRunning = state.Running === true || wasPaused;
    if ((inspect.HostConfig as { AutoRemove?: boolean } | undefined)?.AutoRemove === true) {
      throw new UserError(`Container ${name} was started with remove-on-exit (--rm): Docker deletes it as soon as it stops, so it cannot be recreated safely.`, {
        hint: 'Run the image again with the new port or mount (a profile keeps the settings), or commit the container to an image first and run that.',
      });
    }
    const snapshotImage = options.commitAs ? `${options.commitAs.repo}:${options.commitAs.tag}` : undefined;
    const body = recreateOptions(inspect, { ...change, ...(snapshotImage ? { image: snapshotImage } : {}) });
    const networks = extraNetworks(inspect);
    if (options.commitAs) await this.commitContainer(oldId, options.commitAs.repo, options.commitAs.tag, options.commitAs.labels);

    const grace = options.graceSeconds ?? 10;
    if (wasPaused) await this.unpauseContainer(oldId);
    if (wasRunning) await this.stopContainer(oldId, grace);
    const replacedName = `${name}-replaced-${Date.now().toString(36)}`;
    let renamed = false;
    let newId: string | undefined;
    try {
      await this.renameContainer(oldId, replacedName);
      renamed = true;
      const created = await this.call(`create container ${name}`, (abortSignal) =>
        this.docker().createContainer({ ...body, abortSignal } as DockerodeNs.ContainerCreateOptions),
      );
      newId = created.id;
      for (const n of networks) {
        await this.call(`connect ${name} to network ${n.network}`, (abortSignal) =>
          this.docker().getNetwork(n.network).connect({ Container: created.id, EndpointConfig: n.endpointConfig, abortSignal } as DockerodeNs.NetworkConnectOptions),
        );
      }
      if (wasRunning) await this.call(`start container ${name}`, (abortSignal) => created.start({ abortSignal }));
      if (wasPaused) await this.pauseContainer(created.id);
    } catch (err) {
      const problems: string[] = [];
      if (newId !== undefined) {
        const half = newId;
        await this.call(`remove new container ${name}`, (abortSignal) => this.docker().getContainer(half).remove({ force: true, v: false, abortSignal })).catch((e: unknown) =>
          problems.push(e instanceof Error ? e.message : String(e)),
        );
      }
      if (renamed) await this.renameContainer(oldId, name).catch((e: unknown) => problems.push(e instanceof Error ? e.message : String(e)));
      if (wasRunning) await this.startContainer(oldId).catch((e: unknown) => problems.push(e instanceof Error ? e.message : String(e)));
      if (wasPaused) await this.pauseContainer(oldId).catch(() => undefined);
      if (problems.length > 0) {
        const where = problems.some((p) => p.includes('rename')) ? `${replacedName} (id ${oldId.slice(0, 12)})` : `${name} (id ${oldId.slice(0, 12)})`;
        throw new EngineError(`Recreating ${name} failed (${(err as Error).message}), and putting the original back did not fully work: ${problems.join('; ')}.`, err instanceof EngineError ? err.kind : 'engine', {
          hint: `Nothing was deleted: the original container is ${where}${snapshotImage ? `, and its filesystem is saved as ${snapshotImage}` : ''}.`,
          cause: err,
        });
      }
      throw err;
    }
    let leftOver: string | undefined;
    await this.call(`remove replaced container ${replacedName}`, (abortSignal) => this.docker().getContainer(oldId).remove({ force: true, v: false, abortSignal })).catch(() => {
      leftOver = replacedName;
    });
    return { id: newId, name, ...(snapshotImage ? { snapshotImage } : {}), ...(leftOver ? { leftOver } : {}) };
  }

  /**
   * Subscribes to engine events (`GET /events`) for containers, images, volumes and networks.
   * Resolves when the stream ends (engine stopped) or `signal` aborts; callers reconnect.
   */
  async events(onEvent: (e: EngineEvent) => void, signal: AbortSignal): Promise<void> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await this.docker().getEvents({
        filters: { type: ['container', 'image', 'volume', 'network'] },
        abortSignal: signal,
      } as DockerodeNs.GetEventsOptions)) as NodeJS.ReadableStream;
    } catch (err) {
      throw this.mapError('subscribe to engine events', err, signal);
    }
    let buffered = '';
    await new Promise<void>((resolve) => {
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (!line) continue;
          try {
            const e = JSON.parse(line) as { Type: string; Action: string; Actor?: { ID?: string; Attributes?: Record<string, string> }; timeNano?: number; time?: number };
            onEvent({
              type: e.Type,
              action: e.Action,
              id: e.Actor?.ID ?? '',
              time: e.timeNano ? Math.floor(e.timeNano / 1e6) : (e.time ?? 0) * 1000,
              attributes: e.Actor?.Attributes ?? {},
            });
          } catch {
            // a partial or foreign line: skip it, the next refresh lists the truth anyway
          }
        }
      });
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
      stream.on('error', () => resolve());
      signal.addEventListener('abort', () => {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        resolve();
      });
    });
  }
}


/** A container run with `-it` and attached to (see {@link Engine.runInteractive}). */
export interface AttachedRun extends ShellSession {
  id: string;
  name: string;
  /** where the container's TTY output goes from now on; output so far is replayed first */
  onData(fn: (text: string) => void): void;
  /**
   * Also gives every chunk of output to `fn` (the run recorder), whoever reads it with
   * `onData`: output so far (up to 1 MiB before the first tap) is replayed first.
   */
  tap(fn: (text: string) => void): void;
  /** resolves when the attach stream (the output) has ended */
  readonly outputEnded: Promise<void>;
}

/** An interactive shell inside a container (an exec session with a TTY). */
export interface ShellSession {
  write(data: string): void;
  /** terminal size in character cells */
  resize(columns: number, rows: number): void;
  /** ends the session (the exec's process gets a hang-up when its stream closes) */
  close(): void;
  /** resolves with the shell's exit code (undefined when unknown) once the stream ends */
  readonly exited: Promise<number | undefined>;
}

/** An image config's `Cmd`/`Entrypoint`: a list, a string (old engines) or null. */
function asWords(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  return typeof v === 'string' && v !== '' ? [v] : [];
}

/** Label filter for prune and list calls: `key=value` entries, as the Engine API's `label` filter takes them. */
export type LabelFilter = string[];

