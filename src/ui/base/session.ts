/**
 * The extension's connection to the Docker engine. Resolves where the engine is (setting,
 * DOCKER_HOST, Docker context, default socket: src/core/connection.ts), creates the Engine
 * lazily (dockerode loads on first use, not on activation), and re-resolves when the
 * engine settings change.
 */
import * as vscode from 'vscode';
import { nodeConnectionInputs, resolveConnection } from '../../core/connection';
import { engineNamed, listEngines } from '../../core/contexts';
import { UserError } from '../../core/errors';
import { ForwardTable } from '../../core/forwards';
import { Engine, EngineError } from '../../engine/engine';
import type { HostKeyQuestion, SshOptions } from '../../engine/ssh';
import { config } from './config';
import { log } from './log';

export class EngineSession implements vscode.Disposable {
  private engine: Engine | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the connection settings change or Retry is asked for: views refresh. */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;
  /** port forwards to published ports of ssh:// engines; closed with their engine */
  readonly forwards = new ForwardTable();
  /** engines other than the current one that run profiles named (`engine: gpu-box`), by name: one connection each */
  private readonly others = new Map<string, Engine>();

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
      this.engine = new Engine(resolved, config.engineTimeoutMs(), sshOptions());
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

  /**
   * The session of the engine a run profile names (`engine: gpu-box`): this session when that is
   * the current engine, else one that reaches the named engine (kept for the window, so its SSH
   * connection is shared by every run there) and shares this session's forwards.
   * @throws UserError naming the engine and what to do, when no engine has that name
   */
  forEngine(name: string, profile: string): EngineSession {
    const entry = engineNamed(listEngines(nodeConnectionInputs(config.dockerHost(), config.engineContext())), name, profile);
    if (entry.current) return this;
    let engine = this.others.get(entry.label);
    if (!engine || engine.connection.describe !== entry.connection.describe) {
      engine?.close();
      engine = new Engine(entry.connection, config.engineTimeoutMs(), sshOptions());
      this.others.set(entry.label, engine);
    }
    const fixed = engine;
    // the same session in every other respect (forwards, events), pinned to that engine
    return Object.assign(Object.create(this) as EngineSession, {
      get: () => fixed,
      name: () => entry.label,
      describe: () => fixed.connection.describe,
    });
  }

  /** The engine (the current one, or an entry of the Engines view) whose connection is described so, as in a run record. */
  engineDescribed(describe: string): Engine | undefined {
    return this.sessionDescribed(describe)?.get();
  }

  /**
   * A session pinned to the engine whose connection is described so (a run record's `engine`):
   * this session when it is the current engine, else one like {@link forEngine}'s; undefined
   * when no engine of the Engines view has that connection any more.
   */
  sessionDescribed(describe: string): EngineSession | undefined {
    if (this.get().connection.describe === describe) return this;
    const entry = listEngines(nodeConnectionInputs(config.dockerHost(), config.engineContext())).find((e) => e.connection?.describe === describe);
    return entry ? this.forEngine(entry.label, 'of the run record') : undefined;
  }

  /** Forgets the client so the next call resolves the connection again, and tells the views. */
  reset(): void {
    if (this.engine) this.forwards.closeEngine(this.name());
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
    this.forwards.closeAll();
    this.engine?.close();
    for (const e of this.others.values()) e.close();
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

/** How ssh:// engines ask and warn here, and the server's session limit from the settings. */
function sshOptions(): SshOptions {
  return {
    askHostKey,
    onWarning: (message) => {
      log().warn(message);
      void vscode.window.showWarningMessage(message);
    },
    maxSessions: config.sshMaxSessions(),
  };
}

/**
 * First contact with an SSH engine host: shows its key fingerprint and asks, as `ssh` does; a
 * yes is remembered (by the engine, once) in the first UserKnownHostsFile (~/.ssh/known_hosts by
 * default), so `ssh` and `docker -H ssh://` trust it too.
 */
async function askHostKey(q: HostKeyQuestion): Promise<boolean> {
  const trust = 'Trust and Connect';
  const answer = await vscode.window.showWarningMessage(
    `The authenticity of the Docker engine host ${q.port === 22 ? q.host : `[${q.host}]:${q.port}`} can't be established.`,
    { modal: true, detail: `Its ${q.keyType} key fingerprint is ${q.fingerprint}.\nCompare it with the one the host's administrator gives you (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on the host). Trusting it adds it to ${q.knownHostsFile || '~/.ssh/known_hosts'}.` },
    trust,
  );
  return answer === trust;
}
