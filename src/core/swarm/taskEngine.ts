/**
 * Which engine can reach a Swarm task's container (Download Artifacts from a finished
 * task). A task's container lives on the node that ran it (`Status.ContainerStatus.ContainerID`
 * on `NodeID`); only that node's own engine can copy files out of it. The engine in use is the
 * node `GET /info` names in `Swarm.NodeID`; any other node is reached through an entry of the
 * Engines view (src/core/contexts.ts) whose host is the node's address (`Status.Addr`) or its
 * hostname, as in `tcp://10.0.0.7:2376` or `ssh://me@10.0.0.7`.
 */
import type { EngineEntry } from '../contexts';
import type { ResolvedConnection } from '../connection';
import { TERMINAL_TASK_STATES, type SwarmNode, type SwarmTask } from './model';

/** Where a task's container can be read from, or why it cannot. */
export type TaskContainerRoute =
  /** the node is the engine in use */
  | { kind: 'current'; containerId: string; node: SwarmNode }
  /** the node is reached through this Engines view entry */
  | { kind: 'engine'; containerId: string; node: SwarmNode; entry: EngineEntry & { connection: ResolvedConnection } }
  /** no way there: `message` says why, `hint` what to do */
  | { kind: 'none'; message: string; hint: string };

/** A host as written in an engine address or a node's Status.Addr, comparable: lower case, IPv6 brackets off. */
const hostKey = (h: string): string => h.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');

/**
 * The Engines view entry that reaches `node`: a tcp:// or ssh:// entry whose host is the node's
 * address (`Status.Addr`, e.g. 10.231.42.2), else one whose host is the node's hostname. Entries
 * that cannot be used (no connection) and unix sockets are skipped. The current engine's entry
 * comes last among equals (it is the manager; a node's own entry is preferred).
 * @returns undefined when no entry matches
 */
export function engineForNode(node: Pick<SwarmNode, 'address' | 'hostname'>, entries: readonly EngineEntry[]): (EngineEntry & { connection: ResolvedConnection }) | undefined {
  const usable = entries.filter((e): e is EngineEntry & { connection: ResolvedConnection } => !!e.connection && e.connection.address.kind !== 'socket');
  const ordered = [...usable.filter((e) => !e.current), ...usable.filter((e) => e.current)];
  const hostOf = (e: EngineEntry & { connection: ResolvedConnection }) => hostKey((e.connection.address as { host: string }).host);
  for (const wanted of [node.address, node.hostname]) {
    if (!wanted) continue;
    const hit = ordered.find((e) => hostOf(e) === hostKey(wanted));
    if (hit) return hit;
  }
  return undefined;
}

/** A finished task whose container can still be read: terminal state and a container id. */
export function taskHasArtifacts(t: SwarmTask): boolean {
  return !!t.containerId && !!t.nodeId && TERMINAL_TASK_STATES.has(t.state);
}

/**
 * Where to read the finished task's container from: the engine in use when the task ran on
 * `localNodeId` (`GET /info` Swarm.NodeID), else the Engines view entry that reaches its node.
 * Never throws: `kind: 'none'` names the node, its address and what to do.
 */
export function routeToTaskContainer(task: SwarmTask, nodes: readonly SwarmNode[], localNodeId: string | undefined, entries: readonly EngineEntry[]): TaskContainerRoute {
  const slot = `slot ${task.slot ?? '?'}`;
  if (!task.containerId || !task.nodeId) {
    return { kind: 'none', message: `Task ${slot} has no container (state: ${task.state}${task.error ? `, ${task.error}` : ''}).`, hint: 'Only a task that ran has files to download.' };
  }
  if (!TERMINAL_TASK_STATES.has(task.state)) {
    return { kind: 'none', message: `Task ${slot} has not finished (state: ${task.state}).`, hint: 'Download its artifacts once it is complete or failed.' };
  }
  const node = nodes.find((n) => n.id === task.nodeId);
  if (!node) return { kind: 'none', message: `Task ${slot} ran on node ${task.nodeId.slice(0, 12)}, which is no longer in the swarm.`, hint: 'Its container went with the node.' };
  if (node.id === localNodeId) return { kind: 'current', containerId: task.containerId, node };
  const where = `node ${node.hostname}${node.address ? ` (address ${node.address})` : ''}`;
  if (node.state !== 'ready') {
    return { kind: 'none', message: `Task ${slot} ran on ${where}, which is ${node.state}.`, hint: 'Its container can be read once the node is back.' };
  }
  const entry = engineForNode(node, entries);
  if (entry) return { kind: 'engine', containerId: task.containerId, node, entry };
  const reach = node.address ?? node.hostname;
  const host = reach.includes(':') ? `[${reach}]` : reach;
  return {
    kind: 'none',
    message: `Task ${slot}'s container is on ${where}, and no engine of the Engines view reaches that node.`,
    hint: `Add the node as an engine: Engines view, "Add Engine..." with tcp://${host}:2376 (TLS) or ssh://<user>@${host}, then try again.`,
  };
}

