/**
 * Runs the real Compose CLI (src/core/compose/cli.ts) in a VS Code terminal: detected once per
 * session and named in the terminal's first line and the log, pointed at the extension's engine
 * through `DOCKER_HOST`, colours kept (`--ansi always` through a pseudo-terminal). Closing the
 * terminal stops a command still running (e.g. `logs --follow`).
 */
import * as vscode from 'vscode';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { commandLine, composeArgs, composeEnv, detectComposeCli, type ComposeAction, type ComposeCli } from '../../core/compose/cli';
import { log } from '../base/log';
import type { EngineSession } from '../base/session';

let detected: Promise<ComposeCli> | undefined;

/** The Compose CLI, detected on first use; a failed detection is tried again next time (the user may install Compose meanwhile). */
export function composeCli(): Promise<ComposeCli> {
  detected ??= detectComposeCli(process.env).then(
    (cli) => {
      log().info(`Compose CLI: ${cli.label}`);
      return cli;
    },
    (err: unknown) => {
      detected = undefined;
      throw err;
    },
  );
  return detected;
}

export interface ComposeRun {
  /** exit code; undefined when the terminal was closed before Compose ended */
  exitCode: number | undefined;
  /** everything Compose printed, ANSI escapes included */
  output: string;
  cli: ComposeCli;
}

/**
 * Runs one Compose command in a new terminal and resolves when it ends.
 * @param files absolute Compose file paths; the first one's folder is the working directory
 * @param project the project name, for the terminal's name
 * @param passProject whether to pass `-p project` (commands from a project in the Containers view)
 */
export async function runCompose(session: EngineSession, files: string[], action: ComposeAction, project: string, passProject = false): Promise<ComposeRun> {
  const cli = await composeCli();
  const engine = session.get();
  const args = composeArgs(cli, files, action, passProject ? project : undefined);
  const env = composeEnv(engine.connection, process.env);
  const cwd = path.dirname(files[0]);
  const name = `Compose: ${project} ${action.kind === 'downServices' ? 'down' : action.kind}`;
  const writer = new vscode.EventEmitter<string>();
  let output = '';
  let kill: (() => void) | undefined;
  let finish: (code: number | undefined) => void = () => undefined;
  const ended = new Promise<number | undefined>((resolve) => (finish = resolve));
  const dim = (t: string) => writer.fire(`\x1b[2m${t}\x1b[0m\r\n`);
  const pty: vscode.Pseudoterminal = {
    onDidWrite: writer.event,
    open: () => {
      dim(`Compose CLI: ${cli.label} · engine: ${engine.connection.describe}`);
      dim(`$ ${commandLine(cli, args)}`);
      log().info(`Compose: ${commandLine(cli, args)} (in ${cwd})`);
      const child = spawn(cli.command, args, { cwd, env, windowsHide: true });
      kill = () => child.kill('SIGTERM');
      const onData = (b: Buffer) => {
        const text = b.toString('utf8');
        output += text;
        writer.fire(text.replace(/\r?\n/g, '\r\n'));
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('error', (err) => {
        writer.fire(`\x1b[31m${err.message}\x1b[0m\r\n`);
        finish(127);
      });
      child.on('close', (code) => {
        kill = undefined;
        dim(`[${cli.command === 'docker' ? 'docker compose' : cli.command} ${action.kind === 'downServices' ? 'rm' : action.kind} exited with code ${code ?? 'unknown'}]`);
        log().info(`Compose ${action.kind} exited with code ${code ?? 'unknown'}`);
        finish(code ?? undefined);
      });
    },
    close: () => {
      kill?.();
      finish(undefined);
    },
  };
  const terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('layers') });
  terminal.show(true);
  const exitCode = await ended;
  return { exitCode, output, cli };
}
