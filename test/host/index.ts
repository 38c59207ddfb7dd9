/**
 * Entry point the extension host loads for the host tier (code-server's smoke-test driver via
 * scripts/run-host-tests.mjs, or @vscode/test-electron via runDesktop.ts): runs mocha over
 * every *.test.js beside this file; rejects when any test fails.
 */
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { TEST_LABEL, testEngine } from '../support/fixtures';

/**
 * Removes what an earlier, killed host run left behind: containers named mllab-hosttest-* that
 * carry the test label (a leftover holding a host port would fail this run). Nothing else.
 */
async function removeLeftovers(): Promise<void> {
  const engine = testEngine();
  for (const c of await engine.listContainers({ label: [TEST_LABEL] })) {
    if (c.name.startsWith('mllab-hosttest-')) await engine.removeContainer(c.id, { force: true }).catch(() => undefined);
  }
}

export async function run(): Promise<void> {
  // Activation as a user meets it: loading dist/extension.js plus activate(), measured before
  // any suite touches the extension (dockerode is not loaded yet: it loads on the first engine call).
  const ext = vscode.extensions.getExtension<{ activationMs: number }>('ml-container-lab.ml-container-lab');
  if (ext && !ext.isActive) {
    const t0 = performance.now();
    const api = await ext.activate();
    console.log(`activation: ${(performance.now() - t0).toFixed(1)} ms including loading dist/extension.js; ${api.activationMs} ms in activate()`);
  }
  await removeLeftovers();
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  // MLLAB_HOST_TESTS=runs,profiles: only the files whose names contain one of these
  const only = process.env.MLLAB_HOST_TESTS?.split(',').filter(Boolean);
  for (const f of readdirSync(__dirname).sort()) if (f.endsWith('.test.js') && (!only || only.some((o) => f.includes(o)))) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} host test(s) failed`)) : resolve()));
  });
}
