/** Volumes: pick, remove (asks first; never while a container uses it), reveal from a mount row. */
import * as vscode from 'vscode';
import type { CommandContext } from '../shared/context';
import { refFromArg } from '../shared/pick';
import { UserError } from '../../core/errors';
import { usage } from '../../core/tree/models';
import { CommandIds } from '../../core/ids';
import { listForConfirmation, type BulkOutcome } from '../../core/bulk';
import { actOnEach, reportOutcome, selectedRows } from '../shared/bulk';

export async function pickVolume(ctx: CommandContext, title: string): Promise<string | undefined> {
  const volumes = await ctx.session.get().listVolumes();
  if (volumes.length === 0) {
    void vscode.window.showInformationMessage('The Docker engine has no volumes.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    volumes.map((v) => ({ label: v.name, description: v.driver })),
    { title, placeHolder: 'Volume' },
  );
  return picked?.label;
}

/**
 * Several selected volumes: those a container uses are left alone and said so; one
 * confirmation names the rest, then each is removed under one progress notification.
 */
async function removeVolumes(ctx: CommandContext, rows: unknown[]): Promise<BulkOutcome | undefined> {
  const names = [...new Set(rows.map((r) => refFromArg(r, 'name')).filter((r): r is string => !!r))];
  const engine = ctx.session.get();
  const used = usage(await engine.listContainers()).volumes;
  const inUse = names.filter((n) => used.get(n)?.length).map((n) => ({ name: n, reason: `used by ${(used.get(n) ?? []).join(', ')}` }));
  const free = names.filter((n) => !used.get(n)?.length);
  if (!free.length) throw new UserError(`None of the ${names.length} volumes is removed: ${inUse.map((u) => `${u.name} is ${u.reason}`).join('; ')}.`, { hint: 'Remove those containers first.' });
  const choice = await vscode.window.showWarningMessage(
    `Remove ${free.length} ${free.length === 1 ? 'volume' : 'volumes'}?`,
    {
      modal: true,
      detail: `${listForConfirmation(free)}\n\nEvery file in them is deleted: data sets, checkpoints or caches kept there cannot be recovered.${inUse.length ? `\n\nKept, because containers use them: ${inUse.map((u) => `${u.name} (${u.reason})`).join('; ')}.` : ''}`,
    },
    'Remove',
  );
  if (choice !== 'Remove') return undefined;
  const outcome = await actOnEach(`Remove ${free.length} volumes`, free, (n) => n, (n) => engine.removeVolume(n), inUse);
  ctx.views.volumes.refresh();
  return reportOutcome(outcome, 'Removed', 'remove', ['volume', 'volumes']);
}

export async function removeVolume(ctx: CommandContext, arg?: unknown, selected?: unknown): Promise<boolean | BulkOutcome> {
  const rows = selectedRows(CommandIds.volumeRemove, arg, selected);
  if (rows) return (await removeVolumes(ctx, rows)) ?? false;
  const name = refFromArg(arg, 'name') ?? (await pickVolume(ctx, 'Remove Volume'));
  if (!name) return false;
  const engine = ctx.session.get();
  const users = usage(await engine.listContainers()).volumes.get(name) ?? [];
  if (users.length) {
    throw new UserError(`Volume ${name} is used by ${users.join(', ')}, so it is not removed.`, {
      hint: 'Remove those containers first (their data in the volume stays until the volume is removed).',
    });
  }
  const choice = await vscode.window.showWarningMessage(
    `Remove volume ${name}?`,
    { modal: true, detail: 'Every file in the volume is deleted: data sets, checkpoints or caches kept there cannot be recovered.' },
    'Remove',
  );
  if (choice !== 'Remove') return false;
  await engine.removeVolume(name);
  ctx.views.volumes.refresh();
  return true;
}

/**
 * From a mount row: a bind mount reveals its host folder in the Explorer (or opens it in the OS
 * when it is outside the workspace); a named volume is selected in the Volumes view.
 */
export async function revealMount(ctx: CommandContext, arg?: unknown): Promise<void> {
  const m = arg as { type?: string; source?: string } | undefined;
  if (!m?.source) return;
  if (m.type === 'volume') {
    await vscode.commands.executeCommand('mlLab.views.volumes.focus');
    const node = (await ctx.views.volumes.getChildren()).find((n) => n.ref === m.source);
    if (node) await ctx.treeViews.volumes.reveal(node, { select: true, focus: true });
    return;
  }
  const uri = vscode.Uri.file(m.source);
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
  else await vscode.commands.executeCommand('revealFileInOS', uri);
}
