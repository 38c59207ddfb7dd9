/**
 * Tree node models for the Swarm view: a "Nodes" group (hostname, role,
 * availability, state, labels, GPU generic resources, engine version) and a "Services" group
 * (each service with its tasks: slot, node, state, exit code, and the engine's reason when a
 * task waits or failed). Tags: `swarmNode;manager|worker;`, `swarmService;job;mllab;`,
 * `swarmTask;<state>;`.
 */
import type { NodeModel } from '../tree/models';
import { formatBytes } from '../format';
import { jobProgress, nodeIsUp, tasksOf, viewTask, TERMINAL_TASK_STATES, type SwarmNode, type SwarmService, type SwarmTask } from './model';
import { CREATED_BY_LABEL } from '../ids';
import { taskHasArtifacts } from './taskEngine';

/** `NVIDIA-GPU gpu0`, `NVIDIA-GPU 2`: a node's generic resources for people. */
export function describeGeneric(n: SwarmNode): string {
  return n.generic.map((g) => `${g.kind} ${g.value}`).join(', ');
}

/** One row per node, managers first: `worker · active · ready · gpu=true · NVIDIA-GPU gpu0 · Docker 20.10.24`. */
export function swarmNodes(nodes: readonly SwarmNode[]): NodeModel[] {
  return nodes.map((n): NodeModel => {
    const labelText = Object.entries(n.labels).map(([k, v]) => `${k}=${v}`).join(', ');
    const gpus = describeGeneric(n);
    const up = n.state === 'ready';
    return {
      kind: 'swarmNode',
      id: `swarm:node:${n.id}`,
      label: n.hostname,
      description: [`${n.role}${n.leader ? ' (leader)' : ''}`, n.availability, n.state, ...(labelText ? [labelText] : []), ...(gpus ? [gpus] : []), `Docker ${n.engineVersion}`].join(' · '),
      tooltip: [
        `Node ${n.hostname} (${n.id.slice(0, 12)})`,
        `Role: ${n.role}${n.leader ? ', leader' : ''}`,
        `Availability: ${n.availability}`,
        `State: ${n.state}${up ? '' : ': tasks placed there cannot report their outcome'}`,
        ...(n.address ? [`Address: ${n.address}`] : []),
        `Resources: ${n.cpus} CPUs, ${formatBytes(n.memoryBytes)}${gpus ? `, ${gpus}` : ''}`,
        `Labels: ${labelText || 'none'}`,
        `Engine: Docker ${n.engineVersion}`,
      ].join('\n'),
      iconId: n.role === 'manager' ? 'server-environment' : 'server',
      iconColor: up ? (n.availability === 'active' ? 'charts.green' : 'charts.yellow') : 'charts.red',
      contextValue: `swarmNode;${n.role};${up ? 'up;' : 'down;'}`,
      ref: n.id,
      searchText: `${n.role} ${n.state} ${labelText} ${gpus}`,
    };
  });
}

const taskIcons: Record<string, { icon: string; color?: string }> = {
  complete: { icon: 'pass', color: 'charts.green' },
  running: { icon: 'sync~spin', color: 'charts.blue' },
  failed: { icon: 'error', color: 'charts.red' },
  rejected: { icon: 'error', color: 'charts.red' },
  pending: { icon: 'watch', color: 'charts.yellow' },
};

