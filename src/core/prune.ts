/**
 * What an image prune would free, from `GET /system/df` (Docker Engine API 1.41,
 * "Get data usage information"): each image's `Size` (all its layers) and `SharedSize` (its
 * layers that other images use too). Pruning dangling images deletes each image and its untagged
 * parents; a layer goes only when no remaining image uses it, so what is freed is the images'
 * unique size, `Size - SharedSize`, not their whole size (lab notes: "about 1.99 MB" promised,
 * 14 B reclaimed, because the base layers were shared with a tagged image).
 */
import type { ContainerSummary, ImageDiskUsage, NetworkSummary, PruneResult, VolumeSummary } from './engineTypes';
import { isBuiltinNetwork } from './network/networks';
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

/** What the listings need to plan a system prune; `containers` listed with sizes. */
export interface SystemPruneInput {
  containers: readonly ContainerSummary[];
  networks: readonly NetworkSummary[];
  /** every image `/system/df` reports */
  images: readonly ImageDiskUsage[];
  /** volumes with sizes when known; ignored unless `withVolumes` */
  volumes: readonly VolumeSummary[];
  withVolumes: boolean;
  /** restricts what may be removed (tests narrow it to their label, as their prune calls do); usage still counts every container */
  only?: (labels: Record<string, string>) => boolean;
}

/** What a system prune removes, in the order the engine removes it, with the space each part frees. */
export interface SystemPrunePlan {
  /** stopped containers (created, exited, dead); `bytes`: their writable layers */
  containers: { items: ContainerSummary[]; bytes: number };
  /** user-defined networks no container that stays is attached to */
  networks: { items: NetworkSummary[] };
  /** dangling images used by no container that stays, with the estimate of {@link estimateImagePrune} */
  images: PruneEstimate;
  /** volumes no container that stays uses (empty unless asked); `bytes` undefined when a size is unknown */
  volumes: { items: VolumeSummary[]; bytes: number | undefined };
}

const STOPPED: readonly ContainerSummary['state'][] = ['created', 'exited', 'dead'];

/**
 * Plans `docker system prune` (`--volumes` when `withVolumes`): the engine removes stopped
 * containers first, then unused networks, unused volumes when asked, then dangling images
 * (docker/cli cli/command/system/prune.go runs the container, network, volume and image
 * prunes in that order; the build cache it also prunes is left alone here). So what the stopped containers used counts as unused: a dangling image or volume
 * that only stopped containers use goes too. Estimates follow the per-type prunes: the
 * containers' writable layers (`SizeRw`), the images' unique sizes, the volumes' sizes.
 */
export function planSystemPrune(input: SystemPruneInput): SystemPrunePlan {
  const only = input.only ?? (() => true);
  const stopped = input.containers.filter((c) => STOPPED.includes(c.state) && only(c.labels));
  const goes = new Set(stopped.map((c) => c.id));
  const staying = input.containers.filter((c) => !goes.has(c.id));
  const usedNetworks = new Set(staying.flatMap((c) => c.networks ?? []));
  const usedVolumes = new Set(staying.flatMap((c) => c.mounts.filter((m) => m.type === 'volume' && m.name).map((m) => m.name as string)));
  const usersLeft = new Map<string, number>();
  for (const c of staying) usersLeft.set(c.imageId, (usersLeft.get(c.imageId) ?? 0) + 1);
  const images = estimateImagePrune(
    input.images.filter((i) => only(i.labels)).map((i) => ({ ...i, containers: i.containers < 0 ? i.containers : (usersLeft.get(i.id) ?? 0) })),
  );
  const volumes = input.withVolumes ? input.volumes.filter((v) => !usedVolumes.has(v.name) && only(v.labels)) : [];
  const sizes = volumes.map((v) => v.size);
  return {
    containers: { items: stopped, bytes: stopped.reduce((s, c) => s + (c.sizeRw ?? 0), 0) },
    networks: { items: input.networks.filter((n) => !isBuiltinNetwork(n) && !usedNetworks.has(n.name) && only(n.labels)) },
    images,
    volumes: { items: volumes, bytes: sizes.every((s) => s !== undefined) ? sizes.reduce<number>((a, s) => a + (s ?? 0), 0) : undefined },
  };
}

/** The whole space a plan frees, for its confirmation's title: e.g. "about 12 MB" or "at least 12 MB (at most 14 MB)". */
export function describePlanReclaim(p: SystemPrunePlan): string {
  const fixed = p.containers.bytes + (p.volumes.bytes ?? 0);
  const r = describeReclaim({ atLeast: p.images.atLeast + fixed, atMost: p.images.atMost + fixed });
  return p.volumes.items.length && p.volumes.bytes === undefined ? `${r} plus the volumes' unknown sizes` : r;
}

/** Whether the plan removes nothing. */
export function planIsEmpty(p: SystemPrunePlan): boolean {
  return !p.containers.items.length && !p.networks.items.length && !p.images.images.length && !p.volumes.items.length;
}

/** The prune calls a system prune makes (Engine's; a label filter narrows each, as tests need on a shared engine). */
export interface SystemPruner {
  pruneContainers(label?: string[]): Promise<PruneResult>;
  pruneNetworks(label?: string[]): Promise<PruneResult>;
  pruneDanglingImages(label?: string[]): Promise<PruneResult>;
  pruneVolumes(label?: string[]): Promise<PruneResult>;
}

/** What each part of a system prune removed; `spaceReclaimed` in bytes, summed. */
export interface SystemPruneResult {
  containers: PruneResult;
  networks: PruneResult;
  images: PruneResult;
  volumes?: PruneResult;
  spaceReclaimed: number;
}

/**
 * Runs the prunes in `docker system prune`'s order (see {@link planSystemPrune}): containers,
 * networks, volumes when asked, then dangling images. A failing part stops the rest; its error
 * is thrown as the engine gave it.
 * @param label `key=value` label filters passed to every prune (tests); none prunes the whole engine
 */
export async function runSystemPrune(engine: SystemPruner, options: { withVolumes: boolean; label?: string[] }): Promise<SystemPruneResult> {
  const containers = await engine.pruneContainers(options.label);
  const networks = await engine.pruneNetworks(options.label);
  const volumes = options.withVolumes ? await engine.pruneVolumes(options.label) : undefined;
  const images = await engine.pruneDanglingImages(options.label);
  const spaceReclaimed = containers.spaceReclaimed + networks.spaceReclaimed + images.spaceReclaimed + (volumes?.spaceReclaimed ?? 0);
  return { containers, networks, images, ...(volumes ? { volumes } : {}), spaceReclaimed };
}
