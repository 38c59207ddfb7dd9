/**
 * The engine's state as the views last saw it, in the context key ENGINE_STATE_CONTEXT: `ok`
 * after a listing worked, `notInstalled` / `notRunning` / `permission` when the engine cannot be
 * reached for one of those reasons (src/core/engineProblem.ts), `failed` otherwise. package.json's
 * `viewsWelcome` shows the welcome content of that state in each empty view; a view shows a
 * message row only for `failed`.
 */
import * as vscode from 'vscode';
import { dockerConfigDir, nodeConnectionInputs } from '../../core/connection';
import { ENGINE_STATE_CONTEXT, engineProblem, probeInstallation, type EngineProblem, type EngineState, type InstallFacts } from '../../core/engineProblem';
import { EngineError } from '../../engine/engine';
import { config } from '../base/config';
import { describeError, type EngineSession } from '../base/session';
import { log } from '../base/log';

/** The socket error code under an EngineError (dockerode's error carries it), if any. */
function codeOf(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The problem behind a failed engine call, or undefined when it is not about reaching the
 * engine (an HTTP error, a malformed setting, a bug).
 */
export function problemOf(err: unknown, session: EngineSession): (EngineProblem & { installed: InstallFacts }) | undefined {
  if (!(err instanceof EngineError) || !['unreachable', 'timeout'].includes(err.kind)) return undefined;
  let transport: 'socket' | 'tcp' | 'ssh' = 'socket';
  let where = '';
  let timeoutMs: number | undefined;
  try {
    const engine = session.get();
    const kind = engine.connection.address.kind;
    transport = kind === 'socket' ? 'socket' : kind === 'ssh' ? 'ssh' : 'tcp';
    where = engine.connection.describe;
    timeoutMs = engine.timeoutMs;
  } catch {
    return undefined;
  }
  const installed = probeInstallation(process.env, process.platform, dockerConfigDir(nodeConnectionInputs(config.dockerHost(), config.engineContext())));
  const p = engineProblem({ code: codeOf(err), timedOut: err.kind === 'timeout', timeoutMs, transport, where, message: describeError(err) }, installed, process.platform);
  return p && { ...p, installed };
}

export class EngineHealth implements vscode.Disposable {
  private state: EngineState | undefined;
  private lastProblem: EngineProblem | undefined;

  constructor(private readonly session: EngineSession) {}

  /** The state last set (undefined before the first listing). */
  current(): EngineState | undefined {
    return this.state;
  }

  /** The problem behind the current state, when it is one of the welcome cases. */
  problem(): EngineProblem | undefined {
    return this.lastProblem;
  }

  /** A listing worked. */
  loaded(): void {
    this.lastProblem = undefined;
    this.set('ok');
  }

  /**
   * A listing failed: sets the state. Returns true when the view should show nothing (its
   * welcome content says what is wrong), false when it should show its message row.
   */
  failed(err: unknown): boolean {
    const p = problemOf(err, this.session);
    const welcome = !!p && p.state !== 'failed';
    this.lastProblem = welcome ? p : undefined;
    const state = welcome ? p.state : 'failed';
    if (welcome && state !== this.state) {
      const i = p.installed;
      const yn = (b: boolean) => (b ? 'yes' : 'no');
      log().warn(`Docker engine: ${p.message} ${p.todo} (found: docker command ${yn(i.cli)}, dockerd ${yn(i.daemon)}, Docker Desktop ${yn(i.desktop)}, Docker contexts ${yn(i.contexts)})`);
    }
    this.set(state);
    return welcome;
  }

  private set(state: EngineState): void {
    if (state === this.state) return;
    this.state = state;
    void vscode.commands.executeCommand('setContext', ENGINE_STATE_CONTEXT, state);
  }

  dispose(): void {
    // nothing held: the context key dies with the window
  }
}
