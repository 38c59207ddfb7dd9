/**
 * "ML Lab: Prune System..." from the palette, as `docker system prune --volumes` on an engine of
 * the test's own: a dockerd in a network namespace (test/support/remoteEngine.ts) that the
 * workspace setting `mlLab.engine.dockerHost` points at. The prune is global to that engine,
 * so it never touches the machine's shared engine. There: a stopped container with its own
 * network and volume, a dangling image, and a running container with its own network and
 * volume. The one confirmation lists what goes; afterwards only that is gone.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startRemoteEngine, type RemoteEngine } from '../support/remoteEngine';
import { Workbench, waitFor } from './support/workbench';

const image = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
let wb: Workbench | undefined;
let remote: RemoteEngine | undefined;
let failed = false;
let dangling = '';

before(async () => {
  remote = await startRemoteEngine('prsys');
  remote.loadImage(image);
  const d = (args: string[]) => remote!.docker(args);
  for (const n of ['lab-old', 'lab-used']) d(['network', 'create', n]);
  for (const v of ['old-data', 'used-data']) d(['volume', 'create', v]);
  d(['run', '--name', 'gone', '-v', 'old-data:/v', '--network', 'lab-old', image, 'sh', '-c', 'head -c 50000 /dev/urandom > /written']);
  d(['run', '-d', '--name', 'up', '-v', 'used-data:/v', '--network', 'lab-used', image, 'sleep', '600']);
  // A commit under a tag that a second commit then takes: the first image is dangling.
  d(['commit', 'gone', 'lab-snapshot:1']);
  dangling = d(['image', 'inspect', '--format', '{{.Id}}', 'lab-snapshot:1']);
  d(['commit', 'gone', 'lab-snapshot:1']);
  wb = await Workbench.start({ name: 'prune-system', lab: 'flask-app', workspaceSettings: { 'mlLab.engine.dockerHost': remote.unixHost } });
});

after(async () => {
  if (wb) {
    if (failed) await wb.saveFailure();
    await wb.stop();
  }
  await remote?.stop(); // the namespace engine and everything on it
});

async function step<T>(fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (e) { failed = true; throw e; }
}

void test('Prune System with volumes: one confirmation lists the stopped container, its network, volume and the dangling image; only they go', { timeout: 180_000 }, () => step(async () => {
  const w = wb!;
  const d = (args: string[]) => remote!.docker(args);
  await w.openSidebar();
  await w.findTreeRow('Containers', 'gone', 30_000);
  await w.runCommand('ML Lab: Prune System...');
  await w.pickQuickInputItem('Also unused volumes');
  await w.page.locator('.monaco-dialog-box').waitFor({ state: 'visible', timeout: 15_000 });
  await w.screenshot('prune-system-confirm');
  const dialog = await w.answerDialog('Remove');
  assert.match(dialog.message, /^Remove 1 container, 1 network, 1 image, 1 volume and reclaim about \d/, `one confirmation with the space: ${dialog.message}`);
  for (const name of ['gone', 'lab-old', 'old-data', dangling.slice(7, 19)]) assert.ok(dialog.detail.includes(name), `it lists ${name}: ${dialog.detail}`);
  for (const name of ['up ', 'lab-used', 'used-data']) assert.ok(!dialog.detail.includes(name), `it does not list ${name.trim()}: ${dialog.detail}`);
  assert.match(dialog.detail, /Stopped containers \(1, about 5\d(\.\d)? kB\)/, `the stopped container's written 50 kB are counted: ${dialog.detail}`);
  await waitFor('the prune to finish', () => d(['ps', '-aq', '--filter', 'name=^gone$']) === '' && d(['volume', 'ls', '-q', '--filter', 'name=old-data']) === '', 60_000, 300);
  const note = await waitFor('the closing message', async () => (await w.readNotifications()).find((m) => m.startsWith('Removed ')), 20_000);
  assert.match(note, /^Removed 1 container, 1 network, 1 dangling image, 1 volume; reclaimed /);
  assert.equal(d(['network', 'ls', '-q', '--filter', 'name=lab-old']), '', 'the unused network is gone');
  assert.equal(d(['images', '-q', '--no-trunc', '--filter', 'dangling=true']).includes(dangling), false, 'the dangling image is gone');
  assert.notEqual(d(['ps', '-q', '--filter', 'name=^up$']), '', 'the running container stays');
  assert.notEqual(d(['network', 'ls', '-q', '--filter', 'name=lab-used']), '', 'its network stays');
  assert.notEqual(d(['volume', 'ls', '-q', '--filter', 'name=used-data']), '', 'its volume stays');
  assert.notEqual(d(['images', '-q', 'lab-snapshot:1']), '', 'the tagged image stays');
  await w.screenshot('prune-system-done');
}));
