/** Start, stop and remove a container, from the tree (its node), the palette (a picker), or code (`{id}`). */
import * as vscode from 'vscode';
import type { CommandContext } from '../context';
import { pickContainer, refFromArg } from '../pick';
import type { ContainerState } from '../../../core/engineTypes';

async function target(ctx: CommandContext, arg: unknown, title: string, states?: ContainerState[]): Promise<{ id: string; name: string; state?: ContainerState } | undefined> {
  const id = refFromArg(arg, 'id');
  if (id) {
    const c = (await ctx.session.get().listContainers()).find((x) => x.id === id || x.name === id);
    return c ? { id: c.id, name: c.name, state: c.state } : { id, name: id };
  }
  return pickContainer(ctx, title, states);
}

export async function startContainer(ctx: CommandContext, arg?: unknown): Promise<void> {
  const c = await target(ctx, arg, 'Start Container', ['created', 'exited']);
  if (!c) return;
  await ctx.session.get().startContainer(c.id);
  ctx.views.containers.refresh();
}

export async function stopContainer(ctx: CommandContext, arg?: unknown): Promise<void> {
  const c = await target(ctx, arg, 'Stop Container', ['running', 'paused', 'restarting']);
  if (!c) return;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Stopping ${c.name}` }, () =>
    ctx.session.get().stopContainer(c.id),
  );
  ctx.views.containers.refresh();
}

/** Asks first, naming the container; a running container is stopped and removed (force). */
export async function removeContainer(ctx: CommandContext, arg?: unknown): Promise<boolean> {
  const c = await target(ctx, arg, 'Remove Container');
  if (!c) return false;
  const running = c.state === 'running' || c.state === 'paused' || c.state === 'restarting';
  const choice = await vscode.window.showWarningMessage(
    `Remove container ${c.name}?`,
    {
      modal: true,
      detail: `${running ? 'It is running and will be stopped. ' : ''}Files it wrote outside volumes and bind mounts are lost; named volumes are kept.`,
    },
    'Remove',
  );
  if (choice !== 'Remove') return false;
  await ctx.session.get().removeContainer(c.id, { force: running });
  ctx.views.containers.refresh();
  return true;
}
