/**
 * Push and pull with a progress notification (bytes, layers, Cancel aborts the Engine API
 * request), the full stream in the "ML Container Lab: Registry" output channel, and one
 * retry after "Log In" when the registry refused.
 */
import * as vscode from 'vscode';
import { encodeRegistryAuth } from '../../core/registry/auth';
import { RegistryAuthError } from '../../core/registry/errors';
import { TransferProgress, describeTransfer } from '../../core/registry/progress';
import { parseReference, registryDisplayName } from '../../core/registry/reference';
import { EngineError } from '../../engine/engine';
import type { CommandContext } from '../shared/context';
import { log } from '../base/log';
import { loginToRegistry, type LoginArgs } from './commands/login';

/** Least time between two progress updates, in ms (the stream sends hundreds per second). */
const REPORT_EVERY_MS = 200;

export interface TransferOptions {
  /** answers the "Log In" offer without asking (host tests): used when the registry refuses */
  login?: LoginArgs;
}

export async function runTransfer(ctx: CommandContext, operation: 'push' | 'pull', reference: string, options: TransferOptions = {}): Promise<{ digest?: string } | undefined> {
  const ref = parseReference(reference);
  try {
    return await transferOnce(ctx, operation, reference);
  } catch (err) {
    if (!(err instanceof RegistryAuthError)) throw err;
    log().warn(err.message);
    ctx.registries.output.appendLine(`refused: ${err.message}`);
    const choice = options.login ? 'Log In' : await vscode.window.showErrorMessage(err.message, 'Log In', 'Open Output');
    if (choice === 'Open Output') ctx.registries.output.show();
    if (choice !== 'Log In') return undefined;
    const loggedIn = await loginToRegistry(ctx, { ...(options.login ?? {}), server: ref.registry });
    if (!loggedIn) return undefined;
    return transferOnce(ctx, operation, reference); // once: a second refusal is shown as an error
  }
}

async function transferOnce(ctx: CommandContext, operation: 'push' | 'pull', reference: string): Promise<{ digest?: string } | undefined> {
  const ref = parseReference(reference);
  const out = ctx.registries.output;
  const credentials = await ctx.registries.credentials.lookup(ref.registry);
  const registryAuth = encodeRegistryAuth(credentials, ref.registry);
  const verb = operation === 'push' ? 'Pushing' : 'Pulling';
  out.appendLine(`${verb} ${reference} (${registryDisplayName(ref.registry)}; credentials: ${credentials ? `user ${credentials.username ?? '(token)'} from ${credentials.source}` : 'none'})`);
  const started = Date.now();
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `${verb} ${reference}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        const agg = new TransferProgress();
        let lastReport = 0;
        let reportedPct = 0;
        try {
          const engine = ctx.session.get();
          const options = {
            registryAuth,
            hadCredentials: credentials !== undefined,
            signal: abort.signal,
            onMessage: (m: unknown) => {
              const line = agg.add(m);
              if (line) out.appendLine(line);
              const now = Date.now();
              if (now - lastReport < REPORT_EVERY_MS) return;
              lastReport = now;
              const s = agg.snapshot();
              const pct = s.totalBytes > 0 ? Math.min(100, (100 * s.currentBytes) / s.totalBytes) : 0;
              progress.report({ message: describeTransfer(s), increment: pct > reportedPct ? pct - reportedPct : undefined });
              reportedPct = Math.max(pct, reportedPct);
            },
          };
          const r = operation === 'push' ? await engine.pushImage(reference, options) : await engine.pullImage(reference, options);
          out.appendLine(`${operation === 'push' ? 'Pushed' : 'Pulled'} ${reference} in ${((Date.now() - started) / 1000).toFixed(1)} s · ${describeTransfer(agg.snapshot())}${r.digest ? ` · digest ${r.digest}` : ''}`);
          return r;
        } finally {
          sub.dispose();
        }
      },
    );
    return result;
  } catch (err) {
    if (err instanceof EngineError && err.kind === 'cancelled') {
      out.appendLine(`${verb} ${reference}: cancelled.`);
      void vscode.window.showInformationMessage(`${operation === 'push' ? 'Push' : 'Pull'} of ${reference} cancelled.`);
      return undefined;
    }
    if (!(err instanceof RegistryAuthError)) out.appendLine(`failed: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
}

/** "Pushed x — digest sha256:..." with "Copy Digest" (not awaited: the command returns at once). */
export function announceDigest(what: string, reference: string, digest: string | undefined): void {
  if (!digest) {
    void vscode.window.showInformationMessage(`${what} ${reference}.`);
    return;
  }
  void vscode.window.showInformationMessage(`${what} ${reference} — digest ${digest}`, 'Copy Digest').then(async (choice) => {
    if (choice === 'Copy Digest') await vscode.env.clipboard.writeText(digest);
  });
}
