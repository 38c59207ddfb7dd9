/**
 * Several rows at once: three containers selected with Ctrl+click in the Containers view are
 * stopped with one "Stop Container", then removed with one "Remove Container..." whose one
 * confirmation names all three. Made here with the docker CLI (named for this run, labelled).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MenuOnOtherRowError, Workbench, cleanupDocker, docker, runId, testLabel, waitFor } from './support/workbench';

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

/**
 * Selects the three rows and chooses `item` in the last one's context menu. Other users' containers
 * coming and going on a shared engine can move the rows, so a right-click that landed on another
 * row (its menu is closed unused) is tried again, with the three selected again.
 */
async function chooseOnThree(w: Workbench, item: string, screenshot?: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const last = await selectThree(w);
    if (screenshot && attempt === 1) await w.screenshot(screenshot);
    try {
      await w.contextMenu(last, item, { expectRow: names[2] });
      return;
    } catch (e) {
      if (!(e instanceof MenuOnOtherRowError) || attempt === 5) throw e;
      console.log(`[ui] the right-click landed on '${e.row}'; again`);
    }
  }
}

void test('three selected containers: one Stop Container stops all three', { timeout: 180_000 }, () => step(async () => {
  const w = wb!;
  await w.openSidebar();
  for (const n of names) await w.waitForRowDescription('Containers', n, (d) => /Up /.test(d), `the row of ${n} to show it running`);
  await chooseOnThree(w, 'Stop Container', 'multi-select-three');
  await waitFor('all three containers to stop', () => names.every((n) => state(n) === 'exited'), 60_000, 300);
  const notes = await waitFor('the outcome message', async () => (await w.readNotifications()).find((m) => /^Stopped 3 containers/.test(m)), 20_000);
  for (const n of names) assert.ok(notes.includes(n), `the message names ${n}: ${notes}`);
  for (const n of names) await w.waitForRowDescription('Containers', n, (d) => /Exited/.test(d), `the row of ${n} to show it exited`);
}));

void test('three selected containers: one Remove Container... names all three in one confirmation, then removes them', { timeout: 180_000 }, () => step(async () => {
  const w = wb!;
  await chooseOnThree(w, 'Remove Container...');
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
