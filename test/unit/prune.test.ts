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

import { describePlanReclaim, planIsEmpty, planSystemPrune, runSystemPrune } from '../../src/core/prune';
import type { ContainerSummary, NetworkSummary, VolumeSummary } from '../../src/core/engineTypes';

const ctr = (id: string, state: ContainerSummary['state'], o: Partial<ContainerSummary> = {}): ContainerSummary => ({
  id, name: id, image: 'lab:v1', imageId: 'i-lab', command: '', created: 0, state, status: state, ports: [], labels: {}, mounts: [], networks: ['bridge'], ...o,
});
const net = (name: string, o: Partial<NetworkSummary> = {}): NetworkSummary => ({ id: `n-${name}`, name, driver: 'bridge', scope: 'local', subnets: [], gateways: [], internal: false, created: 0, labels: {}, ...o });
const vol = (name: string, size?: number, labels: Record<string, string> = {}): VolumeSummary => ({ name, driver: 'local', mountpoint: '', created: 0, labels, ...(size !== undefined ? { size } : {}) });
const volMount = (name: string) => ({ type: 'volume', name, source: '', destination: '/d', readOnly: false });

void test('planSystemPrune: stopped containers go, and what only they used counts as unused', () => {
  const p = planSystemPrune({
    containers: [ctr('run', 'running', { mounts: [volMount('keep')], networks: ['used-net'] }), ctr('old', 'exited', { imageId: 'd1', sizeRw: 100, mounts: [volMount('data')], networks: ['old-net'] })],
    networks: [net('bridge'), net('host'), net('used-net'), net('old-net'), net('docker_gwbridge')],
    images: [img('d1', 500, 0, { containers: 1 }), img('t', 900, 0, { repoTags: ['lab:v1'], containers: 1 })],
    volumes: [vol('keep', 10), vol('data', 40)],
    withVolumes: true,
  });
  assert.deepEqual(p.containers.items.map((c) => c.id), ['old']);
  assert.equal(p.containers.bytes, 100);
  assert.deepEqual(p.networks.items.map((n) => n.name), ['old-net'], "Docker's own networks and networks a running container uses stay");
  assert.deepEqual(p.images.images.map((i) => i.id), ['d1'], 'the dangling image only the stopped container used goes with it');
  assert.deepEqual(p.volumes.items.map((v) => v.name), ['data']);
  assert.equal(describePlanReclaim(p), 'about 640 B');
});

void test('planSystemPrune: volumes stay unless asked', () => {
  const p = planSystemPrune({ containers: [], networks: [], images: [], volumes: [vol('data', 40)], withVolumes: false });
  assert.deepEqual(p.volumes.items, []);
  assert.ok(planIsEmpty(p));
});

void test('planSystemPrune: a dangling image a running container uses is kept and said so', () => {
  const p = planSystemPrune({ containers: [ctr('run', 'running', { imageId: 'd1' })], networks: [], images: [img('d1', 500, 0, { containers: 1 })], volumes: [], withVolumes: false });
  assert.deepEqual([p.images.images.length, p.images.inUse.map((i) => i.id)], [0, ['d1']]);
});

void test('planSystemPrune: `only` narrows what goes (a test label) while every container still counts as a user', () => {
  const only = (l: Record<string, string>) => l['org.mllab.test'] === 'r1';
  const p = planSystemPrune({
    containers: [ctr('mine', 'exited', { labels: { 'org.mllab.test': 'r1' } }), ctr('theirs', 'exited'), ctr('theirs-up', 'running', { mounts: [volMount('shared')] })],
    networks: [net('mine-net', { labels: { 'org.mllab.test': 'r1' } }), net('other-net')],
    images: [img('d-mine', 10, 0, { labels: { 'org.mllab.test': 'r1' } }), img('d-other', 10, 0)],
    volumes: [vol('mine-vol', 1, { 'org.mllab.test': 'r1' }), vol('shared', 1, { 'org.mllab.test': 'r1' }), vol('other', 1)],
    withVolumes: true,
    only,
  });
  assert.deepEqual([p.containers.items, p.networks.items, p.images.images, p.volumes.items].map((xs) => xs.map((x) => ('name' in x ? x.name : x.id))), [['mine'], ['mine-net'], ['d-mine'], ['mine-vol']]);
});

void test('describePlanReclaim: a range when the image estimate is one; unknown volume sizes are said', () => {
  const p = planSystemPrune({ containers: [], networks: [], images: [img('a', 3000, 1000), img('b', 2500, 1000)], volumes: [vol('v')], withVolumes: true });
  assert.equal(describePlanReclaim(p), "at least 3.5 kB (at most 4.5 kB) plus the volumes' unknown sizes");
});

void test("runSystemPrune: docker system prune's order, the label passed to every part, and the space summed", async () => {
  const calls: string[] = [];
  const part = (name: string, bytes: number) => async (label?: string[]) => {
    calls.push(`${name}:${label?.join(',') ?? ''}`);
    return { removed: [name], spaceReclaimed: bytes };
  };
  const pruner = { pruneContainers: part('containers', 1), pruneNetworks: part('networks', 0), pruneVolumes: part('volumes', 10), pruneDanglingImages: part('images', 100) };
  const r = await runSystemPrune(pruner, { withVolumes: true, label: ['k=v'] });
  assert.deepEqual(calls, ['containers:k=v', 'networks:k=v', 'volumes:k=v', 'images:k=v']);
  assert.equal(r.spaceReclaimed, 111);
  calls.length = 0;
  const r2 = await runSystemPrune(pruner, { withVolumes: false });
  assert.deepEqual(calls, ['containers:', 'networks:', 'images:']);
  assert.equal(r2.volumes, undefined);
});