/** Task rows of one service: `slot 1` — `worker-1 · complete · exit 0` (or the reason it waits). */
export function swarmTaskNodes(service: SwarmService, tasks: readonly SwarmTask[], nodes: readonly SwarmNode[]): NodeModel[] {
  return tasksOf(service.id, tasks).map((t): NodeModel => {
    const v = viewTask(t, nodes);
    const icon = v.nodeDown ? { icon: 'warning', color: 'charts.red' } : taskIcons[t.state] ?? { icon: TERMINAL_TASK_STATES.has(t.state) ? 'circle-slash' : 'loading~spin' };
    const exit = t.exitCode !== undefined && TERMINAL_TASK_STATES.has(t.state) ? `exit ${t.exitCode}` : '';
    return {
      kind: 'swarmTask',
      id: `swarm:task:${t.id}`,
      label: service.mode.startsWith('global') ? v.node ?? 'no node yet' : `slot ${t.slot ?? '?'}`,
      description: [v.node ?? 'no node yet', t.state, ...(exit ? [exit] : []), ...(v.problem ? [v.problem] : [])].join(' · '),
      tooltip: [
        `Task ${t.id.slice(0, 12)} of ${service.name}`,
        `Node: ${v.node ?? 'none assigned'}`,
        `State: ${t.state} (desired: ${t.desiredState})`,
        ...(exit ? [`Exit code: ${t.exitCode}`] : []),
        ...(t.assigned.length ? [`Assigned: ${t.assigned.map((g) => `${g.kind} ${g.value}`).join(', ')}`] : []),
        ...(v.problem ? [`Why: ${v.problem}`] : []),
        ...(t.message ? [`Engine message: ${t.message}`] : []),
        ...(t.timestamp ? [`Since: ${t.timestamp}`] : []),
      ].join('\n'),
      iconId: icon.icon,
      iconColor: icon.color,
      // artifacts;: Download Artifacts reads its container through the node's engine (src/core/swarm/taskEngine.ts)
      contextValue: `swarmTask;${t.state};${v.nodeDown ? 'nodeDown;' : taskHasArtifacts(t) && nodeIsUp(nodes.find((n) => n.id === t.nodeId)) ? 'artifacts;' : ''}`,
      ref: t.id,
    };
  });
}

/** One row per service (newest first) with its tasks as children. */
export function swarmServiceNodes(services: readonly SwarmService[], tasks: readonly SwarmTask[], nodes: readonly SwarmNode[]): NodeModel[] {
  return services.map((s): NodeModel => {
    const own = tasksOf(s.id, tasks);
    const isJob = s.mode === 'replicated-job';
    let state: string;
    if (isJob) {
      const p = jobProgress(own, nodes, s.totalCompletions);
      state = `${p.completed}/${s.totalCompletions} complete${p.failed ? ` · ${p.failed} failed` : ''}${p.lost ? ` · ${p.lost} on a node that is down` : ''}${p.waiting.length ? ` · ${p.waiting.length} waiting` : ''}`;
    } else {
      state = `${own.filter((t) => t.state === 'running').length} running`;
    }
    return {
      kind: 'swarmService',
      id: `swarm:service:${s.id}`,
      label: s.name,
      description: [s.mode, state, s.image.replace(/@sha256:([0-9a-f]{12})[0-9a-f]+$/, '@sha256:$1…')].join(' · '),
      tooltip: [`Service ${s.name} (${s.id.slice(0, 12)})`, `Mode: ${s.mode}${isJob ? ` (${s.totalCompletions} completions, ${s.maxConcurrent} at once)` : ''}`, `Image: ${s.image}`, `Created: ${s.createdAt}`].join('\n'),
      iconId: isJob ? 'run-all' : 'layers',
      contextValue: `swarmService;${isJob ? 'job;' : ''}${s.labels[CREATED_BY_LABEL] ? 'mllab;' : ''}`,
      ref: s.id,
      children: swarmTaskNodes(s, own, nodes),
      expanded: true,
      created: Date.parse(s.createdAt) || 0,
      searchText: `${s.image} ${s.mode}`,
    };
  });
}

/** The whole view: Nodes and Services groups. */
export function swarmTree(nodes: readonly SwarmNode[], services: readonly SwarmService[], tasks: readonly SwarmTask[]): NodeModel[] {
  return [
    { kind: 'swarmGroup', id: 'swarm:nodes', label: 'Nodes', description: `${nodes.length}`, iconId: 'server-process', contextValue: 'swarmGroup;nodes;', children: swarmNodes(nodes), expanded: true },
    {
      kind: 'swarmGroup', id: 'swarm:services', label: 'Services', description: services.length ? `${services.length}` : 'none yet: Run Profile on Swarm...',
      iconId: 'layers', contextValue: 'swarmGroup;services;', children: swarmServiceNodes(services, tasks, nodes), expanded: true,
    },
  ];
}
