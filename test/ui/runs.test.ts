/**
 * Training runs scenario: a person runs a profile whose container prints
 * `epoch N loss X acc Y` lines, opens the Training Run panel while it runs and sees the
 * charts gain points (read from the webview's DOM: each chart's data-points, and the
 * uPlot drawing log window.mllabDraws), reloads the window and finds the panel rebuilt,
 * compares two runs, re-runs one from the Runs view (same image digest), picks two runs in the
 * Runs tree (multi-select) and compares them, and deletes a run from the Runs view.
 * Screenshots: test-results/ui/runs-panel.png, runs-panel-exited.png, runs-compare.png,
 * runs-compare-tree.png, runs-delete-confirm.png.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Frame, Locator } from 'playwright-core';
import type { RunRecord } from '../../src/core/runs/record';
import { Workbench, workbenchScenario, writeProfiles, cleanupDocker, docker, runId, sleep, testLabel, waitFor } from './support/workbench';

const image = 'mllab-test/busybox:1';
const nameA = `mllab-ui-runs-a-${runId}`;
const nameB = `mllab-ui-runs-b-${runId}`;
const epochsA = 30;
const epochsB = 6;

// loss scale/N with 4 decimals and acc 0.5+N/100, printed every `pause` seconds (busybox sh and awk)
const script = (pause: string, scale: number) =>
  `i=1; while [ $i -le $EPOCHS ]; do awk -v i=$i 'BEGIN { printf "epoch %d loss %.4f acc %.2f\\n", i, ${scale}/i, 0.5+i/100 }'; sleep ${pause}; i=$((i+1)); done`;

const profilesYaml = `version: 1
profiles:
  ui-train:
    description: Prints a falling loss for ${epochsA} epochs
    image: ${image}
    run:
      name: ${nameA}
      command: ["sh", "-c", ${JSON.stringify(script('0.5', 1))}]
      env: { EPOCHS: "${epochsA}" }
      labels: { ${testLabel.key}: ${testLabel.value} }
  ui-train-short:
    description: The same for ${epochsB} epochs, with a seed
    image: ${image}
    run:
      name: ${nameB}
      command: ["sh", "-c", ${JSON.stringify(script('0.1', 0.6))}]
      env: { EPOCHS: "${epochsB}", SEED: "7" }
      labels: { ${testLabel.key}: ${testLabel.value} }
`;

const chartPoints = (f: Frame, metric: string) =>
  f.locator(`section.chart[data-metric="${metric}"]`).first().getAttribute('data-points').then((v) => Number(v ?? '0'));

const { wb, step } = workbenchScenario({
  name: 'runs', lab: 'iris-train',
  prepare: writeProfiles(profilesYaml),
}, {
  cleanup: () => {
    cleanupDocker({ containerNames: [nameA, nameB] });
  },
});

void test('opens the Training Run panel during a run and sees the charts gain points', { timeout: 240_000 }, () => step(async () => {
  const w = wb();
  await w.runCommand('ML Lab: Run Profile...');
  await w.pickQuickInputItem('ui-train');
  await waitFor(`${nameA} to run`, async () => docker(['inspect', '--format', '{{.State.Running}}', nameA], true) === 'true', 60_000);
  await w.runCommand('ML Lab: Open Training Run');
  await w.pickQuickInputItem(/^ui-train /);
  const f = await w.webviewFrame('section.chart[data-metric="loss"]', 30_000);
  const first = await chartPoints(f, 'loss');
  assert.ok(first >= 1 && first < epochsA, `the chart starts mid-run: ${first} points`);
  const later = await waitFor('the loss chart to gain points', async () => {
    const n = await chartPoints(f, 'loss');
    return n >= first + 3 ? n : undefined;
  }, 30_000);
  assert.ok(later > first);
  // what uPlot drew last equals what the container printed for that epoch
  const draws = await f.evaluate(() => (globalThis as unknown as { mllabDraws: Array<{ last: Record<string, [number, number]> }> }).mllabDraws);
  const lastLoss = draws.map((d) => d.last.loss).filter(Boolean).pop()!;
  assert.equal(lastLoss[1], Number((1 / lastLoss[0]).toFixed(4)), `epoch ${lastLoss[0]}: loss 1/${lastLoss[0]}`);
  assert.equal(await f.locator('#info').getAttribute('data-status'), 'running');
  assert.equal(await f.locator('section.chart[data-metric="acc"]').count(), 1, 'one chart per metric');
  await sleep(300);
  await w.screenshot('runs-panel');
  // the end: status, exit code, every epoch
  await waitFor('the panel to show the exit', async () => (await f.locator('#info').getAttribute('data-status')) === 'exited', 60_000);
  assert.equal(await f.locator('#info').getAttribute('data-exit-code'), '0');
  assert.equal(await chartPoints(f, 'loss'), epochsA);
  assert.equal((await f.locator('#last tr[data-metric="loss"] td.num').textContent())?.trim(), String(Number((1 / epochsA).toFixed(4))));
  await w.screenshot('runs-panel-exited');
}));

void test('the panel survives a window reload, rebuilt from the record and the container logs', { timeout: 180_000 }, () => step(async () => {
  const w = wb();
  await w.page.reload();
  await w.waitForWorkbench();
  const f = await w.webviewFrame('section.chart[data-metric="loss"]', 60_000);
  const n = await waitFor('the rebuilt chart to have every epoch', async () => ((await chartPoints(f, 'loss')) === epochsA ? epochsA : undefined), 30_000);
  assert.equal(n, epochsA);
  assert.equal(await f.locator('#info').getAttribute('data-exit-code'), '0');
}));

void test('compares two runs: overlaid curves per metric and a table of what differs', { timeout: 180_000 }, () => step(async () => {
  const w = wb();
  await w.runCommand('ML Lab: Run Profile...');
  await w.pickQuickInputItem('ui-train-short');
  await w.waitForRowDescription('Runs', 'profile: ui-train-short', (d) => d === '1 run', 'the Runs view to list the second run', 60_000);
  await waitFor(`${nameB} to exit`, async () => docker(['inspect', '--format', '{{.State.Status}}', nameB], true) === 'exited', 60_000);
  await sleep(1500); // the record is finished after the logs end
  await w.runCommand('ML Lab: Compare Runs...');
  // a multi-select quick pick: a click on a row ticks it, Enter accepts the ticked rows
  await w.quickInputRows().first().waitFor({ timeout: 15_000 });
  const rows = await w.quickInputRows().all();
  assert.equal(rows.length, 2, 'the picker lists the two recorded runs');
  for (const r of rows) await r.click();
  await w.quickInputBox().press('Enter');
  const f = await w.webviewFrame('#diff', 30_000);
  const fields = await f.locator('#diff tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-field')));
  assert.ok(fields.includes('profile') && fields.includes('env names') && fields.includes('command'), `differing fields: ${fields.join(', ')}`);
  assert.ok(fields.includes('loss') && fields.includes('acc'), `final metrics rows: ${fields.join(', ')}`);
  assert.match((await f.locator('#diff tr[data-field="env names"]').textContent()) ?? '', /EPOCHS, SEED/);
  assert.ok(!((await f.locator('#diff').textContent()) ?? '').includes('"7"'), 'no env values');
  // two curves on the loss chart: uPlot's legend lists x plus one series per run
  assert.equal(await f.locator('section.chart[data-metric="loss"] .u-legend .u-series').count(), 3);
  await sleep(300);
  await w.screenshot('runs-compare');
}));

void test('re-runs a run from the Runs view with the same image digest', { timeout: 180_000 }, () => step(async () => {
  const w = wb();
  const imageId = docker(['image', 'inspect', '--format', '{{.Id}}', image]);
  // groups are listed by their newest run: the first run row is the short profile's
  await w.findTreeRow('Runs', 'profile: ui-train-short');
  const row = await waitFor('a run row', () => w.treeRowOrUndefined('Runs', /^\d+\/\d+\/\d+,? /), 15_000);
  const oldId = docker(['inspect', '--format', '{{.Id}}', nameB]);
  await w.contextMenu(row, 'Re-run Exactly');
  await w.confirmDialog('Replace'); // the profile names its container: the old one is replaced
  await waitFor(`a new ${nameB}`, async () => {
    const id = docker(['inspect', '--format', '{{.Id}}', nameB], true);
    return id && id !== oldId ? id : undefined;
  }, 60_000);
  assert.equal(docker(['inspect', '--format', '{{.Config.Image}}', nameB]), imageId, 'the re-run asked for the image by its digest');
  assert.match(docker(['inspect', '--format', '{{range .Config.Env}}{{println .}}{{end}}', nameB]), /^SEED=7$/m, 'env values came from the profile');
  await w.waitForRowDescription('Runs', 'profile: ui-train-short', (d) => d === '2 runs', 'the Runs view to list the re-run', 60_000);
}));

/** The run records the extension stored: files under code-server's workspace storage. */
function storedRecords(w: Workbench): Array<{ file: string; record: RunRecord }> {
  const root = join(w.userDataDir, 'User', 'workspaceStorage');
  const out: Array<{ file: string; record: RunRecord }> = [];
  for (const ws of existsSync(root) ? readdirSync(root) : []) {
    const dir = join(root, ws, 'ml-container-lab.ml-container-lab', 'runs');
    for (const f of existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.json')) : []) {
      out.push({ file: join(dir, f), record: JSON.parse(readFileSync(join(dir, f), 'utf8')) as RunRecord });
    }
  }
  return out;
}

