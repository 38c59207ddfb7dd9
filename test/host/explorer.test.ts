/**
 * Host tier: the explorer's providers and commands in a real extension host, against objects
 * this suite creates on the real engine (labelled org.mllab.test=<run>, removed at the end).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MlLabApi } from '../../src/extension';
import type { Engine } from '../../src/engine/engine';
import { TEST_LABEL, cleanup, runId, testEngine, waitFor } from '../support/fixtures';
import { nextFreePort } from '../../src/core/run/freePort';

const EXTENSION_ID = 'ml-container-lab.ml-container-lab';
const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const RUN = runId('hostx');
const labels = { [TEST_LABEL]: RUN };
const repo = `mllab-hosttest/explorer-${RUN}`;
const volume = `mllab-hosttest-vol-${RUN}`;
const name = `mllab-hosttest-web-${RUN}`;

describe('explorer views in a real extension host', () => {
  let api: MlLabApi;
  let engine: Engine;
  let danglingId = '';
  let hostPort = 0;
  before(async () => {
    hostPort = await nextFreePort(4010);
    api = await vscode.extensions.getExtension<MlLabApi>(EXTENSION_ID)!.activate();
    engine = testEngine();
    await engine.createVolume(volume, labels);
    const { id } = await engine.runContainer({
      image: TINY,
      name,
      cmd: ['sh', '-c', 'echo hello > /data/x; exec httpd -f -p 8080'],
      ports: [{ hostPort, containerPort: 8080, protocol: 'tcp' }],
      mounts: [{ type: 'volume', source: volume, target: '/data', readOnly: false }],
      labels,
      bindAddress: '127.0.0.1',
    });
    // two commits to one tag: the first image becomes dangling
    danglingId = await engine.commitContainer(id, repo, 'v1', labels);
    await engine.commitContainer(id, repo, 'v1', { ...labels, second: 'yes' });
    await engine.tagImage(TINY, repo, 'big-base');
  });
  after(async () => {
    await cleanup(engine, RUN, [`${repo}:v1`, `${repo}:big-base`, danglingId]);
    await engine.removeVolume(volume).catch(() => undefined);
    await Promise.all([api.containers, api.images, api.volumes].map((p) => p.setQuery({ filter: '', sort: 'name' })));
  });

  it('shows the container with its port binding, named volume mount, files and image as children', async () => {
    const row = await waitFor('the container row', async () => {
      await api.containers.getChildren();
      return api.containers.find((n) => n.kind === 'container' && n.label === name);
    });
    assert.match(row.description ?? '', new RegExp(`Up .* · 127\\.0\\.0\\.1:${hostPort}->8080/tcp$`));
    assert.equal(row.contextValue, 'container;running;hasPorts;');
    const kids = await api.containers.getChildren(row);
    assert.deepEqual(
      kids.map((k) => k.label),
      [`127.0.0.1:${hostPort} -> 8080/tcp`, `${volume} -> /data`, 'Files', TINY],
    );
    assert.deepEqual(kids[0].command?.args, [`http://127.0.0.1:${hostPort}`]);
  });

  it('filters the Containers view by name through its command, and says when nothing matches', async () => {
    await vscode.commands.executeCommand('mlLab.containers.filter', `web-${RUN}`);
    const shown = await api.containers.getChildren();
    assert.deepEqual(shown.map((n) => n.label), [name]);
    await vscode.commands.executeCommand('mlLab.containers.filter', 'no-such-container-anywhere');
    const none = await api.containers.getChildren();
    assert.equal(none.length, 1);
    assert.equal(none[0].kind, 'message');
    assert.match(none[0].label, /Nothing matches/);
    await vscode.commands.executeCommand('mlLab.containers.clearFilter');
    assert.equal(api.containers.filter, '');
  });

  it('groups tags under the repository, hides the dangling image until toggled, and sorts by size', async () => {
    await vscode.commands.executeCommand('mlLab.images.filter', repo);
    let shown = await api.images.getChildren();
    assert.deepEqual(shown.map((n) => n.label), [repo]);
    assert.deepEqual(shown[0].children?.map((c) => c.label), ['big-base', 'v1']);
    // hovering a tag completes its tooltip with what the list API does not give
    const tagNode = shown[0].children![1];
    const item = await api.images.resolveTreeItem(api.images.getTreeItem(tagNode), tagNode);
    assert.match(String(item.tooltip), /\nArchitecture: linux\/(amd64|arm64)$/);
    assert.match(String(item.tooltip), /^mllab-hosttest\/explorer-.*:v1\nId: sha256:/);
    assert.ok(!api.images.find((n) => n.ref === danglingId), 'dangling image hidden by default');

    const nowShowing = await vscode.commands.executeCommand<boolean>('mlLab.images.toggleDangling');
    assert.equal(nowShowing, true);
    await vscode.commands.executeCommand('mlLab.images.filter', danglingId.slice(7, 19));
    shown = await api.images.getChildren();
    assert.equal(shown[0].label, '<none>');
    assert.equal(shown[0].children?.[0].ref, danglingId);
    await vscode.commands.executeCommand('mlLab.images.toggleDangling');

    await vscode.commands.executeCommand('mlLab.images.filter', repo);
    await vscode.commands.executeCommand('mlLab.images.sort', 'created');
    shown = await api.images.getChildren();
    assert.deepEqual(shown[0].children?.map((c) => c.label), ['v1', 'big-base'], 'newest first');
  });

  it('lists the volume with the container that uses it', async () => {
    await vscode.commands.executeCommand('mlLab.volumes.filter', volume);
    const [node] = await api.volumes.getChildren();
    assert.equal(node.label, volume);
    assert.match(node.description ?? '', new RegExp(`^local · .*used by ${name}$`));
    assert.equal(node.contextValue, 'volume;inUse;');
  });

  it('inspects a container as JSON in a read-only editor', async () => {
    await api.containers.getChildren();
    const row = api.containers.find((n) => n.kind === 'container' && n.label === name);
    assert.ok(row, 'the container row is listed');
    await vscode.commands.executeCommand('mlLab.container.inspect', row);
    const editor = await waitFor('the inspect editor', async () =>
      vscode.window.activeTextEditor?.document.uri.scheme === 'mllab' ? vscode.window.activeTextEditor : undefined,
    );
    const json = JSON.parse(editor.document.getText()) as { Name: string; Config: { Labels: Record<string, string> } };
    assert.equal(json.Name, `/${name}`);
    assert.equal(json.Config.Labels[TEST_LABEL], RUN);
    assert.equal(editor.document.languageId, 'json');
  });

  it('shows the image history with each layer\'s instruction', async () => {
    const text = await vscode.commands.executeCommand<string>('mlLab.image.history', `${repo}:big-base`);
    assert.match(text, /busybox --install/);
    assert.match(text, /^History of .*: \d+ layers/);
  });

  it('stops the container through its command; the row shows the exited state and loses the port', async () => {
    await vscode.commands.executeCommand('mlLab.container.stop', { id: name });
    const row = await waitFor('the exited row', async () => {
      await api.containers.getChildren();
      return api.containers.find((n) => n.kind === 'container' && n.label === name && /Exited/.test(n.description ?? ''));
    });
    assert.match(row.contextValue ?? '', /^container;exited;$/);
  });
});
