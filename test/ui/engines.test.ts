/**
 * Engines scenario: a second machine made by the test (a dockerd in a network
 * namespace, reached over TCP+TLS), known to the Docker CLI as a context in a throw-away
 * DOCKER_CONFIG. In the Engines view a person sees it answer, chooses "Use This Engine", and
 * every view follows without a reload: the status bar names it and the Containers view lists
 * the remote container, not the local one; then back to the default engine. A third context
 * points at Podman's Docker-compatible API (test/support/podmanEngine.ts): its row says Podman.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { contextDir, writeDockerContext } from '../../src/core/contexts';
import { startRemoteEngine, type RemoteEngine } from '../support/remoteEngine';
import { havePodman, startPodman, type PodmanEngine } from '../support/podmanEngine';
import { Workbench, cleanupDocker, docker, runId, testLabel, waitFor } from './support/workbench';

const image = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const remoteName = `mllab-ui-remote-${runId}`;
const localName = `mllab-ui-local-${runId}`;
const contextName = 'lab-gpu';
let wb: Workbench | undefined;
let remote: RemoteEngine | undefined;
let configDir = '';
let podman: PodmanEngine | undefined;
let failed = false;

before(async () => {
  remote = await startRemoteEngine('ui');
  remote.loadImage(image);
  remote.docker(['run', '-d', '--name', remoteName, '--label', `${testLabel.key}=${testLabel.value}`, image, 'sleep', '600']);
  docker(['run', '-d', '--name', localName, '--label', `${testLabel.key}=${testLabel.value}`, image, 'sleep', '600']);
  configDir = mkdtempSync(path.join(tmpdir(), 'mllab-ui-dockerconfig-'));
  writeDockerContext(configDir, { name: contextName, host: remote.tlsHost, tlsDir: remote.certDir, description: 'the namespace engine' },
    (n) => existsSync(path.join(configDir, 'contexts', 'meta', contextDir(n))));
  if (havePodman()) {
    podman = await startPodman();
    writeDockerContext(configDir, { name: 'lab-podman', host: podman.unixHost, description: 'Podman' }, (n) => existsSync(path.join(configDir, 'contexts', 'meta', contextDir(n))));
  }
  wb = await Workbench.start({ name: 'engines', lab: 'flask-app', env: { DOCKER_CONFIG: configDir } });
});

after(async () => {
  if (wb) {
    if (failed) await wb.saveFailure();
    await wb.stop();
  }
  cleanupDocker({ containerNames: [localName] });
  await remote?.stop();
  await podman?.stop();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

async function step<T>(fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (e) { failed = true; throw e; }
}

void test('switches to a TLS engine from the Engines view and back; every view follows without a reload', { timeout: 180_000 }, () => step(async () => {
  const w = wb!;
  await w.openSidebar();
  await w.findTreeRow('Containers', localName, 30_000);
  const described = await w.waitForRowDescription('Engines', contextName, (d) => /Docker \d+\.\d+.*CPUs/.test(d), `the ${contextName} row to show the engine's /info`, 60_000);
  assert.match(described, new RegExp(`tcp://${remote!.address.replace(/\./g, '\\.')}:2376`));
  assert.match(described, /no GPU runtime/);
  await w.contextMenu(await w.findTreeRow('Engines', contextName), 'Use This Engine');
  await waitFor('the status bar to name the engine', async () => (await w.statusBarTexts()).find((t) => t.startsWith(`${contextName} · Docker `)), 30_000);
  await w.findTreeRow('Containers', remoteName, 30_000);
  assert.equal(await w.treeRowOrUndefined('Containers', localName), undefined, 'the local container is not listed while the remote engine is in use');
  await w.waitForRowDescription('Engines', contextName, (d) => d.startsWith('current'), `${contextName} to be marked current`);
  await w.screenshot('engines-switched');

  await w.contextMenu(await w.findTreeRow('Engines', 'default'), 'Use This Engine');
  await waitFor('the status bar to show the local engine', async () => (await w.statusBarTexts()).find((t) => /^Docker \S+ · \d+\/\d+$/.test(t)), 30_000);
  await w.findTreeRow('Containers', localName, 30_000);
  assert.equal(await w.treeRowOrUndefined('Containers', remoteName), undefined);
}));

void test('recognises a Podman engine in the Engines view and says so', { timeout: 120_000, skip: !havePodman() && 'podman is not installed (scripts/setup/remote.sh)' }, () => step(async () => {
  const w = wb!;
  await w.openSidebar();
  const described = await w.waitForRowDescription('Engines', 'lab-podman', (d) => /Podman \d+\.\d+/.test(d), 'the lab-podman row to show Podman', 60_000);
  assert.match(described, /Podman 4\.\d+\.\d+ · linux\/\S+ · \d+ CPUs/);
  assert.doesNotMatch(described, /Docker/);
}));
