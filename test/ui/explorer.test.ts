/**
 * Explorer scenario: one context-menu action per view, the way a person uses the
 * sidebar, and a screenshot of each view.
 *   Images: a tag row's "Show Image History" opens a read-only editor listing the layers.
 *   Containers: a container's children (port binding, volume mount, image); Pause, then Unpause.
 *   Volumes: an unused volume is removed after the modal confirmation.
 * Plus the engine item in the status bar.
 *
 * What the views show is made here with the docker CLI (named for this run, labelled), so the
 * scenario does not depend on the others.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Workbench, cleanupDocker, docker, freeLocalPort, runId, sleep, testLabel, waitFor } from './support/workbench';

const tinyImage = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const repository = 'mllab-ui-test/explorer';
const tag = `${repository}:${runId}`;
const containerName = `mllab-ui-explorer-${runId}`;
const usedVolume = `mllab-ui-explorer-data-${runId}`;
const unusedVolume = `mllab-ui-explorer-unused-${runId}`;
const label = `${testLabel.key}=${testLabel.value}`;
let hostPort = 0;
let wb: Workbench | undefined;
let failed = false;

before(async () => {
  docker(['tag', tinyImage, tag]);
  docker(['volume', 'create', '--label', label, usedVolume]);
  docker(['volume', 'create', '--label', label, unusedVolume]);
  hostPort = await freeLocalPort();
  docker(['run', '-d', '--name', containerName, '--label', label,
    '-p', `127.0.0.1:${hostPort}:8080`, '-v', `${usedVolume}:/data`, tinyImage, 'sleep', '300']);
  wb = await Workbench.start({ name: 'explorer', lab: 'flask-app' });
});

after(async () => {
  if (wb) {
    if (failed) await wb.saveFailure();
    await wb.stop();
  }
  // The container first: it holds the volume. The tag is only a second name of the tiny image.
  cleanupDocker({ containerNames: [containerName], volumes: [usedVolume, unusedVolume] });
  docker(['rmi', '--no-prune', tag], true);
});

async function step<T>(fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (e) { failed = true; throw e; }
}

void test('Images: "Show Image History" on a tag row opens a read-only editor listing the layers', { timeout: 120_000 }, () => step(async () => {
  const w = wb!;
  await w.openSidebar();
  const row = await w.findTreeRow('Images', [repository, runId], 30_000);
  const description = await w.rowDescription(row);
  const shortId = docker(['image', 'inspect', '--format', '{{.Id}}', tag]).replace(/^sha256:/, '').slice(0, 12);
  assert.match(description, /^\d[\d.]* [kMG]?B · .+ ago · [0-9a-f]{12}$/, `the tag row shows size · age · short id: ${description}`);
  assert.ok(description.endsWith(shortId), `the tag row ends with the image's short id ${shortId}: ${description}`);
  await row.click(); // selected, so the screenshot shows which row
  await w.screenshot('explorer-images');

  await w.contextMenu(row, 'Show Image History');
  const tab = w.page.locator('.tabs-container .tab', { hasText: /history/ }).first();
  await tab.waitFor({ timeout: 20_000 });
  const text = await waitFor('the history editor to show the layers', async () => {
    const t = await w.editorText();
    return t.includes('busybox --install') ? t : undefined;
  }, 20_000).catch(async (e: unknown) => {
    throw new Error(`${String(e)}; the editor shows: ${JSON.stringify((await w.editorText().catch(() => '')).slice(0, 600))}`);
  });
  assert.match(text, new RegExp(`^History of ${tag.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: \\d+ layers`), `the first line names the image: ${text.split('\n')[0]}`);
  assert.match(text, /SIZE\s+CREATED\s+INSTRUCTION/, 'the layers are a table with size, age and instruction');
  assert.match(text, /COPY file:\S+ in \/bin\/busybox/, 'the COPY layer is listed');
  // Read-only: typing into it changes nothing.
  await w.activeEditor().click();
  await w.page.keyboard.type('xyz');
  await sleep(300);
  assert.ok(!(await w.editorText()).includes('xyz'), 'the history editor is read-only');
  await w.page.keyboard.press('Escape'); // the "Cannot edit in read-only editor" hint covers the layers
  await sleep(500);
  await w.screenshot('explorer-images-history');
}));

void test('Containers: a container row shows its port binding, volume mount and image; Pause and Unpause from its context menu', { timeout: 120_000 }, () => step(async () => {
  const w = wb!;
  const portText = `127.0.0.1:${hostPort}->8080/tcp`;
  let description = await w.waitForRowDescription('Containers', containerName, (d) => d.includes(portText),
    `the row of ${containerName} to show ${portText}`);
  assert.match(description, new RegExp(`^${tinyImage.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} · Up `), `image · status · ports: ${description}`);

  // Children: expanding the row (the path walks through it) shows the binding, the mount and the image.
  for (const child of [`127.0.0.1:${hostPort} -> 8080/tcp`, `${usedVolume} -> /data`, tinyImage]) {
    const row = await w.findTreeRow('Containers', [containerName, child], 15_000);
    assert.ok(row, `a child row '${child}'`);
  }
  assert.equal(await w.rowDescription(await w.findTreeRow('Containers', [containerName, `${usedVolume} -> /data`])), 'named volume');
  assert.equal(await w.rowDescription(await w.findTreeRow('Containers', [containerName, `127.0.0.1:${hostPort} -> 8080/tcp`])), 'open in browser');

  await w.contextMenu(await w.findTreeRow('Containers', containerName), 'Pause Container');
  description = await w.waitForRowDescription('Containers', containerName, (d) => /Paused/.test(d),
    `the row of ${containerName} to show Paused`);
  assert.equal(docker(['inspect', '--format', '{{.State.Status}}', containerName]), 'paused');
  await w.screenshot('explorer-containers-paused');

  await w.contextMenu(await w.findTreeRow('Containers', containerName), 'Unpause Container');
  description = await w.waitForRowDescription('Containers', containerName, (d) => /· Up /.test(d) && !/Paused/.test(d),
    `the row of ${containerName} to show it running again`);
  assert.equal(docker(['inspect', '--format', '{{.State.Status}}', containerName]), 'running');
  await w.findTreeRow('Containers', [containerName, tinyImage]); // scrolled so the children show
  await w.screenshot('explorer-containers');
}));

void test('Volumes: "Remove Volume..." on an unused volume, confirmed in the modal, removes its row', { timeout: 120_000 }, () => step(async () => {
  const w = wb!;
  const usedDescription = await w.waitForRowDescription('Volumes', usedVolume, (d) => d.includes(`used by ${containerName}`),
    `the row of ${usedVolume} to name its container`);
  assert.match(usedDescription, /^local · /, `driver first: ${usedDescription}`);
  const unusedDescription = await w.waitForRowDescription('Volumes', unusedVolume, (d) => /unused/.test(d),
    `the row of ${unusedVolume} to say it is unused`);
  assert.match(unusedDescription, /^local · /);
  const row = await w.findTreeRow('Volumes', unusedVolume);
  await row.click();
  await w.screenshot('explorer-volumes');

  await w.contextMenu(row, 'Remove Volume...');
  const message = await w.confirmDialog('Remove');
  assert.match(message, new RegExp(unusedVolume), `the dialog names the volume: ${message}`);
  await waitFor(`the row of ${unusedVolume} to disappear`, async () => !(await w.treeRowOrUndefined('Volumes', unusedVolume)), 30_000);
  assert.equal(docker(['volume', 'ls', '-q', '--filter', `name=^${unusedVolume}$`], true), '', 'the engine no longer has the volume');
  assert.ok(await w.treeRowOrUndefined('Volumes', usedVolume), 'the used volume is still listed');
  await w.screenshot('explorer-volume-removed');
}));

void test('the status bar shows the Docker engine item with the version and running/total containers', { timeout: 60_000 }, () => step(async () => {
  const w = wb!;
  const version = docker(['version', '--format', '{{.Server.Version}}']);
  const item = await waitFor('the engine item in the status bar', async () =>
    (await w.statusBarTexts()).find((t) => /^(?:\S+ · )?Docker \S+ · \d+\/\d+$/.test(t)), 20_000).catch(async (e: unknown) => {
    throw new Error(`${String(e)}; the status bar shows: ${(await w.statusBarTexts()).join(' | ')}`);
  });
  assert.ok(item.startsWith(`Docker ${version} · `), `the engine's version ${version}: ${item}`);
  const [running, total] = item.split(' · ')[1].split('/').map(Number);
  assert.ok(running >= 1 && total >= running, `at least our container runs: ${item}`);
}));
