/**
 * Docker Swarm objects as the extension sees them: nodes, services and tasks, read
 * from the Engine API (`GET /nodes`, `GET /services`, `GET /tasks`, engine API 1.41), and the
 * pure logic on them: which node a task runs on, why a task waits, whether a job has ended,
 * and the prefix of a service log line. src/engine/swarm.ts makes these from the API's JSON.
 * Source of the states: the Engine API reference (TaskState: new, allocated, pending,
 * assigned, accepted, preparing, ready, starting, running, complete, shutdown, failed,
 * rejected, remove, orphaned; NodeState: unknown, down, ready, disconnected).
 */

/** A generic resource a node advertises (`dockerd --node-generic-resource NVIDIA-GPU=gpu0`) or a task reserves. */
export interface GenericResource {
  /** e.g. "NVIDIA-GPU" */
  kind: string;
  /** a named resource's id ("gpu0") or a discrete count (2) */
  value: string | number;
}

export interface SwarmNode {
  id: string;
  hostname: string;
  role: 'manager' | 'worker';
  /** the manager the others follow */
  leader: boolean;
  /** whether the scheduler may place tasks there: active, pause or drain */
  availability: string;
  /** Status.State: ready, down, unknown, disconnected */
  state: string;
  /** Status.Addr, e.g. 10.231.42.2 */
  address?: string;
  /** Spec.Labels: the labels placement constraints read (`node.labels.gpu == true`) */
  labels: Record<string, string>;
  /** Description.Engine.EngineVersion, e.g. "20.10.24+dfsg1" */
  engineVersion: string;
  /** Description.Resources.GenericResources */
  generic: GenericResource[];
  /** Description.Resources.NanoCPUs / 1e9 */
  cpus: number;
  /** Description.Resources.MemoryBytes */
  memoryBytes: number;
}

export interface SwarmService {
  id: string;
  name: string;
  /** replicated, global, replicated-job or global-job */
  mode: string;
  /** Spec.TaskTemplate.ContainerSpec.Image (with its digest when the service was created with one) */
  image: string;
  labels: Record<string, string>;
  /** replicated jobs: how many tasks must complete */
  totalCompletions?: number;
  /** replicated jobs: how many run at once */
  maxConcurrent?: number;
  /** replicated services: replicas */
  replicas?: number;
  /** ISO time */
  createdAt: string;
}

export interface SwarmTask {
  id: string;
  serviceId: string;
  /** replicated services and jobs: 1, 2, ... */
  slot?: number;
  /** undefined while no node is assigned (pending) */
  nodeId?: string;
  /** Status.State */
  state: string;
  /** DesiredState */
  desiredState: string;
  /** Status.Message, e.g. "pending task scheduling" */
  message: string;
  /** Status.Err, e.g. "no suitable node (insufficient resources on 2 nodes)" */
  error?: string;
  /** Status.ContainerStatus.ExitCode, once the container exited */
  exitCode?: number;
  containerId?: string;
  /** AssignedGenericResources: what the scheduler gave the task on its node, e.g. NVIDIA-GPU gpu0 */
  assigned: GenericResource[];
  /** Status.Timestamp, ISO time of the last state change */
  timestamp: string;
}

/** Task states after which a task never runs again (Engine API TaskState). */
export const TERMINAL_TASK_STATES: ReadonlySet<string> = new Set(['complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned']);

/** Whether the node can take and report work: not down, disconnected or unknown. */
export function nodeIsUp(n: SwarmNode | undefined): boolean {
  return n !== undefined && n.state === 'ready';
}

/** The task's line for people: "slot 2 · worker-1 · complete · exit 0" plus the error or why it waits. */
export interface TaskView {
  task: SwarmTask;
  /** node hostname, or undefined while unassigned */
  node?: string;
  /** the node is known to be down (or disconnected): the task's outcome is unknown */
  nodeDown: boolean;
  /** why the task waits or failed, when the engine says: Status.Err, else a message that is not routine */
  problem?: string;
}

const ROUTINE_MESSAGES = /^(created|pending task scheduling|assigned|accepted|preparing|starting|started|finished|running|shutdown|removing)$/i;

/** The task as a row: its node's hostname, whether that node is down, and the problem the engine reports. */
export function viewTask(task: SwarmTask, nodes: readonly SwarmNode[]): TaskView {
  const node = nodes.find((n) => n.id === task.nodeId);
  const nodeDown = node !== undefined && !nodeIsUp(node) && !TERMINAL_TASK_STATES.has(task.state);
  let problem = task.error;
  if (!problem && task.message && !ROUTINE_MESSAGES.test(task.message.trim())) problem = task.message;
  if (nodeDown) problem = `node ${node.hostname} is ${node.state}: the task's outcome is unknown${problem ? ` (${problem})` : ''}`;
  return { task, node: node?.hostname ?? (task.nodeId ? task.nodeId.slice(0, 12) : undefined), nodeDown, problem };
}

