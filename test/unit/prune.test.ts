import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countRemovedImages, describeReclaim, estimateImagePrune, isDangling } from '../../src/core/prune';
import type { ImageDiskUsage } from '../../src/core/engineTypes';

const img = (id: string, size: number, sharedSize: number, o: Partial<ImageDiskUsage> = {}): ImageDiskUsage => ({ id, repoTags: [], size, sharedSize, containers: 0, labels: {}, ...o });

const cases: Array<{ name: string; images: ImageDiskUsage[]; atLeast: number; atMost: number; pruned: string[] }> = [
  { name: 'a dangling image sharing its base with a tagged image frees only its own layers (the lab notes\' 14 B)', images: [img('d', 1_985_486, 1_985_472), img('t', 1_985_472, 1_985_472, { repoTags: ['busybox:1'] })], atLeast: 14, atMost: 14, pruned: ['d'] },
  { name: 'a dangling image sharing nothing frees its whole size', images: [img('d', 5000, 0)], atLeast: 5000, atMost: 5000, pruned: ['d'] },
  { name: 'tagged images are not pruned', images: [img('t', 5000, 0, { repoTags: ['lab:v1'] })], atLeast: 0, atMost: 0, pruned: [] },
  { name: '<none>:<none> counts as dangling', images: [img('d', 10, 0, { repoTags: ['<none>:<none>'] })], atLeast: 10, atMost: 10, pruned: ['d'] },
  { name: 'a dangling image used by a container is kept and not counted', images: [img('d', 5000, 0, { containers: 1 }), img('e', 300, 100)], atLeast: 200, atMost: 200, pruned: ['e'] },
  { name: 'several dangling images with shared layers: their unique sizes, up to half their shared sizes more', images: [img('a', 3000, 1000), img('b', 2500, 1000)], atLeast: 3500, atMost: 4500, pruned: ['a', 'b'] },
  { name: 'several dangling images sharing nothing: exact', images: [img('a', 3000, 0), img('b', 2500, 0)], atLeast: 5500, atMost: 5500, pruned: ['a', 'b'] },
  { name: 'no shared size reported: whole sizes, an upper bound', images: [img('a', 3000, -1), img('b', 2500, 1000)], atLeast: 0, atMost: 5500, pruned: ['a', 'b'] },
  { name: 'nothing dangling: nothing to free', images: [], atLeast: 0, atMost: 0, pruned: [] },
];

for (const c of cases) {
  void test(`estimateImagePrune: ${c.name}`, () => {
    const e = estimateImagePrune(c.images);
    assert.deepEqual([e.atLeast, e.atMost], [c.atLeast, c.atMost]);
    assert.deepEqual(e.images.map((i) => i.id), c.pruned);
  });
}

void test('isDangling: no tags or only <none>:<none>', () => {
  assert.equal(isDangling({ repoTags: [] }), true);
  assert.equal(isDangling({ repoTags: ['<none>:<none>'] }), true);
  assert.equal(isDangling({ repoTags: ['lab:v1'] }), false);
});

void test('countRemovedImages counts the listed images among the deleted ids, not the layers and parents', () => {
  const deleted = ['sha256:top', 'sha256:layer1', 'sha256:parent', 'sha256:layer2', 'sha256:grandparent'];
  assert.equal(countRemovedImages(deleted, ['sha256:top']), 1);
  assert.equal(countRemovedImages(deleted, ['sha256:top', 'sha256:kept']), 1);
  assert.equal(countRemovedImages([], ['sha256:top']), 0);
});

void test('describeReclaim: about when exact, at most when only bounded above, else both bounds', () => {
  assert.equal(describeReclaim({ atLeast: 14, atMost: 14 }), 'about 14 B');
  assert.equal(describeReclaim({ atLeast: 0, atMost: 2_000_000 }), 'at most 2 MB');
  assert.match(describeReclaim({ atLeast: 8, atMost: 2_185_480 }), /^at least 8 B \(at most 2\.\d+ MB\)$/);
});
