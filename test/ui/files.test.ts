/**
 * A container's files, as a person uses them in the workbench: a running container of the iris
 * lab's image (built here from the local Python base image) shows Files under its row; Files
 * lists the working folder first, then the mount point (the image's VOLUME, marked), then /;
 * expanding the working folder lists train.py; a click opens it in the editor; a line edited and
 * saved is in the container (`docker exec cat`), with its mode and owner as they were. A binary
 * file opens with VS Code's binary handling. Screenshot: test-results/ui/files-tree.png.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { docker, labsDir, runId, sleep, testLabel, waitFor, workbenchScenario } from './support/workbench';

const baseImage = process.env.MLLAB_BASE_IMAGE ?? 'mllab-test/python-ml:bookworm';
const image = `mllab-ui-files-iris:${runId}`;
const name = `mllab-ui-files-${runId}`;
before(() => {
  docker(['build', '-q', '--label', `${testLabel.key}=${testLabel.value}`, '--build-arg', `BASE_IMAGE=${baseImage}`, '-f', path.join(labsDir, 'iris-train', 'train.dockerfile'), '-t', image, path.join(labsDir, 'iris-train')]);
  docker(['run', '-d', '--name', name, '--label', `${testLabel.key}=${testLabel.value}`, image, 'sleep', '600']);
  // a binary artifact in the mounted volume, as a training run leaves one
  // NUL bytes first: VS Code calls a file binary by a NUL in its first 512 bytes, which 4 kB of
  // random bytes alone miss about one time in seven
  docker(['exec', '-u', '0', name, 'sh', '-c', 'head -c 64 /dev/zero > /usr/local/app/artifacts/model.bin && head -c 4096 /dev/urandom >> /usr/local/app/artifacts/model.bin']);
});
// Sticky tree rows would lie over the rows being clicked in a short view.
const { wb, step } = workbenchScenario({ name: 'files', lab: 'iris-train', userSettings: { 'workbench.tree.enableStickyScroll': false } });
after(() => {
  // -v: the image's VOLUME made an anonymous volume for this container
  docker(['rm', '-f', '-v', name], true);
  // without --no-prune: the build's untagged parents (its --label step sits on top of them) go too
  docker(['rmi', image], true);
});

/**
 * Clicks a file row and waits for its tab. Other tests share the engine: a container of theirs
 * that appears above ours moves the rows between finding one and clicking it, so a click that
 * opened a neighbour is undone and tried again.
 */
async function openFromTree(w: ReturnType<typeof wb>, rowPath: string[], tab: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await (await w.findTreeRow('Containers', rowPath, 30_000)).click();
    const opened = await waitFor(`a tab after clicking ${tab}`, async () => {
      const labels = await w.page.locator('.tabs-container .tab.active').first().getAttribute('aria-label').catch(() => null);
      return labels ?? undefined;
    }, 30_000);
    if (opened.startsWith(tab)) return;
    if (attempt >= 3) throw new Error(`clicking ${tab} opened ${opened}`);
    await w.page.keyboard.press('ControlOrMeta+W');
  }
}

