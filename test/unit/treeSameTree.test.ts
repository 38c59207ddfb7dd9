import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sameTree } from '../../src/core/tree/sameTree';
import { containerNodes, imageNodes, usage } from '../../src/core/tree/models';
import type { ContainerSummary, ImageSummary } from '../../src/core/engineTypes';

const container = (name: string, state: ContainerSummary['state'] = 'running', extra: Partial<ContainerSummary> = {}): ContainerSummary => ({
  id: `${name}-id`.padEnd(64, '0'),
  name,
  image: 'busybox:1',
  imageId: 'sha256:b',
  state,
  status: state === 'running' ? 'Up 1 minute' : 'Exited (0) 1 minute ago',
  created: 1_700_000_000_000,
  ports: [],
  mounts: [],
  labels: {},
  command: 'sleep 1000',
  ...extra,
});

const image = (tags: string[], id = 'sha256:' + tags.join('').padEnd(64, 'a')): ImageSummary =>
  ({ id, repoTags: tags, repoDigests: [], created: 1_700_000_000_000, size: 1000, labels: {} }) as unknown as ImageSummary;

void test('sameTree: a fresh load equal to what is shown is the same tree (no refresh)', () => {
  assert.equal(sameTree(containerNodes([container('a'), container('b')]), containerNodes([container('a'), container('b')])), true);
  assert.equal(sameTree(imageNodes([image(['lab/iris:v1'])], 1_700_000_100_000), imageNodes([image(['lab/iris:v1'])], 1_700_000_100_000)), true);
});

void test('sameTree: a changed status text is a change', () => {
  assert.equal(sameTree(containerNodes([container('a')]), containerNodes([container('a', 'running', { status: 'Up 2 minutes' })])), false);
});

void test('sameTree: a field the fresh node no longer has is a change', () => {
  const fresh = containerNodes([container('a')]);
  delete fresh[0].iconColor;
  assert.equal(sameTree(containerNodes([container('a')]), fresh), false);
});

void test('sameTree: an added, removed or reordered top-level row is a change', () => {
  const shown = containerNodes([container('a'), container('b')]);
  assert.equal(sameTree(shown, containerNodes([container('a'), container('b'), container('probe')])), false);
  assert.equal(sameTree(shown, containerNodes([container('b')])), false);
  assert.equal(sameTree(shown, [...containerNodes([container('a'), container('b')])].reverse()), false);
});

void test('sameTree: a child added under a repository, or a changed child, is a change', () => {
  const shown = imageNodes([image(['lab/iris:v1'])], 1_700_000_100_000);
  assert.equal(sameTree(shown, imageNodes([image(['lab/iris:v1']), image(['lab/iris:v2'])], 1_700_000_100_000)), false);
  const usedBy = new Map([[image(['lab/iris:v1']).id, ['trainer']]]);
  assert.equal(sameTree(shown, imageNodes([image(['lab/iris:v1'])], 1_700_000_100_000, { usedBy })), false);
});

void test('sameTree: a container created from another image leaves the Images view unchanged', () => {
  const busy = image(['mllab-test/busybox:1']);
  const py = image(['mllab-test/python-ml:bookworm']);
  const view = (cs: ContainerSummary[]) => imageNodes([busy, py], 1_700_000_100_000, { usedBy: usage(cs).images });
  const a = container('a', 'running', { imageId: busy.id });
  assert.equal(sameTree(view([a]), view([a, container('elsewhere', 'created', { imageId: 'sha256:other' })])), true);
  assert.equal(sameTree(view([a]), view([a, container('trainer', 'created', { imageId: py.id })])), false, 'one from a listed image changes its "used by"');
});
