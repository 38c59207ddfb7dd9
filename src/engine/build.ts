/**
 * Image builds through `POST /build`: BuildKit (`version=2`, the packed build context as the
 * request body) or the classic builder, progress as BuildEvents, cancel, and the fallback from
 * BuildKit to the classic builder.
 */
import type * as DockerodeNs from 'dockerode';
import { randomUUID } from 'node:crypto';
import { EngineBase, EngineError, engineMessage, type Dockerode, type DockerodeError } from './connection';
import { packBuildContext, type ContextStats } from '../core/build/context';
import { BuildTranscript, type BuildEvent } from '../core/build/output';
import { BuildkitTranscript } from '../core/build/buildkitTrace';


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

/** The build calls of {@link Engine}. */
export abstract class BuildApi extends EngineBase {
  /** Whether the engine builds with BuildKit; settled once per Engine (see {@link supportsBuildkit}). */
  private buildkitSupport: Promise<boolean> | undefined;

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
    if (choice === 'buildkit' && (await this.version()).product === 'podman') {
      throw new EngineError(`build ${req.tag}: this engine is Podman, which has no BuildKit (it builds with Buildah through the classic build API).`, 'unsupported', {
        hint: 'Build with the classic builder, or let the extension choose (builder "auto"): the Dockerfile is the same.',
      });
    }
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
   * Whether 'auto' builds use BuildKit: a Linux Docker engine with API 1.39 or later (BuildKit
   * builds through the Engine API since Docker 18.09; Windows engines and Podman have none). The `_ping`
   * header `Builder-Version` is not used: it is the engine's default for the CLI (unset on a
   * stock 20.10 engine, which still accepts `version=2`), not whether BuildKit is available.
   * An engine that refuses anyway is caught by the fallback in {@link build}.
   */
  supportsBuildkit(): Promise<boolean> {
    this.buildkitSupport ??= this.version().then(
      // Podman accepts `version=2` but ignores it and builds with Buildah (checked: Podman 4.3).
      (v) => v.product === 'docker' && v.os === 'linux' && apiAtLeast(v.apiVersion, '1.39'),
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
      let stopWatching = (): void => undefined;
      await new Promise<void>((resolve, reject) => {
        // An engine gone mid-build without closing the connection would leave the build waiting forever.
        stopWatching = this.watchLiveness(`The build of ${req.tag}`, (err) => {
          reject(err);
          (stream as unknown as { destroy?: () => void }).destroy?.();
        });
        this.docker().modem.followProgress(
          stream,
          (err: unknown) => (err ? reject(this.mapError(what, err, signal)) : resolve()),
          (msg: unknown) => {
            for (const ev of transcript.accept(msg)) onEvent(ev);
          },
        );
      }).finally(() => stopWatching());
      // The stream ended without a result: the engine may have gone away and closed it.
      if (!signal?.aborted && !transcript.error && !transcript.imageId) {
        const lost = await this.checkAfterStream(`The build of ${req.tag}`);
        if (lost) throw lost;
      }
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
    const imageId = transcript.imageId ?? (await this.read(`inspect image ${req.tag}`, () => this.docker().getImage(req.tag).inspect())).Id;
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
}
