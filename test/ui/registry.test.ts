/**
 * Registry scenario: a person pushes an image tag to a local registry from the
 * Images view's context menu and sees the Registries view list the tag.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Workbench, cleanupDocker, docker, runId } from './support/workbench';
import { startLocalRegistry, type LocalRegistry } from '../support/localRegistry';

const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
let wb: Workbench | undefined;
let registry: LocalRegistry | undefined;
let repository = '';
let tag = '';
let failed = false;

before(async () => {
  registry = await startLocalRegistry(`ui-${process.pid}`);
  repository = `${registry.host}/mllab-ui-test/busybox`;
  tag = `${repository}:${runId}`;
  docker(['tag', TINY, tag]);
  wb = await Workbench.start({ name: 'registry', lab: 'iris-train', workspaceSettings: { 'mlLab.registries': [registry.host] } });
});

after(async () => {
  if (wb) {
    if (failed) await wb.saveFailure();
    await wb.stop();
  }
  cleanupDocker({ images: [tag] });
  await registry?.stop();
});

async function step<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    failed = true;
    throw e;
  }
}

void test('pushes a tag from the Images view context menu and the Registries view lists it', { timeout: 240_000 }, () =>
  step(async () => {
    const w = wb!;
    const row = await w.findTreeRow('Images', [repository, runId], 60_000);
    await w.contextMenu(row, 'Push Image...');
    const tagRow = await w.findTreeRow('Registries', [registry!.host, 'mllab-ui-test/busybox', runId], 90_000);
    assert.ok(tagRow);
    assert.match(await w.rowDescription(tagRow), new RegExp(`${repository.replace(/\./g, '\\.')}:${runId}`));
    await w.screenshot('registry-pushed-tag-listed');
    const notes = (await w.readNotifications()).join('\n');
    assert.match(notes, /digest sha256:[a-f0-9]{64}/, `notifications: ${notes}`);
  }),
);