/** The Runs view's run rows (level 2, under their profile groups) in the order shown, with their labels. */
async function runRows(w: Workbench): Promise<Array<{ row: Locator; label: string }>> {
  const pane = await w.view('Runs');
  const rows = await pane.locator('.monaco-list-row[aria-level="2"]').all();
  const infos = await Promise.all(rows.map(async (row) => ({
    row,
    index: Number(await row.getAttribute('data-index')),
    label: ((await row.locator('.label-name').first().textContent()) ?? '').trim(),
  })));
  return infos.sort((a, b) => a.index - b.index).map(({ row, label }) => ({ row, label }));
}

void test('compares two runs picked in the Runs tree (multi-select, context menu): both curves and the table of differences', { timeout: 180_000 }, () => step(async () => {
  const w = wb();
  await w.runCommand('View: Close All Editors');
  // groups newest first: [ui-train-short: re-run, first run], [ui-train: its run]
  const rows = await waitFor('three run rows', async () => {
    const r = await runRows(w);
    return r.length === 3 ? r : undefined;
  }, 30_000);
  const [short, long] = [rows[1], rows[2]];
  await short.row.click();
  await long.row.click({ modifiers: ['Control'] });
  await waitFor('two selected rows', async () => ((await (await w.view('Runs')).locator('.monaco-list-row.selected').count()) === 2 ? true : undefined), 10_000);
  await w.contextMenu(long.row, 'Compare Runs...');
  const f = await w.webviewFrame('#diff', 30_000);
  const header = await f.locator('#diff thead th').allTextContents();
  assert.equal(header.length, 3, `a column per run: ${header.join(' | ')}`);
  assert.ok(header.some((h) => h.includes('ui-train-short')) && header.some((h) => /ui-train \d/.test(h)), `the two runs head the table: ${header.join(' | ')}`);
  const profileRow = (await f.locator('#diff tr[data-field="profile"] td').allTextContents()).map((t) => t.trim()).sort();
  assert.deepEqual(profileRow, ['ui-train', 'ui-train-short']);
  assert.equal(await f.locator('#diff tr[data-field="profile"]').getAttribute('class'), 'differs');
  // both curves: uPlot's legend lists x plus one series per run, on the loss and the acc chart
  for (const metric of ['loss', 'acc']) assert.equal(await f.locator(`section.chart[data-metric="${metric}"] .u-legend .u-series`).count(), 3, metric);
  // the chart's x values span the longer run (every epoch of ui-train)
  assert.equal(await chartPoints(f, 'loss'), epochsA);
  await f.locator('#diff').hover(); // no tooltip of the tree over the screenshot
  await sleep(300);
  await w.screenshot('runs-compare-tree');
}));

