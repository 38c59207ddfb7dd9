/**
 * Images: list, inspect, history, tag, remove, disk usage, and registry push and pull
 * (`X-Registry-Auth`, progress, refusals mapped to RegistryAuthError).
 */
import type * as DockerodeNs from 'dockerode';
import { EngineBase, EngineError, engineMessage, type DockerodeError, type LabelFilter } from './connection';
import { TransferProgress, isAuthFailureMessage } from '../core/registry/progress';
import { RegistryAuthError } from '../core/registry/errors';
import { familiarRepository, parseReference } from '../core/registry/reference';
import type { ImageDetails, ImageDiskUsage, ImageLayer, ImageSummary, PruneResult } from '../core/engineTypes';


/** The image calls of {@link Engine}. */
export abstract class ImagesApi extends EngineBase {
  /** `GET /images/json`: tagged and dangling images. */
  async listImages(): Promise<ImageSummary[]> {
    const rows = await this.read('list images', (abortSignal) => this.docker().listImages({ all: false, abortSignal }));
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

  /** `GET /images/{name}/json` */
  async inspectImage(ref: string): Promise<ImageDetails> {
    const i = await this.read(`inspect image ${ref}`, () => this.docker().getImage(ref).inspect());
    const c = i.Config ?? ({} as DockerodeNs.ImageInspectInfo['Config']);
    return {
      id: i.Id,
      repoTags: i.RepoTags ?? [],
      repoDigests: i.RepoDigests ?? [],
      exposedPorts: (c.ExposedPorts as Record<string, unknown> | undefined) ?? {},
      workingDir: c.WorkingDir ?? '',
      volumes: Object.keys((c.Volumes as Record<string, unknown> | undefined) ?? {}),
      labels: c.Labels ?? {},
      user: c.User ?? '',
      env: c.Env ?? [],
      cmd: asWords(c.Cmd),
      entrypoint: asWords(c.Entrypoint),
      architecture: i.Architecture,
      os: i.Os,
    };
  }

  /** `GET /images/{name}/json`, raw, for the Inspect editor. */
  async inspectImageRaw(ref: string): Promise<Record<string, unknown>> {
    return (await this.read(`inspect image ${ref}`, () => this.docker().getImage(ref).inspect())) as unknown as Record<string, unknown>;
  }

  /** `GET /images/{name}/history`: layers, newest first, with the instruction that made each. */
  async imageHistory(ref: string): Promise<ImageLayer[]> {
    const rows = (await this.read(`history of ${ref}`, () => this.docker().getImage(ref).history())) as Array<{
      Id: string; Created: number; CreatedBy: string; Size: number; Tags: string[] | null; Comment: string;
    }>;
    return rows.map((r) => ({ id: r.Id, created: r.Created * 1000, createdBy: r.CreatedBy, size: r.Size, tags: r.Tags ?? [], comment: r.Comment }));
  }

  /** `POST /images/{name}/tag`: adds `repo:tag` to the image `ref`. */
  async tagImage(ref: string, repo: string, tag: string): Promise<void> {
    await this.call(`tag ${ref} as ${repo}:${tag}`, (abortSignal) => this.docker().getImage(ref).tag({ repo, tag, abortSignal } as DockerodeNs.ImageTagOptions));
  }

  /**
   * `DELETE /images/{name}`. By default `noprune`: the untagged parent images (the classic
   * builder's intermediate images) stay, because they are the build cache other builds of the
   * same steps use. `untaggedParents: 'remove'` deletes them too, as `docker rmi` does: the
   * engine walks up the parents and stops at the first one that is tagged, has another child
   * image or is used by a container (moby daemon/images/image_delete.go, `imageDeleteHelper`
   * with `prune`), so nothing another image or container still uses goes. For images whose
   * build steps nobody else shares, e.g. what a test built.
   */
  async removeImage(ref: string, options: { force?: boolean; untaggedParents?: 'keep' | 'remove' } = {}): Promise<void> {
    const noprune = options.untaggedParents !== 'remove';
    await this.call(`remove image ${ref}`, (abortSignal) => this.docker().getImage(ref).remove({ force: options.force ?? false, noprune, abortSignal }));
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
   * `GET /system/df` images: size, shared size and container count of each top-level image
   * (the engine computes them, which can take seconds on a big engine: call on demand).
   */
  async imageDiskUsage(): Promise<ImageDiskUsage[]> {
    const df = (await this.diskUsage()) as {
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

  /** `POST /images/prune?filters={"dangling":["true"]}`: removes dangling images only. */
  async pruneDanglingImages(label?: LabelFilter): Promise<PruneResult> {
    const r = await this.call('prune images', () => this.docker().pruneImages({ filters: { dangling: ['true'], ...(label ? { label } : {}) } }));
    return { removed: (r.ImagesDeleted ?? []).map((d) => d.Deleted ?? d.Untagged ?? '').filter(Boolean), spaceReclaimed: r.SpaceReclaimed ?? 0 };
  }
}

/** An image config's `Cmd`/`Entrypoint`: a list, a string (old engines) or null. */
function asWords(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  return typeof v === 'string' && v !== '' ? [v] : [];
}
