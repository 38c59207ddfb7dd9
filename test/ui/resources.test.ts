/**
 * Resources and a diagnosed death, as a person sees them: a profile whose Python container
 * trains (prints epochs) while it holds growing memory and burns CPU; the Training Run panel
 * shows CPU %, memory against the limit, network and block I/O live from the stats stream, with
 * two small charts. Then a profile with `memory: 48m` that outgrows it: the kernel OOM-kills it,
 * the exit notification says so (limit, peak, what to change) with "Re-run with 96 MiB Memory",
 * and the panel shows the same sentence; the button re-runs it with a 96 MiB limit. Compare
 * shows the peaks, a row each.
 * Screenshots: test-results/ui/resources-panel.png, resources-oom-notification.png,
 * resources-oom-panel.png, resources-compare.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Frame } from 'playwright-core';
import { cleanupDocker, docker, runId, sleep, testLabel, waitFor, workbenchScenario } from './support/workbench';

const image = process.env.MLLAB_BASE_IMAGE ?? 'mllab-test/python-ml:bookworm';
const nameBusy = `mllab-ui-res-busy-${runId}`;
const nameOom = `mllab-ui-res-oom-${runId}`;

// 16 epochs, 0.75 s each: 4 MiB more memory per epoch, the CPU busy in between
const busy = [
  'import time',
  'keep = []',
  'for epoch in range(1, 17):',
  '    keep.append(bytearray(4 * 1024 * 1024))',
  '    for i in range(0, len(keep[-1]), 4096): keep[-1][i] = 1',
  '    end = time.time() + 0.75',
  '    while time.time() < end: pass',
  '    print(f"epoch {epoch} loss {1 / epoch:.4f}", flush=True)',
].join('\n');
// grows 2 MiB every 0.1 s past its 48 MiB limit
const oom = [
  'import time',
  'keep = []',
  'for step in range(1, 1000):',
  '    keep.append(bytearray(2 * 1024 * 1024))',
  '    for i in range(0, len(keep[-1]), 4096): keep[-1][i] = 1',
  '    print(f"step {step} loss {1 / step:.4f}", flush=True)',
  '    time.sleep(0.1)',
].join('\n');

const profilesYaml = `version: 1
profiles:
  ui-busy:
    description: Trains while holding memory and burning CPU
    image: ${image}
    run:
      name: ${nameBusy}
      command: ["python3", "-c", ${JSON.stringify(busy)}]
      memory: 256m
      labels: { ${testLabel.key}: ${testLabel.value} }
  ui-oom:
    description: Outgrows its 48 MiB memory limit
    image: ${image}
    run:
      name: ${nameOom}
      command: ["python3", "-c", ${JSON.stringify(oom)}]
      memory: 48m
      labels: { ${testLabel.key}: ${testLabel.value} }
`;

const { wb, step } = workbenchScenario({
  name: 'resources', lab: 'iris-train',
  prepare: (ws) => {
    mkdirSync(join(ws, '.vscode'), { recursive: true });
    writeFileSync(join(ws, '.vscode', 'mllab.yaml'), profilesYaml);
  },
});

test.after(() => cleanupDocker({ containerNames: [nameBusy, nameOom] }));

const samples = (f: Frame) => f.locator('#resources').getAttribute('data-samples').then((v) => Number(v ?? '0'));
const field = async (f: Frame, name: string) => ((await f.locator(`#resources dd[data-field="${name}"]`).textContent()) ?? '').trim();

void test('the Training Run panel shows the container\'s resources live from the stats stream', { timeout: 240_000 }, () => step(async () => {
  const w = wb();
  await w.runCommand('ML Lab: Run Profile...');
  await w.pickQuickInputItem('ui-busy');
  await waitFor(`${nameBusy} to run`, async () => docker(['inspect', '--format', '{{.State.Running}}', nameBusy], true) === 'true', 60_000);
  await w.runCommand('ML Lab: Open Training Run');
  await w.pickQuickInputItem(/^ui-busy /);
  const f = await w.webviewFrame('#resources', 30_000);
  await waitFor('four stats samples in the panel', async () => (await samples(f)) >= 4, 30_000);
  assert.equal(await f.locator('#resources').getAttribute('data-live'), 'true');
  assert.match(await field(f, 'CPU'), /^\d+\.\d%$/);
  assert.match(await field(f, 'memory'), /^[\d.]+ MiB \/ 256 MiB \(\d+\.\d%\)$/);
  assert.match(await field(f, 'network I/O'), / in \/ .* out$/);
  assert.match(await field(f, 'block I/O'), / read \/ .* written$/);
  assert.equal(await f.locator('#resource-charts section.chart').count(), 2, 'CPU and memory charts');
  // the figures move: a later sample, more memory held
  const before = await samples(f);
  const mem0 = parseFloat(await field(f, 'memory'));
  await waitFor('later samples', async () => (await samples(f)) >= before + 3, 15_000);
  assert.ok(parseFloat(await field(f, 'memory')) > mem0, 'memory in use grew as the container held more');
  await sleep(300);
  await w.screenshot('resources-panel');
  // how often and how late the figures reach the page: engine read time -> arrival in the webview
  const log = await f.evaluate(() => (globalThis as unknown as { mllabResources: Array<{ at: number; readAt?: number }> }).mllabResources);
  const withRead = log.filter((e) => e.readAt);
  const gaps = withRead.slice(1).map((e, i) => e.at - withRead[i].at).sort((a, b) => a - b);
  const lat = withRead.map((e) => e.at - e.readAt!).sort((a, b) => a - b);
  console.log(`[resources] ${withRead.length} updates in the webview; gap median ${gaps[Math.floor(gaps.length / 2)]} ms; engine read -> page median ${lat[Math.floor(lat.length / 2)]} ms, max ${lat[lat.length - 1]} ms`);
  assert.ok(gaps[Math.floor(gaps.length / 2)] < 2_000, 'about one update a second');
  await waitFor('the panel to show the exit', async () => (await f.locator('#info').getAttribute('data-status')) === 'exited', 60_000);
  assert.equal(await f.locator('#info').getAttribute('data-exit-code'), '0');
  assert.match(await field(f, 'peaks'), /^CPU \d+\.\d% · memory [\d.]+ MiB of 256 MiB$/);
  assert.equal(await f.locator('#diagnosis').isVisible(), false, 'no diagnosis for a run that exited 0');
}));

void test('a run killed for memory: the notification and the panel say why, with the limit and the peak', { timeout: 240_000 }, () => step(async () => {
  const w = wb();
  await w.runCommand('ML Lab: Run Profile...');
  await w.pickQuickInputItem('ui-oom');
  await waitFor(`${nameOom} to be OOM-killed`, async () => docker(['inspect', '--format', '{{.State.OOMKilled}}', nameOom], true) === 'true', 90_000);
  const note = await waitFor('the exit notification with the diagnosis', async () => (await w.readNotifications()).find((n) => n.includes(nameOom) && n.includes('killed for memory')), 30_000);
  console.log(`[resources] notification: ${note}`);
  assert.match(note, /exited with code 137 after .*\. The container was killed for memory \(exit code 137, OOMKilled\): it reached its limit of 48 MiB, peak seen [\d.]+ MiB; raise the memory limit \(e\.g\. to 96 MiB\)/);
  await w.runCommand('Notifications: Show Notifications');
  const center = w.page.locator('.notifications-center');
  await center.waitFor({ state: 'visible', timeout: 10_000 });
  assert.equal(await center.getByRole('button', { name: 'Re-run with 96 MiB Memory' }).count(), 1, 'the notification offers a re-run with twice the memory');
  await sleep(300);
  await w.screenshot('resources-oom-notification');
  await w.page.locator('[id="status.notifications"]').first().click().catch(() => undefined);
  await center.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => w.page.keyboard.press('Escape'));
  await w.runCommand('ML Lab: Open Training Run');
  await w.pickQuickInputItem(/^ui-oom /);
  const f = await w.webviewFrame('#diagnosis.diagnosis', 30_000);
  assert.match((await f.locator('#diagnosis').textContent()) ?? '', /^Why it died: The container was killed for memory \(exit code 137, OOMKilled\): it reached its limit of 48 MiB/);
  assert.equal(await f.locator('#info').getAttribute('data-exit-code'), '137');
  assert.match(await field(f, 'peaks'), /memory [\d.]+ MiB of 48 MiB/);
  await sleep(300);
  await w.screenshot('resources-oom-panel');
  // the notification's button re-runs it with twice the memory (replacing the dead container of that name)
  await w.runCommand('Notifications: Show Notifications');
  await center.waitFor({ state: 'visible', timeout: 10_000 });
  await center.getByRole('button', { name: 'Re-run with 96 MiB Memory' }).click();
  assert.match(await w.confirmDialog('Replace'), new RegExp(`A container named ${nameOom} already exists`));
  await waitFor('the re-run with a 96 MiB limit', async () => docker(['inspect', '--format', '{{.HostConfig.Memory}}', nameOom], true) === String(96 * 1024 * 1024), 60_000);
}));

void test('Compare shows each run\'s peaks, a row per peak', { timeout: 120_000 }, () => step(async () => {
  const w = wb();
  await w.runCommand('ML Lab: Compare Runs...');
  await w.quickInputRows().first().waitFor({ timeout: 15_000 });
  for (const r of await w.quickInputRows().all()) await r.click();
  await w.quickInputBox().press('Enter');
  const f = await w.webviewFrame('#diff', 30_000);
  const rows = await f.locator('#diff tbody tr').evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-field'), r.textContent]));
  const fields = rows.map((r) => r[0]);
  assert.ok(fields.includes('peak CPU') && fields.includes('peak memory'), `rows: ${fields.join(', ')}`);
  assert.match(String(rows.find((r) => r[0] === 'peak memory')![1]), /MiB of 256 MiB.*MiB of 48 MiB|MiB of 48 MiB.*MiB of 256 MiB/);
  assert.ok(fields.includes('why it died'));
  await sleep(300);
  await w.screenshot('resources-compare');
}));
