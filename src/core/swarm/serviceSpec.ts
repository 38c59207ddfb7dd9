/**
 * A run profile as a Docker Swarm job: profile -> `POST /services/create` body.
 * The service runs in job mode (`Mode.ReplicatedJob`, engine API 1.41): its tasks run to
 * completion and are not restarted (`RestartPolicy.Condition: none`).
 * Source of the shapes: the Engine API 1.41 reference (ServiceSpec, TaskSpec, ContainerSpec,
 * Mount, ResourceObject.GenericResources, Placement) and `docker service create` (docker/cli
 * cli/command/service/opts.go), whose flags these fields follow.
 */
import { UserError } from '../errors';
import type { Profile } from '../run/profileTypes';
import { DEFAULT_SWARM, type SwarmSection } from './section';

export { DEFAULT_SWARM, validateConstraint, validateSpread, type SwarmSection } from './section';

/** The Swarm generic resource kind for NVIDIA GPUs, as `dockerd --node-generic-resource NVIDIA-GPU=<id>` advertises them (Docker's documented name). */
export const GPU_RESOURCE_KIND = 'NVIDIA-GPU';

/** Label on every service the extension creates: the profile it came from. */
export const SWARM_PROFILE_LABEL = 'org.mllab.profile';

/**
 * A Swarm service name: Docker allows letters, digits, `-` and `_`... up to 63 characters
 * (swarmkit: names are DNS labels). `train` at 14:05:09 -> `train-140509`.
 */
export function serviceNameFor(profileName: string, now: Date): string {
  const stamp = [now.getHours(), now.getMinutes(), now.getSeconds()].map((n) => String(n).padStart(2, '0')).join('');
  const base = profileName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'job';
  return `${base.slice(0, 55)}-${stamp}`;
}

/** What the caller adds to a profile to make it a service. */
export interface SwarmJobInput {
  /** service name (serviceNameFor) */
  name: string;
  /** the image reference to run, by digest (`registry/repo@sha256:...`) when the nodes pull it */
  image: string;
  /** env with the env files already merged (the profile's own env wins) */
  env: Record<string, string>;
  /** labels added to the service and its containers (setting mlLab.run.labels, test labels) */
  labels?: Record<string, string>;
}

/**
 * Turns a profile into a `POST /services/create` body for a replicated job.
 *
 * Maps: replicas -> `TotalCompletions`, maxConcurrent -> `MaxConcurrent` (default: replicas);
 * entrypoint -> `ContainerSpec.Command`, command -> `Args` (as `docker run`: the image's
 * ENTRYPOINT stays when only a command is given); workdir, user, env, labels; named volumes ->
 * `Mounts` of type volume; shmSize -> a tmpfs mount at /dev/shm of that size (a service has no
 * `--shm-size`); memory -> `Resources.Limits.MemoryBytes`, cpus -> `Limits.NanoCPUs`; GPUs (a
 * count) -> `Resources.Reservations.GenericResources` of kind NVIDIA-GPU, which only nodes
 * advertising that many place; constraints, maxPerNode and spread -> `Placement`.
 *
 * @throws UserError, saying why and what to write instead, for: a bind mount (it would name each
 *   node's own folder, not this one: use a named volume, in `swarm.volumes`), published ports (a
 *   job runs to completion and serves nothing), `gpus: all` or device ids (Swarm picks the GPU on
 *   the node: ask for a count), an interactive run (a job has no terminal), `ipc` or `network`.
 */
