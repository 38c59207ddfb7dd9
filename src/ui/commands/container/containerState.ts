/**
 * Container lifecycle: start, stop, restart, pause, unpause, remove. Each takes the container
 * from the tree (its node), from code (`{id}` or an id/name string), or asks with a picker.
 */
import * as vscode from 'vscode';
import type { CommandContext } from '../context';
import { containerTarget } from '../pick';
import type { ContainerState } from '../../../core/engineTypes';
import type { Engine } from '../../../engine/engine';

/** Makes a lifecycle command: pick (among `states`), call the engine with progress, refresh. */
function lifecycle(title: string, states: ContainerState[], act: (engine: Engine, id: string) => Promise<void>) {
  return async (ctx: CommandContext, arg?: unknown): Promise<void> => {
    const c = await containerTarget(ctx, arg, title, states);
    if (!c) return;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `${title}: ${c.name}` }, () => act(ctx.session.get(), c.id));
    ctx.views.containers.refresh();
  };
}

export const startContainer = lifecycle('Start Container', ['created', 'exited', 'dead'], (e, id) => e.startContainer(id));
export const stopContainer = lifecycle('Stop Container', ['running', 'paused', 'restarting'], (e, id) => e.stopContainer(id));
export const restartContainer = lifecycle('Restart Container', ['running', 'paused', 'exited', 'created'], (e, id) => e.restartContainer(id));
export const pauseContainer = lifecycle('Pause Container', ['running'], (e, id) => e.pauseContainer(id));
export const unpauseContainer = lifecycle('Unpause Container', ['paused'], (e, id) => e.unpauseContainer(id));

/** Asks first, naming the container; a running container is stopped and removed (force). */
export async function removeContainer(ctx: CommandContext, arg?: unknown): Promise<boolean> {
  const c = await containerTarget(ctx, arg, 'Remove Container');
  if (!c) return false;
  const running = c.state === 'running' || c.state === 'paused' || c.state === 'restarting';
  const choice = await vscode.window.showWarningMessage(
    `Remove container ${c.name}?`,
    {
      modal: true,
      detail: `${running ? 'It is running and will be stopped first. ' : ''}Files it wrote outside volumes and bind mounts are lost; named volumes are kept.`,
    },
    'Remove',
  );
  if (choice !== 'Remove') return false;
  await ctx.session.get().removeContainer(c.id, { force: running });
  ctx.views.containers.refresh();
  return true;
}

/** Copies the full container id to the clipboard. */
export async function copyContainerId(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const c = await containerTarget(ctx, arg, 'Copy Container Id');
  if (!c) return undefined;
  await vscode.env.clipboard.writeText(c.id);
  void vscode.window.showInformationMessage(`Copied the id of ${c.name}.`);
  return c.id;
}
