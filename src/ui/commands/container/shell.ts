/**
 * "Open Shell": a terminal attached to an exec session inside the container through the Engine
 * API (no Docker CLI). Tries the `mlLab.container.shell` setting's shell first, then bash, then sh.
 */
import * as vscode from 'vscode';
import { SettingIds } from '../../../core/ids';
import type { ShellSession } from '../../../engine/engine';
import type { CommandContext } from '../context';
import { describeError } from '../../session';
import { containerTarget } from '../pick';

export async function openContainerShell(ctx: CommandContext, arg?: unknown): Promise<vscode.Terminal | undefined> {
  const c = await containerTarget(ctx, arg, 'Open Shell', ['running']);
  if (!c) return undefined;
  const preferred = vscode.workspace.getConfiguration().get<string>(SettingIds.preferredShell) || 'bash';
  const shells = [...new Set([preferred, 'bash', 'sh'])];
  const writeEmitter = new vscode.EventEmitter<string>();
  const closeEmitter = new vscode.EventEmitter<number | void>();
  let session: (ShellSession & { shell: string }) | undefined;
  const pty: vscode.Pseudoterminal = {
    onDidWrite: writeEmitter.event,
    onDidClose: closeEmitter.event,
    open: (size) => {
      ctx.session
        .get()
        .openShell(c.id, shells, (text) => writeEmitter.fire(text), size ? { columns: size.columns, rows: size.rows } : undefined)
        .then(
          (s) => {
            session = s;
            void s.exited.then((code) => closeEmitter.fire(code ?? 0));
          },
          (err: unknown) => writeEmitter.fire(`\x1b[31m${describeError(err)}\x1b[0m\r\n`),
        );
    },
    handleInput: (data) => session?.write(data),
    setDimensions: (size) => session?.resize(size.columns, size.rows),
    close: () => session?.close(),
  };
  const terminal = vscode.window.createTerminal({ name: `Shell: ${c.name}`, pty, iconPath: new vscode.ThemeIcon('terminal') });
  terminal.show();
  return terminal;
}
