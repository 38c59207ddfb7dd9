/**
 * What an image prune would free, from `GET /system/df` (Docker Engine API 1.41,
 * "Get data usage information"): each image's `Size` (all its layers) and `SharedSize` (its
 * layers that other images use too). Pruning dangling images deletes each image and its untagged
 * parents; a layer goes only when no remaining image uses it, so what is freed is the images'
 * unique size, `Size - SharedSize`, not their whole size (lab notes: "about 1.99 MB" promised,
 * 14 B reclaimed, because the base layers were shared with a tagged image).
 */
import type { ImageDiskUsage } from './engineTypes';
import { formatBytes } from './format';

export interface PruneEstimate {
  /** the images the prune removes: dangling and used by no container */
  images: ImageDiskUsage[];
  /** dangling images the prune keeps because containers use them */
  inUse: ImageDiskUsage[];
  /** bytes the prune frees at least */
  atLeast: number;
  /** bytes the prune frees at most (equal to `atLeast` when the estimate is exact) */
  atMost: number;
}

/** Whether the image has no tag (`/system/df` lists such images as `<none>:<none>`). */
export function isDangling(i: Pick<ImageDiskUsage, 'repoTags'>): boolean {
  return i.repoTags.every((t) => t === '<none>:<none>' || t === '');
}

/**
 * Estimates what `POST /images/prune?filters={"dangling":["true"]}` frees.
 * @param images every image `/system/df` reports
 */
export function estimateImagePrune(images: readonly ImageDiskUsage[]): PruneEstimate {
  const dangling = images.filter(isDangling);
  const pruned = dangling.filter((i) => i.containers <= 0);
  const inUse = dangling.filter((i) => i.containers > 0);
  const sum = (f: (i: ImageDiskUsage) => number) => pruned.reduce((s, i) => s + f(i), 0);
  // No shared size reported: nothing is known but the whole sizes.
  if (pruned.some((i) => i.sharedSize < 0)) return { images: pruned, inUse, atLeast: 0, atMost: sum((i) => i.size) };
  const unique = sum((i) => Math.max(0, i.size - i.sharedSize));
  if (pruned.length < 2) return { images: pruned, inUse, atLeast: unique, atMost: unique };
  // Several pruned images: a layer they share only with each other counts in their shared sizes
  // yet goes with them. Such a layer is in the shared size of two pruned images at least, so
  // those layers add at most half the pruned images' shared sizes.
  const sharedHalf = Math.floor(sum((i) => i.sharedSize) / 2);
  return { images: pruned, inUse, atLeast: unique, atMost: unique + sharedHalf };
}

/**
 * How many of the listed images a prune removed. The engine's `ImagesDeleted` also names each
 * untagged parent image and each layer it deleted (a classic-builder image with two RUN steps
 * gives seven entries), which are not what the user was asked about.
 * @param deleted ids from `ImagesDeleted[].Deleted`
 * @param listed ids of the images the confirmation listed
 */
export function countRemovedImages(deleted: readonly string[], listed: readonly string[]): number {
  const gone = new Set(deleted);
  return listed.filter((id) => gone.has(id)).length;
}

/**
 * The space a prune reclaims, for its confirmation: "about 488 kB" when exact (the engine's
 * figures may move a little before the prune runs), "at most 2 MB" when only an upper bound is
 * known, else "at least 8 B (at most 2.2 MB)".
 */
export function describeReclaim(e: Pick<PruneEstimate, 'atLeast' | 'atMost'>): string {
  if (e.atLeast === e.atMost) return `about ${formatBytes(e.atLeast)}`;
  if (e.atLeast === 0) return `at most ${formatBytes(e.atMost)}`;
  return `at least ${formatBytes(e.atLeast)} (at most ${formatBytes(e.atMost)})`;
}
