/**
 * "Open Shell": a terminal attached to an exec session inside the container through the Engine
 * API (no Docker CLI). Tries the `mlLab.container.shell` setting's shell first, then bash, then sh.
 */
import * as vscode from 'vscode';
import { SettingIds } from '../../core/ids';
import type { CommandContext } from '../shared/context';
import { containerTarget } from '../shared/pick';
import { openSessionTerminal } from '../shared/sessionTerminal';

export async function openContainerShell(ctx: CommandContext, arg?: unknown): Promise<vscode.Terminal | undefined> {
  const c = await containerTarget(ctx, arg, 'Open Shell', ['running']);
  if (!c) return undefined;
  const preferred = vscode.workspace.getConfiguration().get<string>(SettingIds.preferredShell) || 'bash';
  const shells = [...new Set([preferred, 'bash', 'sh'])];
  return openSessionTerminal({
    name: `Shell: ${c.name}`,
    icon: 'terminal',
    start: (onData, size) => ctx.session.get().openShell(c.id, shells, onData, size),
  });
}
