/**
 * "Download Artifacts from Task...": Download Artifacts (src/ui/shared/transfer.ts)
 * from a finished Swarm task's container, which lives on the node that ran it. Through the
 * engine in use when that is the task's node, else through the Engines view entry that reaches
 * the node (src/core/swarm/taskEngine.ts); when none does, says which node, its address, and
 * offers Add Engine. From a task row of the Swarm view, the job's end notification
 * (`{serviceId}`: asks which task when several finished), or the palette.
 */
import * as vscode from 'vscode';
import { nodeConnectionInputs } from '../../core/connection';
import { listEngines } from '../../core/contexts';
import { UserError } from '../../core/errors';
import { CommandIds } from '../../core/ids';
import type { NodeModel } from '../../core/tree/models';
import { taskOutcomes, type SwarmTask } from '../../core/swarm/model';
import { routeToTaskContainer, taskHasArtifacts } from '../../core/swarm/taskEngine';
import type { ConflictChoice, DownloadResult } from '../../engine/engine';
import { config } from '../base/config';
import { log } from '../base/log';
import type { CommandContext } from '../shared/context';
import { downloadArtifacts } from '../shared/transfer';

/** Programmatic arguments: the task (or the service to pick one of), and the answers to Download Artifacts' prompts. */
export interface TaskArtifactsArgs {
  taskId?: string;
  serviceId?: string;
  containerPath?: string;
  localPath?: string;
  onExisting?: ConflictChoice;
}

export async function downloadTaskArtifacts(ctx: CommandContext, arg?: unknown): Promise<DownloadResult | undefined> {
  const row = arg as Partial<NodeModel> | undefined;
  const args: TaskArtifactsArgs = row?.kind === 'swarmTask' ? { taskId: row.ref } : row && typeof row === 'object' && !row.kind ? (arg as TaskArtifactsArgs) : {};
  const engine = ctx.session.get();
  const [tasks, nodes, info, services] = await Promise.all([engine.listTasks(args.serviceId), engine.listNodes(), engine.info(), engine.listServices()]);
  const serviceName = (t: SwarmTask) => services.find((s) => s.id === t.serviceId)?.name ?? t.serviceId.slice(0, 12);
  let task: SwarmTask | undefined;
  if (args.taskId) {
    task = tasks.find((t) => t.id === args.taskId);
    if (!task) throw new UserError(`Task ${args.taskId.slice(0, 12)} is no longer in the swarm.`, { hint: 'Its service was removed, and its containers with it.' });
  } else {
    const finished = tasks.filter(taskHasArtifacts).sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0));
    if (!finished.length) throw new UserError('No finished Swarm task has a container to download from.', { hint: 'Download Artifacts works once a task is complete or failed, until its service is removed.' });
    if (finished.length === 1) task = finished[0];
    else {
      const outcomes = taskOutcomes(finished, nodes);
      const picked = await vscode.window.showQuickPick(
        finished.map((t, i) => ({ label: `${serviceName(t)} slot ${t.slot ?? '?'}`, description: outcomes[i]?.replace(/^slot \S+ /, ''), t })),
        { title: 'Download Artifacts from which task?' },
      );
      task = picked?.t;
    }
  }
  if (!task) return undefined;
  const route = routeToTaskContainer(task, nodes, info.swarmNodeId, listEngines(nodeConnectionInputs(config.dockerHost(), config.engineContext())));
  if (route.kind === 'none') {
    const add = 'Add Engine...';
    void vscode.window.showWarningMessage(`${route.message} ${route.hint}`, ...(/Add Engine/.test(route.hint) ? [add] : [])).then((choice) => {
      if (choice === add) void vscode.commands.executeCommand(CommandIds.engineAdd);
    });
    return undefined;
  }
  const session = route.kind === 'current' ? ctx.session : ctx.session.forEngine(route.entry.label, `of node ${route.node.hostname}`);
  log().info(`Download Artifacts: ${serviceName(task)} slot ${task.slot ?? '?'} ran on node ${route.node.hostname}; its container ${route.containerId.slice(0, 12)} is read through ${session.describe()}`);
  return downloadArtifacts({ ...ctx, session }, { id: route.containerId, containerPath: args.containerPath, localPath: args.localPath, onExisting: args.onExisting });
}