/**
 * Where one task's container is, for removing it after its service: the engine in use, an
 * Engines view entry reaching its node, or nowhere we can reach (`reason` says why).
 */
export interface TaskContainerPlace {
  containerId: string;
  slot?: number;
  /** the node's hostname and address as the user knows them, e.g. "mllab-gpu-worker (10.231.42.2)" */
  where: string;
  route: { kind: 'current' } | { kind: 'engine'; entry: EngineEntry & { connection: ResolvedConnection } } | { kind: 'none'; reason: string };
}

/**
 * The containers a service's tasks left on their nodes, and how each can be reached. Docker keeps
 * a finished job's task containers after `DELETE /services/{id}` (checked on Docker 20.10: exited
 * job containers were still on both nodes 60 s later), so removing the service does not remove them.
 * Tasks that never got a container (pending, rejected) are not listed.
 * @param localNodeId the engine in use's own node (`GET /info` Swarm.NodeID)
 */
export function taskContainerPlaces(tasks: readonly SwarmTask[], nodes: readonly SwarmNode[], localNodeId: string | undefined, entries: readonly EngineEntry[]): TaskContainerPlace[] {
  return tasks
    .filter((t) => t.containerId && t.nodeId)
    .map((t): TaskContainerPlace => {
      const node = nodes.find((n) => n.id === t.nodeId);
      const base = { containerId: t.containerId as string, ...(t.slot !== undefined ? { slot: t.slot } : {}) };
      if (!node) return { ...base, where: `node ${(t.nodeId ?? '').slice(0, 12)}`, route: { kind: 'none', reason: 'the node is no longer in the swarm' } };
      const where = `${node.hostname}${node.address ? ` (${node.address})` : ''}`;
      if (node.id === localNodeId) return { ...base, where, route: { kind: 'current' } };
      if (node.state !== 'ready') return { ...base, where, route: { kind: 'none', reason: `the node is ${node.state}` } };
      const entry = engineForNode(node, entries);
      return entry ? { ...base, where, route: { kind: 'engine', entry } } : { ...base, where, route: { kind: 'none', reason: 'no engine of the Engines view reaches the node' } };
    });
}

/** The container calls removing a task container needs (an Engine's). */
export interface ContainerRemover {
  removeContainer(id: string, options: { force?: boolean }): Promise<void>;
}

/** What became of each task container: removed (or already gone), or still on its node and why. */
export interface TaskContainerRemoval {
  removed: TaskContainerPlace[];
  stayed: Array<{ place: TaskContainerPlace; reason: string }>;
}

/**
 * Removes each reachable task container (force: a task still running is stopped) through the
 * engine `engineFor` gives for its place; a container already gone (`notFound`) counts as removed.
 * Never throws: each failure stays with its place and reason.
 * @param engineFor the engine in use for `current`, an engine for the entry for `engine`
 * @param isGone whether an error means the container no longer exists
 */
export async function removeTaskContainers(
  places: readonly TaskContainerPlace[],
  engineFor: (place: TaskContainerPlace) => ContainerRemover,
  isGone: (err: unknown) => boolean,
): Promise<TaskContainerRemoval> {
  const result: TaskContainerRemoval = { removed: [], stayed: [] };
  for (const place of places) {
    if (place.route.kind === 'none') {
      result.stayed.push({ place, reason: place.route.reason });
      continue;
    }
    try {
      await engineFor(place).removeContainer(place.containerId, { force: true });
      result.removed.push(place);
    } catch (err) {
      if (isGone(err)) result.removed.push(place);
      else result.stayed.push({ place, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return result;
}

/**
 * The sentence after Remove Service: how many task containers went, and each one that stays,
 * with its node and why, e.g. "Removed service train and its 3 task containers. 1 stays:
 * container 0123456789ab (slot 1) on mllab-gpu-worker (10.231.42.2): no engine of the Engines
 * view reaches the node."
 */
export function describeTaskContainerRemoval(service: string, r: TaskContainerRemoval): string {
  const n = r.removed.length;
  const first = `Removed service ${service}${n ? ` and its ${n} task container${n === 1 ? '' : 's'}` : ''}.`;
  if (!r.stayed.length) return first;
  const lines = r.stayed.map(({ place, reason }) => `container ${place.containerId.slice(0, 12)}${place.slot !== undefined ? ` (slot ${place.slot})` : ''} on ${place.where}: ${reason}`);
  return `${first} ${r.stayed.length} task container${r.stayed.length === 1 ? ' stays' : 's stay'}: ${lines.join('; ')}.`;
}
