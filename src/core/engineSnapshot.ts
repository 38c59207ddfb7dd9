/**
 * What a test run added to a Docker engine: two listings of the engine's images, containers,
 * volumes and networks (before and after), and the set-up's own objects that may appear in
 * between. scripts/engine-snapshot.mjs takes the listings through the Engine API; this module
 * only compares them, so it is tested with plain data.
 */

/** One image as `GET /images/json?all=1` lists it (intermediate images of classic builds included). */
export interface SnapshotImage {
  /** `sha256:<64 hex>` */
  id: string;
  /** `repo:tag` references; empty (or `<none>:<none>`) for an untagged image */
  tags: string[];
  /** the parent image's id (`ParentId`), '' when it has none (BuildKit images, imports) */
  parent: string;
  labels: Record<string, string>;
}

/** The engine's contents at one moment. */
export interface EngineSnapshot {
  images: SnapshotImage[];
  containers: Array<{ id: string; name: string; image: string; labels: Record<string, string> }>;
  volumes: Array<{ name: string; labels: Record<string, string> }>;
  networks: Array<{ id: string; name: string; driver: string; labels: Record<string, string> }>;
}

/** What may appear between the two listings without being a leftover. */
export interface SnapshotBaseline {
  /**
   * Image references the set-up makes when they are missing (scripts/setup/base-images.sh):
   * each such image and its untagged parents (the classic builder's intermediate images of
   * that build) are allowed.
   */
  images: string[];
}

/** Objects that were not there before and are not in the baseline. */
export interface Leftovers {
  /** new images, and images that gained a tag (`tags` lists only the new tags then) */
  images: Array<{ id: string; tags: string[]; labels: Record<string, string>; newTagsOnly: boolean }>;
  containers: EngineSnapshot['containers'];
  volumes: EngineSnapshot['volumes'];
  networks: EngineSnapshot['networks'];
}

const realTags = (tags: readonly string[]): string[] => tags.filter((t) => t && t !== '<none>:<none>');

/** References as the engine lists them: a reference without a tag means `:latest`. */
function normalizeRef(ref: string): string {
  const lastSlash = ref.lastIndexOf('/');
  return ref.slice(lastSlash + 1).includes(':') ? ref : `${ref}:latest`;
}

/**
 * The ids the baseline allows in `snapshot`: each image a baseline reference names, and its
 * parents up the `ParentId` chain while they are untagged (a tagged parent is another image
 * and must be named itself).
 */
export function baselineImageIds(snapshot: Pick<EngineSnapshot, 'images'>, baseline: SnapshotBaseline): Set<string> {
  const byId = new Map(snapshot.images.map((i) => [i.id, i]));
  const wanted = new Set(baseline.images.map(normalizeRef));
  const allowed = new Set<string>();
  for (const image of snapshot.images) {
    if (!realTags(image.tags).some((t) => wanted.has(t))) continue;
    allowed.add(image.id);
    let parent = byId.get(image.parent);
    while (parent && !realTags(parent.tags).length && !allowed.has(parent.id)) {
      allowed.add(parent.id);
      parent = byId.get(parent.parent);
    }
  }
  return allowed;
}

/**
 * What `after` holds that `before` did not: images by id (and tags added to an image that was
 * there), containers and networks by id, volumes by name; the baseline's images are not counted.
 * Objects that went away are not leftovers (a test may remove what it finds, e.g. a stopped
 * engine's containers are not ours to judge here).
 */
export function diffSnapshots(before: EngineSnapshot, after: EngineSnapshot, baseline: SnapshotBaseline): Leftovers {
  const allowed = baselineImageIds(after, baseline);
  const baseRefs = new Set(baseline.images.map(normalizeRef));
  const oldImages = new Map(before.images.map((i) => [i.id, new Set(realTags(i.tags))]));
  const images: Leftovers['images'] = [];
  for (const i of after.images) {
    // A base image (or its intermediate image) may be new, but not a tag a test put on it.
    const had = allowed.has(i.id) ? new Set([...(oldImages.get(i.id) ?? []), ...baseRefs]) : oldImages.get(i.id);
    if (!had) {
      images.push({ id: i.id, tags: realTags(i.tags), labels: i.labels, newTagsOnly: false });
      continue;
    }
    const added = realTags(i.tags).filter((t) => !had.has(t));
    if (added.length) images.push({ id: i.id, tags: added, labels: i.labels, newTagsOnly: true });
  }
  const ids = (xs: Array<{ id: string }>) => new Set(xs.map((x) => x.id));
  const oldContainers = ids(before.containers);
  const oldNetworks = ids(before.networks);
  const oldVolumes = new Set(before.volumes.map((v) => v.name));
  return {
    images,
    containers: after.containers.filter((c) => !oldContainers.has(c.id)),
    volumes: after.volumes.filter((v) => !oldVolumes.has(v.name)),
    networks: after.networks.filter((n) => !oldNetworks.has(n.id)),
  };
}

/** Whether nothing was left. */
export function isClean(l: Leftovers): boolean {
  return !l.images.length && !l.containers.length && !l.volumes.length && !l.networks.length;
}

const labelText = (labels: Record<string, string>): string => {
  const entries = Object.entries(labels ?? {}).filter(([k]) => k.startsWith('org.mllab.') || k.startsWith('com.docker.'));
  return entries.length ? ` [${entries.map(([k, v]) => `${k}=${v}`).join(', ')}]` : '';
};

/**
 * One line per leftover, naming it so that it can be traced to the test that made it:
 * `image sha256:1234abcd5678 (untagged) [org.mllab.test-fixture=true]`,
 * `container mllab-run-42 (image lab:v1) [org.mllab.test=engine-1-x]`, `network docker_gwbridge (bridge)`.
 */
export function describeLeftovers(l: Leftovers): string[] {
  return [
    ...l.images.map((i) => `image ${i.id.replace(/^sha256:/, '').slice(0, 12)} ${i.tags.length ? (i.newTagsOnly ? `gained tag(s) ${i.tags.join(', ')}` : i.tags.join(', ')) : '(untagged)'}${labelText(i.labels)}`),
    ...l.containers.map((c) => `container ${c.name} (image ${c.image})${labelText(c.labels)}`),
    ...l.volumes.map((v) => `volume ${v.name}${labelText(v.labels)}`),
    ...l.networks.map((n) => `network ${n.name} (${n.driver})${labelText(n.labels)}`),
  ];
}
