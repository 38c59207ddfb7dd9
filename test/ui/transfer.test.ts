/**
 * Files that cross the network, as a person does it in the workbench:
 * - local engine: Download Artifacts from a Containers row; the path is prefilled with the
 *   container's artifacts folder and the workspace's ./artifacts; the files appear on disk; a
 *   second download names the files that exist and Keep Existing leaves a changed one alone;
 *   Upload to Container from the Explorer's context menu on a folder;
 * - a remote engine (a dockerd in a network namespace over TCP+TLS, made by the test): running a
 *   profile with bind mounts shows the modal naming each one; Copy Instead uploads ./data into
 *   the container and downloads ./artifacts after it exits, which the exit notification reports
 *   with sizes, and the file the container wrote appears in the workspace.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { contextDir, writeDockerContext } from '../../src/core/contexts';
import { startRemoteEngine, type RemoteEngine } from '../support/remoteEngine';
import { Workbench, cleanupDocker, docker, runId, testLabel, waitFor } from './support/workbench';

const image = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const localName = `mllab-ui-xfer-${runId}`;
const remoteName = `mllab-ui-xfer-remote-${runId}`;
const contextName = 'lab-gpu-xfer';
let wb: Workbench | undefined;
let remote: RemoteEngine | undefined;
let configDir = '';
let failed = false;

before(async () => {
  docker(['run', '-d', '--name', localName, '--label', `${testLabel.key}=${testLabel.value}`, image, 'sh', '-c',
    'mkdir -p /usr/local/app/artifacts/plots && echo acc=0.97 > /usr/local/app/artifacts/metrics.txt && echo png > /usr/local/app/artifacts/plots/loss.png && sleep 600']);
  remote = await startRemoteEngine('uixfer');
  remote.loadImage(image);
  configDir = mkdtempSync(path.join(tmpdir(), 'mllab-ui-dockerconfig-'));
  writeDockerContext(configDir, { name: contextName, host: remote.tlsHost, tlsDir: remote.certDir, description: 'the namespace engine' },
    (n) => existsSync(path.join(configDir, 'contexts', 'meta', contextDir(n))));
  wb = await Workbench.start({
    name: 'transfer', lab: 'flask-app', env: { DOCKER_CONFIG: configDir },
    prepare: (ws) => {
      mkdirSync(path.join(ws, '.vscode'), { recursive: true });
      mkdirSync(path.join(ws, 'data'));
      writeFileSync(path.join(ws, 'data', 'in.txt'), 'rows from the laptop\n');
      writeFileSync(path.join(ws, '.vscode', 'mllab.yaml'), [
        'version: 1', 'profiles:', '  remote-train:', `    image: ${image}`, '    run:', `      name: ${remoteName}`,
        '      command: ["sh", "-c", "wc -c < /app/data/in.txt > /app/artifacts/count.txt; cp /app/data/in.txt /app/artifacts/echo.txt"]',
        '      volumes: ["./data:/app/data:ro", "./artifacts:/app/artifacts"]', '',
      ].join('\n'));
    },
  });
});

after(async () => {
  if (wb) {
    if (failed) await wb.saveFailure();
    await wb.stop();
  }
  cleanupDocker({ containerNames: [localName] });
  await remote?.stop();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

async function step<T>(fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (e) { failed = true; throw e; }
}

void test('Download Artifacts from the Containers view: files appear in the workspace; a second download names what exists', { timeout: 180_000 }, () => step(async () => {
  const w = wb!;
  await w.openSidebar();
  await w.contextMenu(await w.findTreeRow('Containers', localName, 30_000), 'Download Artifacts...');
  const first = await w.readQuickInput();
  assert.equal(first.value, '/usr/local/app/artifacts', 'the container\'s artifacts folder is prefilled');
  await w.answerQuickInput(first.value);
  const second = await w.readQuickInput();
  assert.equal(second.value, './artifacts');
  await w.answerQuickInput(second.value);
  const metrics = path.join(w.workspace, 'artifacts', 'metrics.txt');
  await waitFor('artifacts/metrics.txt on disk', () => existsSync(metrics) && readFileSync(metrics, 'utf8') === 'acc=0.97\n', 30_000);
  assert.equal(readFileSync(path.join(w.workspace, 'artifacts', 'plots', 'loss.png'), 'utf8'), 'png\n');
  const said = await waitFor('the download notification', async () => (await w.readNotifications()).find((m) => m.startsWith('Downloaded ')), 15_000);
  assert.match(said, new RegExp(`Downloaded 2 files \\(13 B\\) from ${localName}:/usr/local/app/artifacts into \\./artifacts`));
  await w.screenshot('download-artifacts');

  writeFileSync(metrics, 'mine\n');
  await w.contextMenu(await w.findTreeRow('Containers', localName), 'Download Artifacts...');
  await w.answerQuickInput((await w.readQuickInput()).value);
  await w.answerQuickInput((await w.readQuickInput()).value);
  const asked = await w.confirmDialog('Keep Existing', 30_000);
  assert.match(asked, /2 files in \.\/artifacts already exist/);
  await waitFor('the second download to finish', async () => (await w.readNotifications()).find((m) => /kept 2 existing/.test(m)), 30_000);
  assert.equal(readFileSync(metrics, 'utf8'), 'mine\n', 'Keep Existing left the changed file alone');
}));

void test('Upload to Container from the Explorer: a workspace folder lands at the path given in the picked container', { timeout: 120_000 }, () => step(async () => {
  const w = wb!;
  await w.openSidebar('Explorer');
  const row = w.page.locator('.part.sidebar .explorer-folders-view .monaco-list-row').filter({ has: w.page.locator('.label-name', { hasText: /^data$/ }) }).first();
  await row.waitFor({ timeout: 15_000 });
  await w.contextMenu(row, 'Upload to Container...');
  await w.pickQuickInputItem(localName);
  const target = await w.readQuickInput();
  assert.equal(target.value, '/data', 'prefilled with the container\'s WORKDIR (/) and the folder\'s name');
  await w.answerQuickInput('/usr/local/app/data');
  await waitFor('the upload in the container', () => docker(['exec', localName, 'cat', '/usr/local/app/data/in.txt'], true) === 'rows from the laptop', 30_000);
  const said = await waitFor('the upload notification', async () => (await w.readNotifications()).find((m) => m.startsWith('Uploaded ')), 15_000);
  assert.match(said, new RegExp(`Uploaded 1 file \\(21 B\\) from \\./data to ${localName}:/usr/local/app/data`));
  await w.openSidebar();
}));

void test('a profile with bind mounts on a remote engine: the modal names them; Copy Instead uploads ./data and downloads ./artifacts', { timeout: 240_000 }, () => step(async () => {
  const w = wb!;
  await w.contextMenu(await w.findTreeRow('Engines', contextName, 30_000), 'Use This Engine');
  await waitFor('the status bar to name the engine', async () => (await w.statusBarTexts()).find((t) => t.startsWith(`${contextName} · Docker `)), 30_000);
  await w.runCommand('ML Lab: Run Profile...');
  await w.pickQuickInputItem('remote-train');
  const dialog = w.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 30_000 });
  const detail = (await dialog.textContent()) ?? '';
  assert.match(detail, /These 2 bind mounts name folders on the engine's machine/);
  assert.match(detail, /\.\/data -> \/app\/data \(read-only\)/);
  assert.match(detail, /\.\/artifacts -> \/app\/artifacts/);
  await w.screenshot('remote-bind-mounts');
  await w.confirmDialog('Copy Instead');
  const count = path.join(w.workspace, 'artifacts', 'count.txt');
  await waitFor('artifacts/count.txt downloaded from the remote container', () => existsSync(count), 90_000);
  assert.equal(readFileSync(count, 'utf8').trim(), '21', 'the container read the uploaded ./data/in.txt');
  assert.equal(readFileSync(path.join(w.workspace, 'artifacts', 'echo.txt'), 'utf8'), 'rows from the laptop\n');
  const exit = await waitFor('the exit notification', async () => (await w.readNotifications()).find((m) => m.startsWith(`Container ${remoteName} exited`)), 30_000);
  assert.match(exit, /exited with code 0 .*Downloaded \.\/artifacts \(\d+ files, \d+ B\)/);
  // The run's container is on the remote engine, not here.
  assert.ok(remote!.docker(['ps', '-a', '--filter', `name=${remoteName}`, '--format', '{{.Names}}']).includes(remoteName));
  await w.screenshot('remote-copy-instead');
}));
