/**
 * Several rows at once: three containers selected with Ctrl+click in the Containers view are
 * stopped with one "Stop Container", then removed with one "Remove Container..." whose one
 * confirmation names all three. Made here with the docker CLI (named for this run, labelled).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Workbench, cleanupDocker, docker, runId, testLabel, waitFor } from './support/workbench';

const image = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const names = ['a', 'b', 'c'].map((s) => `mllab-ui-multi-${runId}-${s}`);
let wb: Workbench | undefined;
let failed = false;

const state = (name: string) => docker(['inspect', '--format', '{{.State.Status}}', name], true);

before(async () => {
  for (const n of names) {
    // exits at once on SIGTERM, so Stop does not wait the engine's 10 s
    docker(['run', '-d', '--name', n, '--label', `${testLabel.key}=${testLabel.value}`, image, 'sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done']);
  }
  wb = await Workbench.start({ name: 'multi-select', lab: 'flask-app' });
});

after(async () => {
  if (wb) {
    if (failed) await wb.saveFailure();
    await wb.stop();
  }
  cleanupDocker({ containerNames: names });
});

async function step<T>(fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (e) { failed = true; throw e; }
}

/** Selects the three rows: a click on the first, Ctrl+click on the others. Returns the last row. */
async function selectThree(w: Workbench) {
  await (await w.findTreeRow('Containers', names[0], 30_000)).click();
  for (const n of names.slice(1)) await (await w.findTreeRow('Containers', n, 30_000)).click({ modifiers: ['Control'] });
  const last = await w.findTreeRow('Containers', names[2], 30_000);
  const selected = await last.locator('xpath=ancestor::div[contains(concat(" ", @class, " "), " monaco-list ")][1]').locator('.monaco-list-row.selected').count();
  assert.equal(selected, 3, 'three rows are selected');
  return last;
}

void test('three selected containers: one Stop Container stops all three', { timeout: 180_000 }, () => step(async () => {
  const w = wb!;
  await w.openSidebar();
  for (const n of names) await w.waitForRowDescription('Containers', n, (d) => /Up /.test(d), `the row of ${n} to show it running`);
  const last = await selectThree(w);
  await w.screenshot('multi-select-three');
  await w.contextMenu(last, 'Stop Container');
  await waitFor('all three containers to stop', () => names.every((n) => state(n) === 'exited'), 60_000, 300);
  const notes = await waitFor('the outcome message', async () => (await w.readNotifications()).find((m) => /^Stopped 3 containers/.test(m)), 20_000);
  for (const n of names) assert.ok(notes.includes(n), `the message names ${n}: ${notes}`);
  for (const n of names) await w.waitForRowDescription('Containers', n, (d) => /Exited/.test(d), `the row of ${n} to show it exited`);
}));

void test('three selected containers: one Remove Container... names all three in one confirmation, then removes them', { timeout: 180_000 }, () => step(async () => {
  const w = wb!;
  const last = await selectThree(w);
  await w.contextMenu(last, 'Remove Container...');
  await w.page.locator('.monaco-dialog-box').waitFor({ state: 'visible', timeout: 15_000 });
  await w.screenshot('multi-select-remove-confirm');
  const dialog = await w.answerDialog('Remove');
  assert.match(dialog.message, /^Remove 3 containers\?/, `one confirmation for the three: ${dialog.message}`);
  for (const n of names) assert.ok(dialog.detail.includes(n), `the confirmation names ${n}: ${dialog.detail}`);
  assert.match(dialog.detail, /lost/, `it says what is lost: ${dialog.detail}`);
  await waitFor('the three containers to be removed', () => names.every((n) => state(n) === ''), 60_000, 300);
  for (const n of names) await waitFor(`the row of ${n} to disappear`, async () => !(await w.treeRowOrUndefined('Containers', n)), 30_000);
  await w.screenshot('multi-select-removed');
}));
