/**
 * Compose and Networks scenario, in code-server + Chromium with the packaged extension:
 *   Compose: "ML Lab: Compose Up" from the palette on the two-service fixture
 *     (test/fixtures/labs/compose-lab) runs the real Compose CLI in a terminal that names it; the
 *     Containers view groups both services under the project; "Compose Down..." on the project
 *     row asks, names the named volume, and takes everything down with it.
 *   Networks: a labelled user-defined network shows with driver, scope and subnet; Remove
 *     Network asks first and removes it.
 * The project name is unique per run (.env: COMPOSE_PROJECT_NAME), the port free; cleanup removes
 * only this project and network, also after a failure.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Workbench, docker, freeLocalPort, runId, sleep, testLabel, waitFor } from './support/workbench';

const project = `mllab-ui-compose-${runId}`;
const network = `mllab-ui-net-${runId}`;
let wb: Workbench | undefined;
let failed = false;
let port = 0;

function composeCleanup(): void {
  const filter = `label=com.docker.compose.project=${project}`;
  const ids = docker(['ps', '-aq', '--filter', filter], true).split('\n').filter(Boolean);
  if (ids.length) docker(['rm', '-f', ...ids], true);
  const volumes = docker(['volume', 'ls', '-q', '--filter', filter], true).split('\n').filter(Boolean);
  if (volumes.length) docker(['volume', 'rm', ...volumes], true);
  const networks = docker(['network', 'ls', '-q', '--filter', filter], true).split('\n').filter(Boolean);
  if (networks.length) docker(['network', 'rm', ...networks], true);
  // Compose v1 builds with the classic builder: its untagged intermediate images go with the
  // image (the engine keeps any parent another image or container uses).
  docker(['rmi', `${project}_model`], true);
  docker(['rmi', `${project}-model`], true);
}

before(async () => {
  port = await freeLocalPort();
  // a /24 no network on the engine uses yet
  const used = docker(['network', 'inspect', '--format', '{{range .IPAM.Config}}{{.Subnet}} {{end}}', ...docker(['network', 'ls', '-q']).split('\n')]);
  let subnet = '';
  for (let x = 0; x < 256 && !subnet; x++) if (!used.includes(`10.214.${x}.`)) subnet = `10.214.${x}.0/24`;
  docker(['network', 'create', '--label', `${testLabel.key}=${testLabel.value}`, '--subnet', subnet, network]);
  wb = await Workbench.start({
    name: 'compose',
    lab: 'compose-lab',
    prepare: (ws) => writeFileSync(join(ws, '.env'), `COMPOSE_PROJECT_NAME=${project}\nMLLAB_COMPOSE_PORT=${port}\n`),
    userSettings: { 'terminal.integrated.gpuAcceleration': 'off' },
  });
});

after(async () => {
  if (wb) {
    if (failed) await wb.saveFailure();
    await wb.stop();
  }
  composeCleanup();
  docker(['network', 'rm', network], true);
});

async function step<T>(fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (e) { failed = true; throw e; }
}

void test('Compose Up from the palette: the real CLI in a terminal, both services grouped under the project', { timeout: 240_000 }, () => step(async () => {
  const w = wb!;
  await w.openSidebar();
  await w.runCommand('ML Lab: Compose Up');
  const terminal = await waitFor('the Compose terminal to name the CLI and finish', async () => {
    const t = await w.terminalText();
    return /exited with code \d+/.test(t) ? t : undefined;
  }, 180_000).catch(async (e: unknown) => { throw new Error(`${String(e)}; terminal: ${JSON.stringify((await w.terminalText()).slice(-1500))}`); });
  console.log(`[ui] Compose terminal (end):\n${terminal}`);
  assert.match(terminal, /exited with code 0/);
  // the first lines have scrolled away: scroll the terminal to its top to read them
  await w.runCommand('Terminal: Scroll to Top');
  const head = await w.terminalText();
  console.log(`[ui] Compose terminal (top):\n${head.split('\n').slice(0, 6).join('\n')}`);
  assert.match(head, /Compose CLI: docker[ -]compose \d+\.\d+\.\d+ \(Compose v[12]/, 'the terminal names the Compose CLI it detected');
  assert.match(head, /\$ docker[ -]compose --ansi always -f compose\.yaml up -d/);
  const name = (service: string) => (/Compose v1/.test(head) ? `${project}_${service}_1` : `${project}-${service}-1`);

  const row = await w.findTreeRow('Containers', project, 60_000);
  const description = await w.rowDescription(row);
  assert.match(description, /^Compose project · [12]\/2 running$/, description);
  // container names: Compose v1 project_service_1, v2 project-service-1
  await w.findTreeRow('Containers', [project, name('web')], 30_000);
  await w.findTreeRow('Containers', [project, name('model')], 30_000);
  await sleep(500); // the project row stays expanded, its two services under it
  console.log(`[ui] screenshot: ${await w.screenshot('compose-project')}`);
}));

void test('Compose Down on the project row names the named volume and removes everything', { timeout: 180_000 }, () => step(async () => {
  const w = wb!;
  const row = await w.findTreeRow('Containers', project, 30_000);
  await w.contextMenu(row, 'Compose Down...');
  const dialog = w.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 20_000 });
  const detail = ((await dialog.textContent()) ?? '').replace(/\s+/g, ' ');
  assert.match(detail, new RegExp(`Take down Compose project ${project}\\?`));
  assert.ok(detail.includes(`${project}_artifacts`), `the dialog names the volume: ${detail}`);
  console.log(`[ui] screenshot: ${await w.screenshot('compose-down-dialog')}`);
  await w.confirmDialog('Down and Remove Volumes');
  await waitFor('the project to be gone from the engine', async () => docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]) === '' ? true : undefined, 120_000);
  await waitFor('the named volume to be removed', async () => docker(['volume', 'ls', '-q', '--filter', `name=${project}_artifacts`]) === '' ? true : undefined, 60_000);
  await waitFor('the project row to leave the Containers view', async () => (await w.treeRowOrUndefined('Containers', project)) === undefined ? true : undefined, 30_000);
}));

void test('Networks view: a user-defined network with driver, scope and subnet; Remove asks first', { timeout: 120_000 }, () => step(async () => {
  const w = wb!;
  const row = await w.findTreeRow('Networks', network, 30_000);
  const description = await w.rowDescription(row);
  assert.match(description, /^bridge · local · 10\.214\.\d+\.0\/24 · unused$/, description);
  await w.findTreeRow('Networks', 'bridge', 10_000);
  await row.click();
  console.log(`[ui] screenshot: ${await w.screenshot('networks-view')}`);
  await w.contextMenu(row, 'Remove Network...');
  const message = await w.confirmDialog('Remove');
  assert.equal(message, `Remove network ${network}?`);
  await waitFor('the network to be removed', async () => docker(['network', 'ls', '-q', '--filter', `name=^${network}$`]) === '' ? true : undefined, 20_000);
  await waitFor('the row to leave the Networks view', async () => (await w.treeRowOrUndefined('Networks', network)) === undefined ? true : undefined, 20_000);
}));

void test('the editor title of compose.yaml offers Compose Up and the Compose menu; other files do not', { timeout: 90_000 }, () => step(async () => {
  const w = wb!;
  await w.openFile('compose.yaml');
  const actions = w.page.locator('.editor-group-container.active .editor-actions');
  const up = actions.locator('.action-label[aria-label="Compose Up"]');
  await up.first().waitFor({ state: 'visible', timeout: 20_000 });
  const compose = actions.locator('.action-label[aria-label="Compose"]');
  await compose.first().waitFor({ state: 'visible', timeout: 10_000 });
  await compose.first().click();
  const menu = w.page.locator('.context-view .monaco-menu').first();
  await menu.waitFor({ state: 'visible', timeout: 10_000 });
  const labels = (await menu.locator('.action-item .action-label').allTextContents()).map((s) => s.trim()).filter(Boolean);
  console.log(`[ui] screenshot: ${await w.screenshot('compose-editor-menu')}`);
  await w.page.keyboard.press('Escape');
  for (const l of ['Compose Up', 'Compose Up (Build First)', 'Compose Up Services...', 'Compose Down...', 'Compose Down Services...', 'Compose Build', 'Compose Restart', 'Compose Logs', 'Export Profile as Compose Service...']) {
    assert.ok(labels.includes(l), `the Compose menu offers ${l}: ${labels.join(' | ')}`);
  }
  await w.openFile('model/train.py');
  await sleep(1000);
  assert.equal(await w.page.locator('.editor-group-container.active .editor-actions .action-label[aria-label="Compose Up"]').count(), 0, 'no Compose Up on train.py');
}));
