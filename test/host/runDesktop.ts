/**
 * `npm run test:desktop`: the same host suite in desktop VS Code through @vscode/test-electron
 * (2.5.x runs on Node 20). It downloads VS Code, so it works on a machine with the internet,
 * not on the CI machines (../shared/environment.md): there the suite runs in code-server.
 */
import { runTests } from '@vscode/test-electron';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..', '..');
  const workspace = mkdtempSync(path.join(tmpdir(), 'mllab-desktop-'));
  cpSync(path.join(root, 'test', 'fixtures', 'labs', 'iris-train'), workspace, { recursive: true });
  await runTests({
    version: process.env.MLLAB_VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(__dirname, 'index'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((err: unknown) => {
  console.error(`Desktop host tests failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
