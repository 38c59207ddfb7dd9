import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { baselineImageIds, describeLeftovers, diffSnapshots, isClean, type EngineSnapshot, type SnapshotImage } from '../../../src/core/engineSnapshot';

const img = (id: string, tags: string[] = [], parent = '', labels: Record<string, string> = {}): SnapshotImage => ({ id: `sha256:${id.padEnd(64, '0')}`, tags, parent: parent && `sha256:${parent.padEnd(64, '0')}`, labels });
const snap = (o: Partial<EngineSnapshot> = {}): EngineSnapshot => ({ images: [], containers: [], volumes: [], networks: [{ id: 'n-bridge', name: 'bridge', driver: 'bridge', labels: {} }], ...o });
const base = { images: ['mllab-test/busybox:1', 'mllab-test/python-ml:bookworm'] };
// busybox built FROM scratch with the classic builder: three untagged intermediate images under the tag
const busybox = [img('c1'), img('c2', [], 'c1'), img('c3', [], 'c2'), img('bb', ['mllab-test/busybox:1'], 'c3')];
const python = img('py', ['mllab-test/python-ml:bookworm']);

void test('the same contents: nothing left', () => {
  const s = snap({ images: [...busybox, python] });
  assert.ok(isClean(diffSnapshots(s, s, base)));
});

void test('base images built during the run, with their intermediate images, are allowed', () => {
  assert.ok(isClean(diffSnapshots(snap(), snap({ images: [...busybox, python] }), base)));
});

void test('a dangling image and its intermediate parents left by a classic build are leftovers', () => {
  const before = snap({ images: [...busybox] });
  const after = snap({ images: [...busybox, img('i1', [], 'bb'), img('d1', [], 'i1', { 'org.mllab.test-fixture': 'true' })] });
  const left = diffSnapshots(before, after, base);
  assert.deepEqual(left.images.map((i) => i.id.slice(7, 9)), ['i1', 'd1']);
  assert.deepEqual(describeLeftovers(left), [`image i10000000000 (untagged)`, `image d10000000000 (untagged) [org.mllab.test-fixture=true]`]);
});

void test('an image built on a base image is not allowed because its parent is', () => {
  const left = diffSnapshots(snap({ images: busybox }), snap({ images: [...busybox, img('ab', ['lab:v1'], 'bb')] }), base);
  assert.deepEqual(left.images.map((i) => i.tags), [['lab:v1']]);
});

void test('a tag added to an image that was there is a leftover naming only the new tag', () => {
  const left = diffSnapshots(snap({ images: [python] }), snap({ images: [img('py', ['mllab-test/python-ml:bookworm', 'copy:v1'])] }), base);
  assert.deepEqual(left.images, [{ id: python.id, tags: ['copy:v1'], labels: {}, newTagsOnly: true }]);
  assert.match(describeLeftovers(left)[0], /gained tag\(s\) copy:v1/);
});

void test('new containers, volumes and networks are leftovers, named with their labels; ones removed are not', () => {
  const before = snap({ containers: [{ id: 'old', name: 'gone', image: 'x', labels: {} }], volumes: [{ name: 'v-old', labels: {} }] });
  const after = snap({
    containers: [{ id: 'c9', name: 'mllab-run-1', image: 'lab:v1', labels: { 'org.mllab.test': 'engine-1-a' } }],
    volumes: [{ name: 'data-1', labels: {} }],
    networks: [...before.networks, { id: 'n-gw', name: 'docker_gwbridge', driver: 'bridge', labels: {} }],
  });
  const left = diffSnapshots(before, after, base);
  assert.deepEqual(describeLeftovers(left), ['container mllab-run-1 (image lab:v1) [org.mllab.test=engine-1-a]', 'volume data-1', 'network docker_gwbridge (bridge)']);
});

void test('a network removed and made again under the same name is a new network', () => {
  const after = snap({ networks: [{ id: 'n-bridge-2', name: 'bridge', driver: 'bridge', labels: {} }] });
  assert.equal(diffSnapshots(snap(), after, base).networks.length, 1);
});

void test('a baseline reference without a tag means :latest; a tagged parent is not allowed through it', () => {
  const s = snap({ images: [img('t1', ['other:1']), img('k1', ['kept:latest'], 't1')] });
  assert.deepEqual([...baselineImageIds(s, { images: ['kept'] })], [img('k1').id]);
});

void test('the baseline file names the base images scripts/setup/base-images.sh makes', () => {
  const repo = path.resolve(__dirname, '..', '..', '..', '..');
  const b = JSON.parse(readFileSync(path.join(repo, 'scripts', 'setup', 'engine-baseline.json'), 'utf8')) as { images: Array<{ ref: string; env: string }> };
  const script = readFileSync(path.join(repo, 'scripts', 'setup', 'base-images.sh'), 'utf8');
  for (const i of b.images) assert.match(script, new RegExp(`${i.env}:-${i.ref.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`), `${i.ref} is base-images.sh's default for ${i.env}`);
});
