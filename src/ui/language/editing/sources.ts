/**
 * Where the ML-aware completion and the base image facts come from: the engine (images, their
 * `Config.User` and `Config.Env`) and registries (tags, through the v2 API with the credentials
 * the extension already has). Everything is cached briefly, bounded in time and cancellable, so
 * typing never waits on a slow engine or registry.
 */
import { RegistryClient } from '../../../core/registry/client';
import { parseImageReference } from '../../../core/registry/reference';
import type { RegistryCredentials } from '../../../core/registry/auth';
import type { ImageDetails, ImageSummary } from '../../../core/engineTypes';
import type { BaseImageFacts } from '../../../core/dockerfile/index';

/** What the extension wires in (extension.ts): the current engine's calls and the credential lookup. */
export interface EditingSources {
  listImages(): Promise<ImageSummary[]>;
  inspectImage(ref: string): Promise<ImageDetails>;
  credentials(registry: string): Promise<RegistryCredentials | undefined>;
}

/** How long a listing, an inspection or a tag list is reused, ms. */
const IMAGES_TTL_MS = 10_000;
const FACTS_TTL_MS = 30_000;
const TAGS_TTL_MS = 60_000;
/** A failed tag listing is not retried for this long, ms (an unreachable registry answers slowly). */
const TAGS_ERROR_TTL_MS = 15_000;
/** Longest wait for the engine inside a completion or a lint run, ms. */
const ENGINE_WAIT_MS = 1_500;
/** Longest wait for a registry's tag list, ms. */
const REGISTRY_WAIT_MS = 4_000;

function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, () => { clearTimeout(t); resolve(undefined); });
  });
}

export class ImageSources {
  private images: { at: number; value: Promise<ImageSummary[] | undefined> } | undefined;
  /** The last listing that arrived, served while a newer one is on its way. */
  private lastImages: ImageSummary[] | undefined;
  private readonly facts = new Map<string, { at: number; value: Promise<BaseImageFacts | undefined> }>();
  private readonly tagCache = new Map<string, { at: number; ttl: number; value: Promise<string[]> }>();

  constructor(private readonly sources: EditingSources) {}

  /**
   * The engine's images, or [] when the engine does not answer within 1.5 s. Once a listing has
   * arrived, an older one is answered at once while a fresh one is fetched in the background
   * (stale while revalidating): completion after `FROM` waits on the engine only the first time.
   */
  async engineImages(): Promise<ImageSummary[]> {
    const now = Date.now();
    if (!this.images || now - this.images.at > IMAGES_TTL_MS) {
      const value = within(this.sources.listImages(), ENGINE_WAIT_MS);
      const previous = this.lastImages;
      this.images = { at: now, value };
      void value.then((v) => { if (v) this.lastImages = v; });
      if (previous) return previous;
    }
    return (await this.images.value) ?? this.lastImages ?? [];
  }

  /**
   * `Config.User` and the names in `Config.Env` of an image on the engine; undefined when it is not
   * there (or the engine does not answer in time). Env values are dropped: they may be secrets.
   */
  async baseImageFacts(ref: string): Promise<BaseImageFacts | undefined> {
    const now = Date.now();
    let hit = this.facts.get(ref);
    if (!hit || now - hit.at > FACTS_TTL_MS) {
      hit = {
        at: now,
        value: within(this.sources.inspectImage(ref), ENGINE_WAIT_MS).then((d) => (d ? { user: d.user, env: (d.env ?? []).map((e) => e.split('=')[0]) } : undefined)),
      };
      this.facts.set(ref, hit);
    }
    return hit.value;
  }

  /**
   * Tags of an image's repository from its registry (`/v2/<repo>/tags/list`). Docker Hub names
   * (`python`) go to Docker Hub. Resolves [] on any failure (unreachable, refused, no such
   * repository) and when `signal` aborts; the listing goes on in the background and fills the cache.
   */
  async tags(image: string, signal?: AbortSignal): Promise<string[]> {
    const parsed = parseImageReference(image);
    if (!parsed.ok) return [];
    const { registry, path } = parsed.reference;
    const key = `${registry}/${path}`;
    const now = Date.now();
    let hit = this.tagCache.get(key);
    if (!hit || now - hit.at > hit.ttl) {
      const entry = { at: now, ttl: TAGS_TTL_MS, value: Promise.resolve([] as string[]) };
      entry.value = (async () => {
        const client = new RegistryClient(registry, { credentials: await this.sources.credentials(registry), timeoutMs: REGISTRY_WAIT_MS });
        return client.tags(path);
      })().catch(() => {
        entry.ttl = TAGS_ERROR_TTL_MS;
        return [] as string[];
      });
      hit = entry;
      this.tagCache.set(key, hit);
    }
    if (!signal) return hit.value;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve([]);
      signal.addEventListener('abort', () => resolve([]), { once: true });
      void hit.value.then(resolve);
    });
  }
}
