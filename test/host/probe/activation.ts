/**
 * Probe for bench/activation.bench.ts, run by scripts/run-host-tests.mjs in a real extension
 * host on a workspace where nothing has activated the extension yet: times loading
 * dist/extension.js plus activate().
 */
import * as vscode from 'vscode';

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension<{ activationMs: number }>('ml-container-lab.ml-container-lab');
  if (!ext) throw new Error('extension not installed');
  if (ext.isActive) throw new Error('already active: open a workspace without .vscode/mllab.yaml');
  const t0 = performance.now();
  const api = await ext.activate();
  const total = performance.now() - t0;
  console.log(`ACTIVATION ${JSON.stringify({ totalMs: Math.round(total * 10) / 10, activateMs: api.activationMs })}`);
}
