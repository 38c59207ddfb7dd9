/**
 * Apps in containers, as a person sees them: a Jupyter-style server
 * (test/fixtures/apps/jupyter-like, built on the local base image: no Jupyter image can be
 * pulled here) starts with its port 8888 published on a host port the engine picks. Its
 * container's row in the Containers view gets a "jupyter" row only once GET /api answers; the
 * row shows the URL with the published host port (token hidden), clicking it opens that URL
 * with the token, and "Copy Jupyter Server URL" copies the server URL.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Workbench, cleanupDocker, docker, repoRoot, runId, sleep, testLabel, waitFor } from './support/workbench';

const baseImage = process.env.MLLAB_BASE_IMAGE ?? 'mllab-test/python-ml:bookworm';
const tag = `mllab-ui-test/jupyter-api:${runId}`;
const containerName = `mllab-ui-jupyter-${runId}`;
const label = `${testLabel.key}=${testLabel.value}`;
let wb: Workbench | undefined;
let failed = false;

before(async () => {
  docker(['build', '-q', '--label', label, '--build-arg', `BASE_IMAGE=${baseImage}`, '-t', tag, join(repoRoot, 'test', 'fixtures', 'apps', 'jupyter-like')]);
  wb = await Workbench.start({ name: 'apps', lab: 'flask-app' });
});

after(async () => {
  if (wb) {
    if (failed) await wb.saveFailure();
    await wb.stop();
  }
  cleanupDocker({ containerNames: [containerName], images: [tag] });
});

async function step<T>(fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (e) { failed = true; throw e; }
}

async function apiAnswers(hostPort: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${hostPort}/api`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
}

void test('a Jupyter-style container gets an app row only after /api answers; it opens the URL with the host port and the token', { timeout: 180_000 }, () => step(async () => {
  const w = wb!;
  await w.openSidebar();
  // The server prints its token URL at once and listens 12 s later, as a slow Jupyter would.
  docker(['run', '-d', '--name', containerName, '--label', label, '-e', 'STARTUP_DELAY=12', '-p', '127.0.0.1::8888', tag]);
  const hostPort = Number(docker(['port', containerName, '8888/tcp']).split('\n')[0].split(':').pop());
  assert.ok(hostPort > 0 && hostPort !== 8888, `the engine picked a host port: ${hostPort}`);
  const token = await waitFor('the token URL in the logs', () => /token=([0-9a-f]{48})/.exec(docker(['logs', containerName]))?.[1], 30_000);

  // Expanded while the server is not answering yet: port binding and image, no app.
  await w.waitForRowDescription('Containers', containerName, (d) => d.includes(`127.0.0.1:${hostPort}->8888/tcp`), 'the container row with its port binding');
  await w.findTreeRow('Containers', [containerName, tag], 30_000);
  const pane = await w.view('Containers');
  const appRows = pane.locator('.monaco-list-row[aria-level="2"]').filter({ has: w.page.locator('.label-name', { hasText: /^\s*jupyter\s*$/ }) });
  let checkedBeforeReady = 0;
  for (let i = 0; i < 6 && !(await apiAnswers(hostPort)); i++) {
    assert.equal(await appRows.count(), 0, 'no app row while /api does not answer');
    checkedBeforeReady++;
    await sleep(1000);
  }
  assert.ok(checkedBeforeReady >= 3, `the tree was checked ${checkedBeforeReady} times before /api answered`);

  const row = await w.findTreeRow('Containers', [containerName, 'jupyter'], 60_000);
  assert.ok(await apiAnswers(hostPort), 'the row appeared and /api answers');
  const description = await w.rowDescription(row);
  assert.equal(description, `http://127.0.0.1:${hostPort}/lab?token=…`, 'the row shows the URL with the published host port, the token hidden');
  await row.hover();
  await sleep(300);
  await w.screenshot('apps-jupyter-row');

  // Clicking the row opens the URL with the token (a new browser tab).
  const opened = w.page.context().waitForEvent('page', { timeout: 15_000 });
  await row.click();
  const tab = await opened;
  await tab.waitForLoadState('domcontentloaded').catch(() => undefined);
  const url = tab.url();
  assert.ok(url.includes(String(hostPort)) && url.includes(`token=${token}`), `the opened URL carries the host port and the token: ${url}`);
  console.log(`# the app row opened ${url.replace(token, '<token>')}`);
  await tab.close();

  await w.contextMenu(row, 'Copy Jupyter Server URL');
  const note = await waitFor('the copy notification', async () => (await w.readNotifications()).find((n) => /Copied the Jupyter server URL/.test(n)), 15_000);
  assert.match(note, new RegExp(`127\\.0\\.0\\.1:${hostPort}, with its token`));
  assert.ok(!note.includes(token), 'the notification does not show the token');
}));
