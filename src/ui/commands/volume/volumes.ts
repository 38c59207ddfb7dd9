/** Volumes: pick, remove (asks first; never while a container uses it), reveal from a mount row. */
import * as vscode from 'vscode';
import type { CommandContext } from '../context';
import { refFromArg } from '../pick';
import { UserError } from '../../../core/errors';
import { usage } from '../../../core/tree/models';

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

export async function removeVolume(ctx: CommandContext, arg?: unknown): Promise<boolean> {
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
