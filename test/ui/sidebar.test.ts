/**
 * Sidebar scenario: a person stops and removes a running container with clicks only:
 * activity bar, Containers view, context menu, confirmation dialog.
 *
 * The running container is made here with the docker CLI (labelled and named for this run), so
 * the scenario does not depend on the palette scenario.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Workbench, cleanupDocker, docker, runId, testLabel, waitFor } from './support/workbench';

const name = `mllab-ui-sidebar-${runId}`;
const image = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
let wb: Workbench | undefined;
let failed = false;

before(async () => {
  // Exits at once on SIGTERM, so Stop takes well under docker's 10 s grace period.
  docker(['run', '-d', '--name', name, '--label', `${testLabel.key}=${testLabel.value}`, image,
    'sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done']);
  wb = await Workbench.start({ name: 'sidebar', lab: 'flask-app' });
});

after(async () => {
  if (wb) {
    if (failed) await wb.saveFailure();
    await wb.stop();
  }
  cleanupDocker({ containerNames: [name] });
});

async function step<T>(fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (e) { failed = true; throw e; }
}

void test('stops a running container from its context menu and the row shows it exited', { timeout: 120_000 }, () => step(async () => {
  const w = wb!;
  await w.openSidebar();
  let row = await w.findTreeRow('Containers', name, 30_000);
  assert.match(await w.rowDescription(row), /Up /, 'the container starts out running');
  await w.contextMenu(row, 'Stop Container');
  const description = await waitFor(`the row of ${name} to show an exited state`, async () => {
    row = await w.findTreeRow('Containers', name, 5_000);
    const d = await w.rowDescription(row);
    return /Exited/.test(d) ? d : undefined;
  }, 60_000);
  assert.match(description, /Exited \(\d+\)/);
  assert.equal(docker(['inspect', '--format', '{{.State.Status}}', name]), 'exited');
  await w.screenshot('sidebar-container-stopped');
}));

void test('removes the container from its context menu after the confirmation and the row disappears', { timeout: 120_000 }, () => step(async () => {
  const w = wb!;
  const row = await w.findTreeRow('Containers', name, 30_000);
  await w.contextMenu(row, 'Remove Container...');
  const message = await w.confirmDialog('Remove');
  assert.match(message, new RegExp(name), `the dialog names the container: ${message}`);
  await waitFor(`the row of ${name} to disappear`, async () => !(await w.treeRowOrUndefined('Containers', name)), 30_000);
  assert.equal(docker(['ps', '-aq', '--filter', `name=^${name}$`], true), '', 'the engine no longer has the container');
  await w.screenshot('sidebar-container-removed');
}));