export function toServiceSpec(profile: Profile, input: SwarmJobInput, swarm: SwarmSection = profile.swarm ?? DEFAULT_SWARM): Record<string, unknown> {
  const r = profile.run;
  const p = `Profile ${profile.name}`;
  const mounts = swarm.volumes ?? r.mounts;
  const bind = mounts.find((m) => m.type === 'bind');
  if (bind) {
    throw new UserError(`${p}: the bind mount ${bind.source}:${bind.target} cannot go to a Swarm job: on each node it would name that node's own folder ${bind.source}, not this machine's.`, {
      hint: `Use a named volume instead, e.g. swarm: { volumes: ["${profile.name}-data:${bind.target}"] } in the profile (swarm.volumes replaces run.volumes on Swarm), and copy results out of the volume.`,
    });
  }
  if (r.ports.length) throw new UserError(`${p}: a Swarm job runs to completion and publishes no port (run.ports has ${r.ports.length}).`, { hint: 'Run serving profiles with "Run Profile...", or remove run.ports to run this one as a job.' });
  if (r.gpus && r.gpus.kind !== 'count') {
    throw new UserError(`${p}: gpus: ${r.gpus.kind === 'all' ? 'all' : 'device=...'} cannot go to a Swarm job: Swarm reserves GPUs by count (generic resource ${GPU_RESOURCE_KIND}) and picks the devices on the node.`, { hint: 'Write a count, e.g. gpus: 1.' });
  }
  if (!r.detach) throw new UserError(`${p}: an interactive run (detach: false, interactive or tty) cannot be a Swarm job: its tasks have no terminal.`, { hint: 'Remove interactive/tty or set detach: true.' });
  if (r.ipcMode !== undefined || r.network !== undefined) {
    throw new UserError(`${p}: ${r.ipcMode !== undefined ? 'ipc' : 'network'} is not supported for a Swarm job.`, { hint: 'Remove it from run: (for shared memory use shmSize).' });
  }
  const labels = { ...(input.labels ?? {}), ...r.labels, [SWARM_PROFILE_LABEL]: profile.name };
  const containerSpec: Record<string, unknown> = {
    Image: input.image,
    Labels: labels,
    Env: Object.entries(input.env).map(([k, v]) => `${k}=${v}`),
  };
  if (r.entrypoint?.length === 1 && r.entrypoint[0] === '') {
    // `entrypoint: ""` clears the image's ENTRYPOINT (docker run --entrypoint ''): the command runs as it is.
    containerSpec.Command = r.cmd ?? [];
  } else {
    if (r.entrypoint !== undefined) containerSpec.Command = r.entrypoint;
    if (r.cmd !== undefined) containerSpec.Args = r.cmd;
  }
  if (r.workingDir !== undefined) containerSpec.Dir = r.workingDir;
  if (r.user !== undefined) containerSpec.User = r.user;
  const apiMounts: Array<Record<string, unknown>> = mounts.map((m) => ({ Type: 'volume', Source: m.source, Target: m.target, ReadOnly: m.readOnly }));
  if (r.shmSize !== undefined) apiMounts.push({ Type: 'tmpfs', Target: '/dev/shm', TmpfsOptions: { SizeBytes: r.shmSize } });
  if (apiMounts.length) containerSpec.Mounts = apiMounts;

  const resources: Record<string, unknown> = {};
  const limits: Record<string, unknown> = {};
  if (r.memory !== undefined) limits.MemoryBytes = r.memory;
  if (r.nanoCpus !== undefined) limits.NanoCPUs = r.nanoCpus;
  if (Object.keys(limits).length) resources.Limits = limits;
  if (r.gpus?.kind === 'count') resources.Reservations = { GenericResources: [{ DiscreteResourceSpec: { Kind: GPU_RESOURCE_KIND, Value: r.gpus.count } }] };

  const placement: Record<string, unknown> = {};
  if (swarm.constraints.length) placement.Constraints = swarm.constraints;
  if (swarm.maxPerNode !== undefined) placement.MaxReplicas = swarm.maxPerNode;
  if (swarm.spread !== undefined) placement.Preferences = [{ Spread: { SpreadDescriptor: swarm.spread } }];

  const taskTemplate: Record<string, unknown> = {
    ContainerSpec: containerSpec,
    RestartPolicy: { Condition: 'none' },
  };
  if (Object.keys(resources).length) taskTemplate.Resources = resources;
  if (Object.keys(placement).length) taskTemplate.Placement = placement;
  return {
    Name: input.name,
    Labels: labels,
    TaskTemplate: taskTemplate,
    Mode: { ReplicatedJob: { MaxConcurrent: Math.min(swarm.maxConcurrent ?? swarm.replicas, swarm.replicas), TotalCompletions: swarm.replicas } },
  };
}

/** Where the image a job runs comes from. */
export type SwarmImagePlan =
  /** every node pulls this reference (a registry digest the engine already knows) */
  | { kind: 'digest'; image: string }
  /** tag the local image as `target` and push it; run the pushed digest */
  | { kind: 'push'; target: string }
  /** the image exists only on this engine and no registry is named: nodes without it cannot run the job */
  | { kind: 'localOnly'; image: string; message: string; hint: string };

/**
 * How the nodes get the profile's image.
 * - The image has a registry digest (`RepoDigests`, from a push or pull) -> run that digest.
 * - Else the profile names `swarm.registry` -> push `<registry>/<last path part of the repository>:<tag>`
 *   (then run the digest the push reports).
 * - Else the image is only on this engine: fine for a one-node swarm; with more nodes the plan
 *   says so and what to do (other nodes fail with "No such image" unless they have it too).
 * @param image the profile's image reference and what the engine knows of it
 */
export function planSwarmImage(image: { reference: string; repoDigests: string[] }, registry: string | undefined, nodeCount: number): SwarmImagePlan {
  const repo = image.reference.replace(/@.*$/, '').replace(/:[^/:]+$/, '');
  const pinned = image.repoDigests.find((d) => d.startsWith(`${repo}@`));
  if (pinned) return { kind: 'digest', image: pinned };
  if (registry) {
    const tag = /:([^/:@]+)$/.exec(image.reference.replace(/@.*$/, ''))?.[1] ?? 'latest';
    const name = repo.split('/').pop()!;
    return { kind: 'push', target: `${registry.replace(/\/+$/, '')}/${name}:${tag}` };
  }
  if (image.repoDigests.length) return { kind: 'digest', image: image.repoDigests[0] };
  return {
    kind: 'localOnly',
    image: image.reference,
    message: nodeCount > 1
      ? `Image ${image.reference} exists only on this engine (it has no registry digest) and the profile names no swarm.registry: the swarm's ${nodeCount - 1} other node(s) can run the job only if they have an image of that name, which may differ from this one.`
      : `Image ${image.reference} has no registry digest; it runs by name on this one-node swarm.`,
    hint: 'Add swarm: { registry: <host[:port]/namespace> } to the profile (the image is then pushed there and run by digest), or load the same image on every node (docker save | docker load).',
  };
}

/**
 * The reference a job runs after a push: `127.0.0.1:5000/course/iris-train:v1` pushed with
 * digest `sha256:ab...` -> `127.0.0.1:5000/course/iris-train@sha256:ab...` (the tag goes: the
 * digest names the image); without a digest, the pushed reference itself.
 */
export function pinnedReference(pushed: string, digest: string | undefined): string {
  if (!digest) return pushed;
  const repo = pushed.replace(/@.*$/, '').replace(/:[^/:]+$/, '');
  return `${repo}@${digest}`;
}
