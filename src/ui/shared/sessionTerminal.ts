/**
 * A VS Code terminal (Pseudoterminal) over an Engine API session with a TTY: an exec session
 * ("Open Shell") or an attached `docker run -it` container. Keystrokes go to the session as typed
 * (Ctrl-C is `\x03`, which the container's TTY turns into SIGINT), output is written as it comes
 * (the TTY already sends `\r\n`), and the terminal's size follows the panel (resize calls).
 */
import * as vscode from 'vscode';
import type { ShellSession } from '../../engine/engine';
import { describeError } from '../base/session';

export interface SessionTerminalOptions {
  name: string;
  icon: string;
  /** Starts (or takes over) the session once the terminal is open; `size` in character cells. */
  start(onData: (text: string) => void, size: { columns: number; rows: number } | undefined): Promise<ShellSession>;
  /**
   * A line to show when the session ends (e.g. the exit code); the terminal then stays open until
   * a key is pressed. Without it the terminal closes as soon as the session ends.
   */
  exitMessage?(code: number | undefined): string;
}

export function openSessionTerminal(options: SessionTerminalOptions): vscode.Terminal {
  const writeEmitter = new vscode.EventEmitter<string>();
  const closeEmitter = new vscode.EventEmitter<number | void>();
  let session: ShellSession | undefined;
  let ended: number | undefined | null = null; // null while the session runs
  const pty: vscode.Pseudoterminal = {
    onDidWrite: writeEmitter.event,
    onDidClose: closeEmitter.event,
    open: (size) => {
      options.start((text) => writeEmitter.fire(text), size ? { columns: size.columns, rows: size.rows } : undefined).then(
        (s) => {
          session = s;
          void s.exited.then((code) => {
            ended = code;
            if (options.exitMessage) writeEmitter.fire(`\r\n\x1b[2m${options.exitMessage(code)} Press any key to close the terminal.\x1b[0m\r\n`);
            else closeEmitter.fire(code ?? 0);
          });
        },
        (err: unknown) => writeEmitter.fire(`\x1b[31m${describeError(err).replace(/\r?\n/g, '\r\n')}\x1b[0m\r\n`),
      );
    },
    handleInput: (data) => {
      if (ended !== null) closeEmitter.fire(ended ?? 0);
      else session?.write(data);
    },
    setDimensions: (size) => session?.resize(size.columns, size.rows),
    close: () => session?.close(),
  };
  const terminal = vscode.window.createTerminal({ name: options.name, pty, iconPath: new vscode.ThemeIcon(options.icon) });
  terminal.show();
  return terminal;
}
