/**
 * Container lifecycle: start, stop, restart, pause, unpause, remove. Each takes the container
 * from the tree (its node), from code (`{id}` or an id/name string), or asks with a picker.
 * Start, stop, restart and remove also take several selected rows (see src/core/bulk.ts): they
 * act on each, with one progress notification, and name each container that failed and why.
 */
import * as vscode from 'vscode';
import type { CommandContext } from '../shared/context';
import { containerTarget, refFromArg } from '../shared/pick';
import type { ContainerState, ContainerSummary } from '../../core/engineTypes';
import type { Engine } from '../../engine/engine';
import { CommandIds } from '../../core/ids';
import { listForConfirmation, type BulkFailure, type BulkOutcome } from '../../core/bulk';
import { actOnEach, reportOutcome, selectedRows } from '../shared/bulk';

interface Lifecycle {
  commandId: string;
  title: string;
  verb: string;
  verbPast: string;
  /** the states the action applies to */
  states: ContainerState[];
  act: (engine: Engine, id: string) => Promise<void>;
}

/**
 * The selected rows' containers, from one listing: those gone since the view listed them are
 * failures ("it no longer exists"), those in no state of `states` are left alone.
 */
async function selectedContainers(ctx: CommandContext, rows: unknown[], states?: ContainerState[]): Promise<{ containers: ContainerSummary[]; failed: BulkFailure[]; skipped: BulkFailure[] }> {
  const all = await ctx.session.get().listContainers();
  const containers: ContainerSummary[] = [];
  const failed: BulkFailure[] = [];
  const skipped: BulkFailure[] = [];
  for (const row of rows) {
    const id = refFromArg(row, 'id');
    if (!id) continue; // not a container row (a port or mount row selected with them)
    const c = all.find((x) => x.id === id || x.name === id);
    const name = c?.name ?? (row as { label?: string }).label ?? id;
    if (!c) failed.push({ name, reason: 'it no longer exists' });
    else if (states && !states.includes(c.state)) skipped.push({ name, reason: `it is ${c.state}` });
    else containers.push(c);
  }
  return { containers, failed, skipped };
}

/** Makes a lifecycle command: pick (among `states`), call the engine with progress, refresh; on several selected rows, acts on each. */
function lifecycle(l: Lifecycle) {
  return async (ctx: CommandContext, arg?: unknown, selected?: unknown): Promise<BulkOutcome | undefined> => {
    const rows = selectedRows(l.commandId, arg, selected);
    if (rows) {
      const { containers, failed, skipped } = await selectedContainers(ctx, rows, l.states);
      const outcome = await actOnEach(`${l.title}: ${containers.length} containers`, containers, (c) => c.name, (c) => l.act(ctx.session.get(), c.id), skipped);
      outcome.failed.unshift(...failed);
      ctx.views.containers.refresh();
      return reportOutcome(outcome, l.verbPast, l.verb, ['container', 'containers']);
    }
    const c = await containerTarget(ctx, arg, l.title, l.states);
    if (!c) return undefined;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `${l.title}: ${c.name}` }, () => l.act(ctx.session.get(), c.id));
    ctx.views.containers.refresh();
    return undefined;
  };
}

export const startContainer = lifecycle({ commandId: CommandIds.containerStart, title: 'Start Container', verb: 'start', verbPast: 'Started', states: ['created', 'exited', 'dead'], act: (e, id) => e.startContainer(id) });
export const stopContainer = lifecycle({ commandId: CommandIds.containerStop, title: 'Stop Container', verb: 'stop', verbPast: 'Stopped', states: ['running', 'paused', 'restarting'], act: (e, id) => e.stopContainer(id) });
export const restartContainer = lifecycle({ commandId: CommandIds.containerRestart, title: 'Restart Container', verb: 'restart', verbPast: 'Restarted', states: ['running', 'paused', 'exited', 'created'], act: (e, id) => e.restartContainer(id) });
export const pauseContainer = lifecycle({ commandId: CommandIds.containerPause, title: 'Pause Container', verb: 'pause', verbPast: 'Paused', states: ['running'], act: (e, id) => e.pauseContainer(id) });
export const unpauseContainer = lifecycle({ commandId: CommandIds.containerUnpause, title: 'Unpause Container', verb: 'unpause', verbPast: 'Unpaused', states: ['paused'], act: (e, id) => e.unpauseContainer(id) });

const isUp = (c: { state?: ContainerState }): boolean => c.state === 'running' || c.state === 'paused' || c.state === 'restarting';
const CONTAINER_LOSS = 'Files they wrote outside volumes and bind mounts are lost; named volumes are kept.';

/**
 * Several selected containers: one confirmation naming each (and which are running and get
 * stopped first), then each is removed under one progress notification.
 */
async function removeContainers(ctx: CommandContext, rows: unknown[]): Promise<BulkOutcome | undefined> {
  const { containers, failed } = await selectedContainers(ctx, rows);
  if (containers.length) {
    const choice = await vscode.window.showWarningMessage(
      `Remove ${containers.length} containers?`,
      {
        modal: true,
        detail: `${listForConfirmation(containers.map((c) => `${c.name} (${c.image}${isUp(c) ? ', running: stopped first' : ''})`))}\n\n${CONTAINER_LOSS}`,
      },
      'Remove',
    );
    if (choice !== 'Remove') return undefined;
  }
  const outcome = await actOnEach(`Remove ${containers.length} containers`, containers, (c) => c.name, (c) => ctx.session.get().removeContainer(c.id, { force: isUp(c) }));
  outcome.failed.unshift(...failed);
  ctx.views.containers.refresh();
  return reportOutcome(outcome, 'Removed', 'remove', ['container', 'containers']);
}

/** Asks first, naming the container; a running container is stopped and removed (force). */
export async function removeContainer(ctx: CommandContext, arg?: unknown, selected?: unknown): Promise<boolean | BulkOutcome> {
  const rows = selectedRows(CommandIds.containerRemove, arg, selected);
  if (rows) return (await removeContainers(ctx, rows)) ?? false;
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
