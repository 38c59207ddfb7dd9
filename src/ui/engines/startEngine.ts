/**
 * Start Docker Engine: what the "not running" welcome content offers. On macOS and Windows it
 * opens Docker Desktop (`open -a Docker`; `Docker Desktop.exe` under %ProgramFiles%), as Docker's
 * own extension offers; on Linux it opens a terminal with `sudo systemctl start docker` typed in,
 * for the person to confirm with their password. The views come back by themselves once the
 * engine answers (they retry a local socket every few seconds).
 */
import * as vscode from 'vscode';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { UserError } from '../../core/errors';

/** The Linux command the terminal gets (Docker's install guides start the engine so). */
export const LINUX_START_COMMAND = 'sudo systemctl start docker';

export async function startEngine(): Promise<void> {
  if (process.platform === 'darwin' || process.platform === 'win32') {
    const [cmd, args] = process.platform === 'darwin'
      ? ['open', ['-a', 'Docker']]
      : [path.win32.join(process.env.ProgramFiles ?? 'C:\\Program Files', 'Docker', 'Docker', 'Docker Desktop.exe'), []];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(cmd, args as string[], { detached: true, stdio: 'ignore' });
      child.once('error', (err) => reject(new UserError(`Could not open Docker Desktop (${err.message}).`, { hint: 'Open it from the applications menu; if it is not installed, see https://docs.docker.com/desktop/.', cause: err })));
      child.once('spawn', () => {
        child.unref();
        resolve();
      });
    });
    void vscode.window.showInformationMessage('Docker Desktop is starting; the views follow when its engine runs.');
    return;
  }
  const terminal = vscode.window.createTerminal({ name: 'Start Docker' });
  terminal.show();
  terminal.sendText(LINUX_START_COMMAND, true);
}
