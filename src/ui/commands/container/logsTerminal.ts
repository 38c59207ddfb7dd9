/**
 * Container logs in a terminal: a Pseudoterminal that follows `GET /containers/{id}/logs` so
 * colours (ANSI escapes) stay intact and no Docker CLI is needed. Closing the terminal stops
 * following.
 */
import * as vscode from 'vscode';
import type { CommandContext } from '../context';
import { describeError } from '../../session';

export function openLogsTerminal(ctx: CommandContext, id: string, name: string): vscode.Terminal {
  const writeEmitter = new vscode.EventEmitter<string>();
  const abort = new AbortController();
  const pty: vscode.Pseudoterminal = {
    onDidWrite: writeEmitter.event,
    open: () => {
      writeEmitter.fire(`\x1b[2mFollowing logs of ${name} (${id.slice(0, 12)}); close this terminal to stop.\x1b[0m\r\n`);
      ctx.session
        .get()
        .logs(id, (text) => writeEmitter.fire(text.replace(/\r?\n/g, '\r\n')), { follow: true, signal: abort.signal })
        .then(
          () => {
            if (!abort.signal.aborted) writeEmitter.fire(`\r\n\x1b[2m[container ${name} stopped: end of logs]\x1b[0m\r\n`);
          },
          (err: unknown) => writeEmitter.fire(`\r\n\x1b[31m${describeError(err)}\x1b[0m\r\n`),
        );
    },
    close: () => {
      abort.abort();
      writeEmitter.dispose();
    },
  };
  const terminal = vscode.window.createTerminal({ name: `Logs: ${name}`, pty, iconPath: new vscode.ThemeIcon('output') });
  terminal.show(true);
  return terminal;
}