void test('expand a running container\'s Files, open train.py, edit a line and save: the container has the change', { timeout: 240_000 }, () => step(async () => {
  const w = wb();
  await w.openSidebar();
  // Only the Containers view open: room for the Files rows (and for the screenshot).
  for (const v of ['Images', 'Volumes', 'Networks', 'Registries', 'Runs']) {
    const header = w.page.locator('.part.sidebar .pane-header').filter({ has: w.page.locator('h3.title', { hasText: new RegExp(`^${v}$`, 'i') }) }).first();
    if ((await header.getAttribute('aria-expanded').catch(() => null)) === 'true') await header.click();
  }
  const before = docker(['exec', name, 'stat', '-c', '%a %U:%G', '/usr/local/app/train.py']);
  const files = await w.findTreeRow('Containers', [name, 'Files'], 60_000);
  await files.locator('.monaco-tl-twistie').click();
  const workdir = await w.findTreeRow('Containers', [name, 'Files', '/usr/local/app'], 30_000);
  assert.equal(await w.rowDescription(workdir), 'working folder');
  const volume = await w.findTreeRow('Containers', [name, 'Files', '/usr/local/app/artifacts'], 30_000);
  assert.match(await w.rowDescription(volume), /^anonymous volume [0-9a-f]{12}$/, 'the mount point is marked with what is mounted (the image\'s VOLUME)');
  await w.findTreeRow('Containers', [name, 'Files', '/'], 30_000);
  const listStarted = Date.now();
  const train = await w.findTreeRow('Containers', [name, 'Files', '/usr/local/app', 'train.py'], 30_000);
  console.log(`[files] listed /usr/local/app in the tree within ${Date.now() - listStarted} ms of the click`);
  assert.match(await w.rowDescription(train), /^\d+(\.\d+)? kB$/);
  // the working folder lists its mount point first (marked), then the file
  const artifacts = await w.findTreeRow('Containers', [name, 'Files', '/usr/local/app', 'artifacts'], 30_000);
  assert.match(await w.rowDescription(artifacts), /^anonymous volume/);
  // the pointer off the rows (no tooltip) for the screenshot
  await w.page.mouse.move(1000, 500);
  await sleep(500);
  await w.screenshot('files-tree');

  const openStarted = Date.now();
  await openFromTree(w, [name, 'Files', '/usr/local/app', 'train.py'], 'train.py');
  await waitFor('train.py in the editor', async () => (await w.editorLines()).some((l) => l.includes('SEED = 1')), 30_000);
  console.log(`[files] train.py open in the editor ${Date.now() - openStarted} ms after the click`);

  // Edit the SEED line: go to it, select it, type the new one, save.
  const lineNo = readFileSync(path.join(labsDir, 'iris-train', 'train.py'), 'utf8').split('\n').findIndex((l) => l.startsWith('SEED = 1')) + 1;
  assert.ok(lineNo > 0);
  await w.activeEditor().click();
  await w.page.keyboard.press('ControlOrMeta+G');
  await w.page.keyboard.type(String(lineNo));
  await w.page.keyboard.press('Enter');
  await w.page.keyboard.press('Home');
  await w.page.keyboard.press('Shift+End');
  await w.page.keyboard.type('SEED = 7  # changed in the container', { delay: 10 });
  await w.page.keyboard.press('ControlOrMeta+S');
  const inside = await waitFor('the saved line in the container', () => {
    const text = docker(['exec', name, 'cat', '/usr/local/app/train.py'], true);
    return text.includes('SEED = 7  # changed in the container') ? text : undefined;
  }, 30_000);
  assert.ok(!inside.includes('SEED = 1  #'), 'the old line is gone');
  assert.equal(inside.trimEnd().split('\n').length, readFileSync(path.join(labsDir, 'iris-train', 'train.py'), 'utf8').trimEnd().split('\n').length, 'one line changed, none added');
  assert.equal(docker(['exec', name, 'stat', '-c', '%a %U:%G', '/usr/local/app/train.py']), before, 'mode and owner kept');
  await waitFor('the tab to show no unsaved changes', async () => !(await w.page.locator('.tabs-container .tab.dirty[aria-label^="train.py"]').count()), 15_000);
}));

void test('a binary file of the container opens with VS Code\'s binary handling', { timeout: 120_000 }, () => step(async () => {
  const w = wb();
  await openFromTree(w, [name, 'Files', '/usr/local/app/artifacts', 'model.bin'], 'model.bin');
  const said = await waitFor('the binary placeholder', async () => {
    const t = (await w.page.locator('.editor-group-container.active .monaco-editor-pane-placeholder, .editor-group-container.active .editor-placeholder').first().textContent().catch(() => '')) ?? '';
    return /binary|unsupported text encoding/i.test(t) ? t : undefined;
  }, 30_000);
  assert.match(said, /binary/i);
}));

void test('saving a file of a container removed while it was open says so in one sentence', { timeout: 120_000 }, () => step(async () => {
  const w = wb();
  await w.page.locator('.tabs-container .tab[aria-label^="train.py"]').first().click();
  await w.activeEditor().click();
  await w.page.keyboard.press('ControlOrMeta+End');
  await w.page.keyboard.type('# one more line\n');
  docker(['rm', '-f', '-v', name]);
  await w.page.keyboard.press('ControlOrMeta+S');
  const said = await waitFor('the save error', async () => (await w.readNotifications()).find((m) => /train\.py/.test(m) && /no longer exists/.test(m)), 30_000);
  // VS Code names the file; our sentence says why (its stat of the folder, or the write, meets the removed container)
  assert.match(said, /^Failed to save 'train\.py':.*Cannot (access|save) \/usr\/local\/app(\/train\.py)?: container [0-9a-f]{12} no longer exists \(it was removed\)\./);
  console.log(`[files] the save error as shown: ${said}`);
}));
