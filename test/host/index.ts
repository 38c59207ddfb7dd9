/**
 * Entry point the extension host loads for the host tier (code-server's smoke-test driver via
 * scripts/run-host-tests.mjs, or @vscode/test-electron via runDesktop.ts): runs mocha over
 * every *.test.js beside this file; rejects when any test fails.
 */
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 300_000, color: false, reporter: 'spec' });
  for (const f of readdirSync(__dirname).sort()) if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} host test(s) failed`)) : resolve()));
  });
}
