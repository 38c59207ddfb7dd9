/**
 * Engine tier: every explorer action against real containers, images and volumes. Uses the
 * tiny busybox image; everything carries org.mllab.test=<run id> (volumes too) and is removed
 * at the end. Prune is scoped to that label (the test-only filter), never global.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, EngineError } from '../../src/engine/engine';
import { containerNodes, imageNodes, usage, volumeNodes } from '../../src/core/tree/models';
import { TEST_LABEL, cleanup, runId, testEngine, waitFor } from '../support/fixtures';

const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const RUN = runId('explorer');
const labels = { [TEST_LABEL]: RUN };
const labelFilter = [`${TEST_LABEL}=${RUN}`];
const tagRepo = `mllab-enginetest/explorer-${RUN}`;
const volumeName = `mllab-enginetest-vol-${RUN}`;

describe('explorer actions on the real engine', () => {
  let engine: Engine;
  let id = '';
  before(async () => {
    engine = testEngine();
    await engine.ping();
    await engine.createVolume(volumeName, labels);
    ({ id } = await engine.runContainer({
      image: TINY,
      name: `mllab-enginetest-sleeper-${RUN}`,
      cmd: ['sh', '-c', 'echo started; echo data > /vol/file.txt; exec sleep 300'],
      ports: [],
      mounts: [{ type: 'volume', source: volumeName, target: '/vol', readOnly: false }],
      labels,
      bindAddress: '127.0.0.1',
    }));
  });
  after(async () => {
    await cleanup(engine, RUN, [`${tagRepo}:a`, `${tagRepo}:solo`]);
    await engine.removeVolume(volumeName).catch(() => undefined);
  });

  const state = async () => (await engine.listContainers({ label: labelFilter })).find((c) => c.id === id)?.state;

  it('pauses and unpauses a running container', async () => {
    await engine.pauseContainer(id);
    assert.equal(await state(), 'paused');
    await engine.unpauseContainer(id);
    assert.equal(await state(), 'running');
  });

  it('restarts a container (a new start time, still running)', async () => {
    const before = (await engine.inspectContainer(id)) as { State: { StartedAt: string } };
    await engine.restartContainer(id, 1);
    const after = (await engine.inspectContainer(id)) as { State: { StartedAt: string; Running: boolean } };
    assert.equal(after.State.Running, true);
    assert.notEqual(after.State.StartedAt, before.State.StartedAt);
  });

  it('runs a command inside through exec and collects its output', async () => {
    const r = await engine.execCollect(id, ['cat', '/vol/file.txt']);
    assert.equal(r.exitCode, 0);
    assert.equal(r.output.trim(), 'data');
  });

  it('opens an interactive shell, falling back to sh when bash is missing', async () => {
    let out = '';
    const shell = await engine.openShell(id, ['bash', 'sh'], (t) => (out += t), { columns: 80, rows: 24 });
    assert.equal(shell.shell, 'sh');
    shell.write('echo shell-$((6*7))\n');
    await waitFor('the shell to answer', async () => (out.includes('shell-42') ? true : undefined), 10_000, 50);
    shell.write('exit 3\n');
    assert.equal(await shell.exited, 3);
  });

  it('refuses a shell that the image does not have, saying so', async () => {
    await assert.rejects(engine.openShell(id, ['zsh', 'fish'], () => undefined), (e: unknown) => e instanceof EngineError && /none of these shells: zsh, fish/.test(e.message));
  });

  it('lists the volume as used by the container, with its mount in the container row', async () => {
    const containers = await engine.listContainers({ label: labelFilter });
    const vols = (await engine.listVolumes({ withSizes: true, label: labelFilter })).filter((v) => v.name === volumeName);
    assert.equal(vols.length, 1);
    const [node] = volumeNodes(vols, usage(containers).volumes, Date.now());
    assert.match(node.description ?? '', new RegExp(`used by mllab-enginetest-sleeper-${RUN}`));
    const row = containerNodes(containers).find((n) => n.ref === id);
    assert.equal(row?.children?.find((c) => c.kind === 'mount')?.label, `${volumeName} -> /vol`);
  });

  it('refuses to remove a volume in use (conflict)', async () => {
    await assert.rejects(engine.removeVolume(volumeName), (e: unknown) => e instanceof EngineError && e.kind === 'conflict');
  });

  it('tags an image and shows the new tag under its repository; history lists the layers with instructions', async () => {
    await engine.tagImage(TINY, tagRepo, 'a');
    const images = await engine.listImages();
    const repo = imageNodes(images, Date.now()).find((n) => n.label === tagRepo);
    assert.deepEqual(repo?.children?.map((c) => c.label), ['a']);
    const layers = await engine.imageHistory(`${tagRepo}:a`);
    assert.ok(layers.some((l) => /busybox --install/.test(l.createdBy)), layers.map((l) => l.createdBy).join('\n'));
  });

  it('commits a container to a new image; removing an image a container uses is refused (conflict) until the container goes', async () => {
    const imageId = await engine.commitContainer(id, tagRepo, 'solo', labels);
    assert.match(imageId, /^sha256:/);
    const user = await engine.runContainer({ image: `${tagRepo}:solo`, name: `mllab-enginetest-user-${RUN}`, cmd: ['cat', '/vol/file.txt'], ports: [], mounts: [], labels, bindAddress: '127.0.0.1' });
    await engine.waitContainer(user.id);
    // The committed image has one tag, so removing it would delete the image the container needs.
    await assert.rejects(engine.removeImage(`${tagRepo}:solo`), (e: unknown) => e instanceof EngineError && e.kind === 'conflict' && /container/.test(e.message));
    await engine.removeContainer(user.id);
    await engine.removeImage(`${tagRepo}:solo`);
    assert.ok(!(await engine.listImages()).some((i) => i.id === imageId));
  });

  it('removes just the tag when the image has other tags', async () => {
    await engine.removeImage(`${tagRepo}:a`);
    const images = await engine.listImages();
    assert.ok(!images.some((i) => i.repoTags.includes(`${tagRepo}:a`)));
    assert.ok(images.some((i) => i.repoTags.includes(TINY)), 'the image stays under its other tag');
  });

  it('stops, then prunes only stopped containers carrying our label', async () => {
    await engine.stopContainer(id, 1);
    assert.equal(await state(), 'exited');
    const pruned = await engine.pruneContainers(labelFilter);
    assert.deepEqual(pruned.removed, [id]);
    assert.equal((await engine.listContainers({ label: labelFilter })).length, 0);
  });

  it('prunes the now unused volume, scoped to our label', async () => {
    const pruned = await engine.pruneVolumes(labelFilter);
    assert.deepEqual(pruned.removed, [volumeName]);
  });
});
