/**
 * Engine tier: the image prune's confirmation promises what the engine then reclaims (issue 10,
 * part 5: "about 1.99 MB" promised, 14 B reclaimed). Dangling images are made here with the
 * classic builder from the tiny local base image, carry org.mllab.test=<run id>, and only they
 * are pruned (the prune is filtered by that label).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { countRemovedImages, estimateImagePrune } from '../../src/core/prune';
import { TEST_LABEL, cleanup, runId, testEngine } from '../support/fixtures';

const RUN = runId('prune');
const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';

describe('image prune estimate on the real engine', () => {
  const engine = testEngine();
  const tags = [1, 2].map((n) => `mllab-enginetest/prune-${n}:${RUN}`);
  after(async () => cleanup(engine, RUN, tags));

  /** Builds `steps` over the tiny base as `tag` with the classic builder; the image it replaces becomes dangling. */
  const build = async (tag: string, steps: string[]) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mllab-prune-'));
    writeFileSync(path.join(dir, 'Dockerfile'), [`FROM ${TINY}`, ...steps].join('\n') + '\n');
    return (await engine.build({ contextDir: dir, dockerfile: path.join(dir, 'Dockerfile'), tag, labels: { [TEST_LABEL]: RUN }, builder: 'classic' }, () => undefined)).imageId;
  };
  const ours = async () => (await engine.imageDiskUsage()).filter((i) => i.labels[TEST_LABEL] === RUN);
  const prune = () => engine.pruneDanglingImages([`${TEST_LABEL}=${RUN}`]);

  it('one dangling image: the estimate is its unique size, and it is what the prune reclaims', async () => {
    const old = await build(tags[0], [`RUN head -c 300000 /dev/urandom > /a && echo ${RUN}-1`, 'RUN echo three > /c']);
    await build(tags[0], [`RUN echo ${RUN}-replacement > /r`]);
    const usage = await ours();
    const estimate = estimateImagePrune(usage);
    assert.deepEqual(estimate.images.map((i) => i.id), [old], 'the replaced image is the one dangling image');
    assert.equal(estimate.atLeast, estimate.atMost, 'one image: an exact estimate');
    const whole = estimate.images[0].size;
    assert.ok(estimate.atLeast < whole, `the estimate (${estimate.atLeast} B) leaves out the base layers shared with the tagged base image (whole size ${whole} B)`);
    assert.ok(estimate.atLeast >= 300_000, `the 300 kB layer is counted: ${estimate.atLeast} B`);
    const r = await prune();
    console.log(`[prune] estimate ${estimate.atLeast} B, reclaimed ${r.spaceReclaimed} B, whole size ${whole} B, ${r.removed.length} entries deleted`);
    assert.equal(r.spaceReclaimed, estimate.atLeast, 'the engine reclaims what the confirmation promised');
    assert.ok(r.removed.length > 1, `the engine lists parent images and layers too: ${r.removed.length}`);
    assert.equal(countRemovedImages(r.removed, estimate.images.map((i) => i.id)), 1, 'one image removed, however many layers');
  });

  it('two dangling images sharing a layer only with each other: the reclaimed space lies within the estimate', async () => {
    const shared = `RUN head -c 200000 /dev/urandom > /s && echo ${RUN}-2`;
    const first = await build(tags[1], [shared, 'RUN echo one > /x']);
    const second = await build(tags[1], [shared, 'RUN echo two > /x']); // the shared step comes from the build cache
    await build(tags[1], [`RUN echo ${RUN}-replacement-2 > /r`]);
    const estimate = estimateImagePrune(await ours());
    assert.deepEqual(estimate.images.map((i) => i.id).sort(), [first, second].sort());
    const whole = estimate.images.reduce((s, i) => s + i.size, 0);
    const r = await prune();
    console.log(`[prune] estimate ${estimate.atLeast}-${estimate.atMost} B, reclaimed ${r.spaceReclaimed} B, whole sizes ${whole} B`);
    assert.ok(r.spaceReclaimed >= estimate.atLeast && r.spaceReclaimed <= estimate.atMost, 'the reclaimed space lies within the estimate');
    assert.ok(r.spaceReclaimed >= 200_000, 'the layer the two shared only with each other goes too');
    assert.ok(estimate.atMost < whole, 'the upper bound is below the whole sizes the old confirmation promised');
    assert.equal(countRemovedImages(r.removed, estimate.images.map((i) => i.id)), 2);
  });
});
