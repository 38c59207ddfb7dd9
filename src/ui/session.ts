/**
 * The extension's connection to the Docker engine. Resolves where the engine is (setting,
 * DOCKER_HOST, Docker context, default socket: src/core/connection.ts), creates the Engine
 * lazily (dockerode loads on first use, not on activation), and re-resolves when the
 * engine settings change.
 */
import * as vscode from 'vscode';
import { nodeConnectionInputs, resolveConnection } from '../core/connection';
import { UserError } from '../core/errors';
import { Engine, EngineError } from '../engine/engine';
import { rememberHostKey, type HostKeyQuestion } from '../engine/ssh';
import { config } from './config';
import { log } from './log';

export class EngineSession implements vscode.Disposable {
  private engine: Engine | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the connection settings change or Retry is asked for: views refresh. */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mlLab.engine')) this.reset();
    });
  }

  /**
   * The engine client. Throws UserError when the connection settings are malformed
   * (the message names the value and what to do); does not contact the engine.
   */
  get(): Engine {
    if (!this.engine) {
      const resolved = resolveConnection(nodeConnectionInputs(config.dockerHost(), config.engineContext()));
      log().info(`Docker engine: ${resolved.describe}`);
      this.engine = new Engine(resolved, config.engineTimeoutMs(), { askHostKey });
    }
    return this.engine;
  }

  /** The current engine's name for people: the Docker context's name, "mlLab.engine.dockerHost", "DOCKER_HOST" or "default". */
  name(): string {
    try {
      const c = this.get().connection;
      return c.source === 'context' ? c.contextName ?? 'context' : c.source === 'setting' ? 'mlLab.engine.dockerHost' : c.source;
    } catch {
      return 'default';
    }
  }

  /** Forgets the client so the next call resolves the connection again, and tells the views. */
  reset(): void {
    this.engine?.close();
    this.engine = undefined;
    this.changed.fire();
  }

  /** Where we try to reach the engine, for messages; resolution errors are described, not thrown. */
  describe(): string {
    try {
      return this.get().connection.describe;
    } catch (err) {
      return err instanceof UserError ? err.message : String(err);
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** A message for a failed engine call: the error's message plus its hint, if any. */
export function describeError(err: unknown): string {
  if (err instanceof UserError) return err.hint ? `${err.message} ${err.hint}` : err.message;
  return err instanceof Error ? err.message : String(err);
}

/** The engine could not be reached (down, a refused TLS certificate, no answer in time): Retry may help once that is fixed. */
export function isUnreachable(err: unknown): boolean {
  return err instanceof EngineError && (err.kind === 'unreachable' || err.kind === 'tls' || err.kind === 'timeout');
}

/**
 * First contact with an SSH engine host: shows its key fingerprint and asks, as `ssh` does; a
 * yes is remembered in ~/.ssh/known_hosts, so `ssh` and `docker -H ssh://` trust it too.
 */
async function askHostKey(q: HostKeyQuestion): Promise<boolean> {
  const trust = 'Trust and Connect';
  const answer = await vscode.window.showWarningMessage(
    `The authenticity of the Docker engine host ${q.port === 22 ? q.host : `[${q.host}]:${q.port}`} can't be established.`,
    { modal: true, detail: `Its ${q.keyType} key fingerprint is ${q.fingerprint}.\nCompare it with the one the host's administrator gives you (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on the host). Trusting it adds it to ~/.ssh/known_hosts.` },
    trust,
  );
  if (answer !== trust) return false;
  rememberHostKey(q);
  return true;
}