/** The tasks of one service, the current attempt of each slot first (newest first), as Docker's CLI lists them. */
export function tasksOf(serviceId: string, tasks: readonly SwarmTask[]): SwarmTask[] {
  return tasks
    .filter((t) => t.serviceId === serviceId)
    .sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0) || b.timestamp.localeCompare(a.timestamp));
}

/** Where a replicated job stands, from its tasks. */
export interface JobProgress {
  /** tasks that completed (exit 0) */
  completed: number;
  /** tasks that failed, were rejected or shut down */
  failed: number;
  /** tasks still pending, starting or running on a node that is up */
  active: number;
  /** tasks that are not finished but whose node is down: their outcome is unknown */
  lost: number;
  /** the job is over: every wanted completion done, or nothing left that can still run */
  done: boolean;
  /** pending tasks with the engine's reason (e.g. "no suitable node (insufficient resources on 2 nodes)") */
  waiting: TaskView[];
}

/**
 * How far a replicated job (`Mode.ReplicatedJob`) has come. The job is done when `completed`
 * reaches `totalCompletions`, or when no task can still run (every task finished, failed or is
 * on a node that is down) and at least as many tasks were made as can run at once: with
 * `RestartPolicy.Condition: none` the engine does not replace a failed task.
 * @param totalCompletions the service's TotalCompletions (default 1)
 */
export function jobProgress(tasks: readonly SwarmTask[], nodes: readonly SwarmNode[], totalCompletions = 1): JobProgress {
  let completed = 0;
  let failed = 0;
  let active = 0;
  let lost = 0;
  const waiting: TaskView[] = [];
  for (const t of tasks) {
    const v = viewTask(t, nodes);
    if (t.state === 'complete') completed++;
    else if (TERMINAL_TASK_STATES.has(t.state)) failed++;
    else if (v.nodeDown) lost++;
    else {
      active++;
      if (['new', 'allocated', 'pending', 'assigned'].includes(t.state) && v.problem) waiting.push(v);
    }
  }
  const done = completed >= totalCompletions || (tasks.length > 0 && active === 0);
  return { completed, failed, active, lost, done, waiting };
}

/** Short lines of every task's outcome, for the end-of-job notification: "slot 1 on worker: exit 0". */
export function taskOutcomes(tasks: readonly SwarmTask[], nodes: readonly SwarmNode[]): string[] {
  return [...tasks]
    .sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0) || a.timestamp.localeCompare(b.timestamp))
    .map((t) => {
      const v = viewTask(t, nodes);
      const where = `slot ${t.slot ?? '?'} on ${v.node ?? 'no node'}`;
      if (v.nodeDown) return `${where}: node down, outcome unknown`;
      if (t.exitCode !== undefined && TERMINAL_TASK_STATES.has(t.state)) return `${where}: exit ${t.exitCode}${t.state === 'complete' ? '' : ` (${t.state})`}`;
      return `${where}: ${t.state}${v.problem ? ` (${v.problem})` : ''}`;
    });
}

/**
 * Splits one line of `GET /services/{id}/logs?details=true` into the task it came from and
 * its text. The engine puts the log's attributes before the text, comma-separated and
 * URL-query-escaped, then a space: `com.docker.swarm.node.id=N,com.docker.swarm.service.id=S,com.docker.swarm.task.id=T text`
 * (docker/cli cli/command/service/logs.go parses the same form).
 * @returns undefined ids when the line has no such prefix (then `text` is the whole line)
 */
export function splitServiceLogLine(line: string): { taskId?: string; nodeId?: string; text: string } {
  const m = /^((?:[a-z0-9._-]+=[^,\s]*,?)+) (.*)$/s.exec(line);
  if (!m || !m[1].includes('com.docker.swarm.')) return { text: line };
  const attrs = new Map<string, string>();
  for (const kv of m[1].split(',')) {
    const eq = kv.indexOf('=');
    if (eq > 0) attrs.set(kv.slice(0, eq), decodeURIComponent(kv.slice(eq + 1)));
  }
  return { taskId: attrs.get('com.docker.swarm.task.id'), nodeId: attrs.get('com.docker.swarm.node.id'), text: m[2] };
}

/**
 * The prefix a merged service log line gets: `[slot 2 @ worker-1] ` (task slot and node
 * hostname), from the ids `splitServiceLogLine` found; ids not known (yet) show shortened.
 */
export function logLinePrefix(ids: { taskId?: string; nodeId?: string }, tasks: readonly SwarmTask[], nodes: readonly SwarmNode[]): string {
  if (!ids.taskId && !ids.nodeId) return '';
  const task = tasks.find((t) => t.id === ids.taskId);
  const nodeId = ids.nodeId ?? task?.nodeId;
  const node = nodes.find((n) => n.id === nodeId);
  const slot = task?.slot !== undefined ? `slot ${task.slot}` : `task ${(ids.taskId ?? '?').slice(0, 12)}`;
  return `[${slot} @ ${node?.hostname ?? (nodeId ?? '?').slice(0, 12)}] `;
}
