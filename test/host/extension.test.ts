/**
 * Host tier: the extension in a real VS Code extension host. Commands are executed the way the
 * palette executes them, with their inputs given as arguments instead of typed.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, chmodSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MlLabApi } from '../../src/extension';
import { BASE_IMAGE, TEST_LABEL, cleanup, runId, testEngine, waitFor } from '../support/fixtures';

const EXTENSION_ID = 'ml-container-lab.ml-container-lab';
const RUN = runId('host');
const tag = `mllab-hosttest/iris:${RUN}`;

async function api(): Promise<MlLabApi> {
  const ext = vscode.extensions.getExtension<MlLabApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  return ext.activate();
}

describe('ML Container Lab in a real extension host', () => {
  after(async () => {
    await cleanup(testEngine(), RUN, [tag]);
  });

  it('activates and reports how long activate() took', async () => {
    const a = await api();
    assert.ok(Number.isFinite(a.activationMs), 'activate() reports its time (the figure is printed by test/host/index.ts)');
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive);
  });

  it('registers every command that package.json contributes', async () => {
    await api();
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: Array<{ command: string }> } };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = pkg.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
    assert.ok(pkg.contributes.commands.length >= 10);
  });

  it('builds and runs the iris lab through its own commands; the views list the image and the container; metrics.json appears in the workspace', async () => {
    const a = await api();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'a workspace folder is open');
    const dockerfile = path.join(folder, 'train.dockerfile');
    assert.ok(existsSync(dockerfile), 'the iris lab is the workspace');
    // The lab's container user is uid 1000; CI runs as root, so make the artifacts folder writable for it.
    mkdirSync(path.join(folder, 'artifacts'), { recursive: true });
    chmodSync(path.join(folder, 'artifacts'), 0o777);

    const built = (await vscode.commands.executeCommand('mlLab.image.build', { dockerfile, tag, buildArgs: { BASE_IMAGE } })) as
      | { tag: string; imageId: string }
      | undefined;
    assert.ok(built, 'the build command returned the image (see the log for its error)');
    assert.equal(built.tag, tag);
    const imageRow = await waitFor(
      'the image row under its repository',
      async () => {
        await a.images.getChildren();
        return a.images.find((n) => n.kind === 'image' && n.ref === tag);
      },
      10_000,
    );
    assert.equal(a.images.getParent(imageRow)?.label, 'mllab-hosttest/iris');
    assert.match(imageRow.description ?? '', /B · .* ago · [0-9a-f]{12}$/);

    const run = (await vscode.commands.executeCommand('mlLab.container.run', {
      image: tag,
      ports: '',
      mounts: './artifacts:/usr/local/app/artifacts',
      env: '',
      command: '',
      mode: 'detached',
      name: `mllab-hosttest-iris-${RUN}`,
      labels: { [TEST_LABEL]: RUN },
    })) as { id: string; name: string } | undefined;
    assert.ok(run, 'the run command returned the container');
    const row = await waitFor(
      'the container row to show the finished training',
      async () => {
        await a.containers.getChildren();
        return a.containers.find((n) => n.kind === 'container' && n.label === run.name && /Exited \(0\)/.test(n.description ?? ''));
      },
      60_000,
      500,
    );
    assert.ok(row.description?.startsWith(`${tag} · Exited (0)`), row.description);
    const mount = row.children?.find((c) => c.kind === 'mount');
    assert.equal(mount?.label, `${path.join(folder, 'artifacts')} -> /usr/local/app/artifacts`);
    const metricsPath = path.join(folder, 'artifacts', 'metrics.json');
    assert.ok(existsSync(metricsPath), 'metrics.json written through the bind mount');
    const metrics = JSON.parse(readFileSync(metricsPath, 'utf8')) as { accuracy: number };
    assert.ok(metrics.accuracy > 0.7);
  });

  it('rejects a bad port binding with a message naming the bad part, and runs nothing', async () => {
    const before = (await testEngine().listContainers({ label: [`${TEST_LABEL}=${RUN}`] })).length;
    const result = await vscode.commands.executeCommand('mlLab.container.run', {
      image: tag,
      ports: '80:abc',
      mounts: '',
      env: '',
      command: '',
      name: `mllab-hosttest-bad-${RUN}`,
      mode: 'detached',
      labels: { [TEST_LABEL]: RUN },
    });
    assert.equal(result, undefined);
    const after = (await testEngine().listContainers({ label: [`${TEST_LABEL}=${RUN}`] })).length;
    assert.equal(after, before);
  });
});