void test('deletes a run from the Runs view: asks first, naming what is lost; the record and its row go', { timeout: 180_000 }, () => step(async () => {
  const w = wb();
  await w.runCommand('View: Close All Editors');
  const before = await waitFor('two finished records of ui-train-short', async () => {
    const r = storedRecords(w).filter((s) => s.record.profile === 'ui-train-short' && s.record.status !== 'running');
    return r.length === 2 ? r : undefined;
  }, 30_000);
  const rows = await runRows(w);
  const victim = rows[1]; // the first run of ui-train-short (the older of its two)
  const oldest = [...before].sort((a, b) => a.record.startedAt.localeCompare(b.record.startedAt))[0];
  await victim.row.click(); // one row selected: the menu acts on it alone
  await w.contextMenu(victim.row, 'Delete Run Record...');
  const dialog = w.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 15_000 });
  const detail = ((await dialog.locator('.dialog-message-detail').textContent()) ?? '').trim();
  await w.screenshot('runs-delete-confirm');
  const message = await w.confirmDialog('Delete');
  assert.equal(message, `Delete the record of ui-train-short ${oldest.record.startedAt.slice(0, 16).replace('T', ' ')}?`);
  assert.match(detail, /settings, metrics and curves are lost/);
  assert.match(detail, /Containers, images and artifacts folders are not touched/);
  await w.waitForRowDescription('Runs', 'profile: ui-train-short', (d) => d === '1 run', 'the group to list one run', 30_000);
  assert.ok(!existsSync(oldest.file), `the record file is gone: ${oldest.file}`);
  const after = storedRecords(w).filter((s) => s.record.profile === 'ui-train-short');
  assert.deepEqual(after.map((s) => s.record.id), before.filter((s) => s !== oldest).map((s) => s.record.id));
  assert.ok(!(await runRows(w)).some((r) => r.label === victim.label), `no row ${victim.label} any more`);
}));
