/**
 * The engine's result types, owned by core so tree models can use them. Callers of src/engine never see dockerode types: these are
 * the shapes the Docker Engine API returns (API 1.41, ../shared/environment.md), trimmed to what
 * the extension uses, with times in milliseconds since the epoch and sizes in bytes.
 */

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** One row of `GET /images/json`. */
export interface ImageSummary {
  /** `sha256:<64 hex>` */
  id: string;
  /** `repo:tag` references; empty for a dangling (untagged) image. */
  repoTags: string[];
  repoDigests: string[];
  /** ms since the epoch */
  created: number;
  /** bytes */
  size: number;
  labels: Record<string, string>;
  /** containers using the image; -1 when the engine did not count them */
  containers: number;
}

/** A published port of a container, as in `GET /containers/json` `Ports`. */
export interface PublishedPort {
  hostIp?: string;
  hostPort?: number;
  containerPort: number;
  protocol: string;
}

export interface ContainerMountSummary {
  type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | string;
  /** host path for a bind mount, volume mount point for a named volume */
  source: string;
  destination: string;
  /** named volume's name */
  name?: string;
  readOnly: boolean;
}

/** One row of `GET /containers/json?all=1`. */
export interface ContainerSummary {
  id: string;
  /** name without the leading slash */
  name: string;
  image: string;
  imageId: string;
  command: string;
  /** ms since the epoch */
  created: number;
  state: ContainerState;
  /** Docker's own status text: "Up 3 minutes", "Exited (0) 2 minutes ago" */
  status: string;
  ports: PublishedPort[];
  labels: Record<string, string>;
  mounts: ContainerMountSummary[];
  /** bytes the container wrote to its own layer; only when listed with sizes */
  sizeRw?: number;
  /** names of the networks the container is attached to (`NetworkSettings.Networks`) */
  networks?: string[];
}

/** What the run and build commands need from `GET /images/{name}/json`. */
export interface ImageDetails {
  id: string;
  repoTags: string[];
  /** `repo@sha256:...` digests from registries this image was pushed to or pulled from (a Swarm job runs it by digest) */
  repoDigests?: string[];
  /** `{"8080/tcp": {}}` as the image config has it */
  exposedPorts: Record<string, unknown>;
  workingDir: string;
  /** VOLUME paths */
  volumes: string[];
  labels: Record<string, string>;
  user: string;
  /** the config's `Env`, `NAME=value` each (values may hold secrets: never log them) */
  env?: string[];
  /** the config's `Cmd` (`CMD`), [] when unset */
  cmd: string[];
  /** the config's `Entrypoint` (`ENTRYPOINT`), [] when unset */
  entrypoint: string[];
  architecture: string;
  os: string;
}

export interface EngineVersion {
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
  /** which engine serves the Docker API: Podman names itself in `/version` Components ("Podman Engine") */
  product: EngineProduct;
}

/** The software behind a Docker-compatible API: Docker's dockerd, or Podman's `podman system service`. */
export type EngineProduct = 'docker' | 'podman';

/** What the Engines view shows of an engine, from `GET /info`. */
export interface EngineInfo {
  /** ServerVersion, e.g. "20.10.24+dfsg1" */
  serverVersion: string;
  /** OSType/Architecture, e.g. "linux/x86_64" */
  platform: string;
  /** NCPU */
  cpus: number;
  /** MemTotal in bytes */
  memoryBytes: number;
  /** Runtimes lists an NVIDIA runtime (the NVIDIA Container Toolkit) */
  gpuRuntime: boolean;
  /** Swarm.LocalNodeState ("inactive", "active", ...) */
  swarm: string;
  /** Swarm.ControlAvailable: this engine is a swarm manager (the Swarm view shows) */
  swarmManager: boolean;
  /** Swarm.NodeID: this engine's node in its swarm (a task whose NodeID it is ran here), when in one */
  swarmNodeId?: string;
  /** OperatingSystem, e.g. "Debian GNU/Linux 12 (bookworm)" */
  operatingSystem: string;
  /** the engine's software, from `/version` Components (Podman's /info looks like Docker's) */
  product: EngineProduct;
}

/** One engine event from `GET /events`, trimmed. */
export interface EngineEvent {
  type: 'container' | 'image' | 'volume' | 'network' | string;
  action: string;
  id: string;
  /** ms since the epoch */
  time: number;
  attributes: Record<string, string>;
}

/** One layer of `GET /images/{name}/history`. */
export interface ImageLayer {
  /** image id of the layer, or '<missing>' for layers built elsewhere */
  id: string;
  /** ms since the epoch */
  created: number;
  /** the instruction that made the layer, as the engine records it */
  createdBy: string;
  /** bytes */
  size: number;
  tags: string[];
  comment: string;
}

/** One row of `GET /volumes`, with usage from `GET /system/df` when asked for. */
export interface VolumeSummary {
  name: string;
  driver: string;
  mountpoint: string;
  /** ms since the epoch; 0 when the engine did not say */
  created: number;
  labels: Record<string, string>;
  /** bytes; undefined when the engine did not report it */
  size?: number;
  /** containers using the volume (names); filled by the caller from the container list */
  usedBy?: string[];
}

/** What a prune removed, or would remove (preview). */
/** One image's disk usage, as `GET /system/df` reports it (top-level images only). */
export interface ImageDiskUsage {
  /** `sha256:<64 hex>` */
  id: string;
  /** `repo:tag` references; empty for a dangling (untagged) image */
  repoTags: string[];
  /** bytes of all its layers */
  size: number;
  /** bytes of its layers that other images use too; -1 when the engine did not compute it */
  sharedSize: number;
  /** containers created from it; -1 when the engine did not count them */
  containers: number;
  labels: Record<string, string>;
}

export interface PruneResult {
  /** container ids, image ids or volume names */
  removed: string[];
  /** bytes */
  spaceReclaimed: number;
}

/** One row of `GET /networks`. The list does not say which containers are attached: callers take that from the container list. */
export interface NetworkSummary {
  id: string;
  name: string;
  /** `bridge`, `host`, `null`, `overlay`, `macvlan`... */
  driver: string;
  /** `local`, `swarm` or `global` */
  scope: string;
  /** IPAM subnets in CIDR form, e.g. `172.18.0.0/16`; empty when the engine assigned none */
  subnets: string[];
  /** IPAM gateways, when set */
  gateways: string[];
  internal: boolean;
  /** ms since the epoch; 0 when the engine did not say */
  created: number;
  labels: Record<string, string>;
}
