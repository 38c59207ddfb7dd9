/**
 * Following a Swarm job: its tasks are polled until the job is over
 * (src/core/swarm/model.ts `jobProgress`), every task's output is merged in one terminal with
 * each line prefixed by task slot and node hostname, a task that waits says why (once per
 * reason), and the end is one notification with every task's exit code.
 */
import * as vscode from 'vscode';
import type { Engine } from '../../engine/engine';
import { jobProgress, logLinePrefix, splitServiceLogLine, taskOutcomes, TERMINAL_TASK_STATES, type JobProgress, type SwarmNode, type SwarmTask } from '../../core/swarm/model';
import { CommandIds } from '../../core/ids';
import { taskHasArtifacts } from '../../core/swarm/taskEngine';
import type { CommandContext } from '../shared/context';
import { openLogsTerminal } from '../shared/logsTerminal';
import { log } from '../base/log';

/** How often the job's tasks are asked for, in ms. */
const POLL_MS = 1_000;
/** After the job is over, how long the log stream may still deliver the last lines, in ms. */
const DRAIN_MS = 1_500;

export interface JobEnd {
  tasks: SwarmTask[];
  nodes: SwarmNode[];
  progress: JobProgress;
  /** one line per task: "slot 0 on worker-1: exit 0" */
  outcomes: string[];
}

/**
 * Polls the job until it is over; `onWaiting` hears each new reason a task waits. Resolves
 * undefined when the service was removed meanwhile (its tasks went) or `signal` aborted.
 */
export async function watchJob(
  engine: Engine,
  serviceId: string,
  totalCompletions: number,
  onWaiting: (text: string) => void,
  signal: AbortSignal,
): Promise<JobEnd | undefined> {
  const said = new Set<string>();
  let seenTasks = false;
  while (!signal.aborted) {
    try {
      const [tasks, nodes] = await Promise.all([engine.listTasks(serviceId), engine.listNodes()]);
      if (tasks.length) seenTasks = true;
      else if (seenTasks) return undefined; // removed
      const progress = jobProgress(tasks, nodes, totalCompletions);
      for (const w of progress.waiting) {
        const text = `slot ${w.task.slot ?? '?'} waits: ${w.problem}`;
        if (!said.has(text)) {
          said.add(text);
          onWaiting(text);
        }
      }
      for (const t of tasks) {
        const down = nodes.find((n) => n.id === t.nodeId && n.state !== 'ready');
        const text = down && !TERMINAL_TASK_STATES.has(t.state) ? `slot ${t.slot ?? '?'}: node ${down.hostname} is ${down.state}` : '';
        if (text && !said.has(text)) {
          said.add(text);
          onWaiting(text);
        }
      }
      if (progress.done) return { tasks, nodes, progress, outcomes: taskOutcomes(tasks, nodes) };
    } catch (err) {
      log().warn(`Swarm job ${serviceId}: ${String(err)}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return undefined;
}

/**
 * Opens the job's log terminal and watches it to its end, then shows one notification with
 * every task's outcome (unless `notify` is false: View Service Logs of a job that already ended).
 * Returns the job's end (undefined when removed or the window closes).
 */
export function followJob(ctx: CommandContext, engine: Engine, service: { id: string; name: string; totalCompletions: number }, options: { showLogs?: boolean; notify?: boolean } = {}): Promise<JobEnd | undefined> {
  const stop = new AbortController();
  ctx.extension.subscriptions.push({ dispose: () => stop.abort() });
  const listeners = new Set<(text: string) => void>();
  const ended = watchJob(engine, service.id, service.totalCompletions, (text) => {
    for (const l of listeners) l(`\x1b[33m[${text}]\x1b[0m\n`);
  }, stop.signal);

  if (options.showLogs !== false) {
    openLogsTerminal(ctx, service.id, service.name, [], async (onText, signal) => {
      listeners.add(onText);
      const logStop = new AbortController();
      signal.addEventListener('abort', () => logStop.abort(), { once: true });
      // Ids -> slot and hostname: the tasks and nodes of the latest poll, asked again for an unknown id.
      let tasks: SwarmTask[] = [];
      let nodes: SwarmNode[] = [];
      const known = async (taskId?: string) => {
        if (taskId && !tasks.some((t) => t.id === taskId)) [tasks, nodes] = await Promise.all([engine.listTasks(service.id), engine.listNodes()]);
      };
      let queue = Promise.resolve();
      const following = engine.serviceLogs(service.id, (line) => {
        const parts = splitServiceLogLine(line);
        queue = queue.then(() => known(parts.taskId)).catch(() => undefined).then(() => onText(`${logLinePrefix(parts, tasks, nodes)}${parts.text}\n`));
      }, { follow: true, signal: logStop.signal });
      // The terminal closed: stop here (the job is still watched for its notification).
      const closed = new Promise<'closed'>((resolve) => signal.addEventListener('abort', () => resolve('closed'), { once: true }));
      const end = await Promise.race([ended, following.then(() => ended), closed]);
      if (end === 'closed') {
        listeners.delete(onText);
        return;
      }
      await new Promise((r) => setTimeout(r, DRAIN_MS));
      logStop.abort();
      await following.catch(() => undefined);
      await queue;
      listeners.delete(onText);
      if (end) onText(`\n${end.outcomes.map((o) => `  ${o}`).join('\n')}\n`);
    }, `Swarm job ${service.name}: end of logs`);
  }

  void ended.then(async (end) => {
    ctx.swarm?.refresh();
    if (!end || options.notify === false) return;
    const failed = end.progress.failed + end.progress.lost > 0;
    const text = `Swarm job ${service.name} ${failed ? 'ended with problems' : 'finished'}: ${end.outcomes.join('; ')}.`;
    const remove = 'Remove Service';
    // Download Artifacts reads a finished task's container on its node (src/ui/swarm/taskArtifacts.ts).
    const download = 'Download Artifacts';
    const buttons = end.tasks.some(taskHasArtifacts) ? [download, remove] : [remove];
    const choice = failed ? await vscode.window.showWarningMessage(text, ...buttons) : await vscode.window.showInformationMessage(text, ...buttons);
    if (choice === remove) await vscode.commands.executeCommand(CommandIds.serviceRemove, { id: service.id, name: service.name });
    if (choice === download) await vscode.commands.executeCommand(CommandIds.swarmTaskDownloadArtifacts, { serviceId: service.id });
  });
  return ended;
}
