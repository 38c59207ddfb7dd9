import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reconcile } from '../../src/core/tree/reconcile';
import { containerNodes, imageNodes } from '../../src/core/tree/models';
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

void test('reconcile reports nothing when a fresh load equals what is shown', () => {
  const shown = containerNodes([container('a'), container('b')]);
  assert.deepEqual(reconcile(shown, containerNodes([container('a'), container('b')])), { kind: 'none' });
});

void test('reconcile keeps the shown objects and names only the row that changed', () => {
  const shown = containerNodes([container('a'), container('b'), container('c')]);
  const b = shown[1];
  const ports = [{ containerPort: 80, hostPort: 8080, hostIp: '127.0.0.1', protocol: 'tcp' as const }];
  const change = reconcile(shown, containerNodes([container('a'), container('b', 'running', { status: 'Up 2 minutes', ports }), container('c')]));
  assert.equal(change.kind, 'nodes');
  assert.deepEqual(change.kind === 'nodes' && change.nodes, [b]);
  assert.equal(shown[1], b, 'the same object VS Code holds for the row');
  assert.match(b.contextValue ?? '', /^container;running;hasPorts;/, 'updated in place');
  assert.match(b.description ?? '', /Up 2 minutes/);
  assert.deepEqual(b.children?.map((c) => c.kind), ['port', 'containerImage'], 'its children are the fresh ones');
});

void test('reconcile drops fields the fresh node no longer has', () => {
  const shown = containerNodes([container('a')]);
  const fresh = containerNodes([container('a')]);
  delete fresh[0].iconColor;
  reconcile(shown, fresh);
  assert.equal('iconColor' in shown[0], false);
});

void test('reconcile asks for a root refresh when a top-level row is added or removed', () => {
  const shown = containerNodes([container('a'), container('b')]);
  const before = [...shown];
  assert.deepEqual(reconcile(shown, containerNodes([container('a'), container('b'), container('probe')])), { kind: 'root' });
  assert.deepEqual(reconcile(shown, containerNodes([container('b')])), { kind: 'root' });
  assert.deepEqual(shown, before, 'shown is left alone; the caller shows the new list');
});

void test('reconcile asks for a root refresh when a container stops and sorts after the running ones', () => {
  const shown = containerNodes([container('a'), container('b')]);
  assert.deepEqual(reconcile(shown, containerNodes([container('a', 'exited'), container('b')])), { kind: 'root' });
});

void test('reconcile asks for a root refresh when top-level rows are reordered', () => {
  const shown = containerNodes([container('a'), container('b')]);
  assert.deepEqual(reconcile(shown, [...containerNodes([container('a'), container('b')])].reverse()), { kind: 'root' });
});

void test('reconcile refreshes a parent whose children were added, and keeps it resolvable', () => {
  const shown = imageNodes([image(['lab/iris:v1'])], 1_700_000_100_000);
  const repo = shown[0];
  const change = reconcile(shown, imageNodes([image(['lab/iris:v1']), image(['lab/iris:v2'])], 1_700_000_100_000));
  assert.equal(change.kind, 'nodes');
  assert.deepEqual(change.kind === 'nodes' && change.nodes.map((n) => n.id), ['repository:lab/iris']);
  assert.equal(shown[0], repo);
  assert.deepEqual(repo.children?.map((c) => c.label), ['v1', 'v2']);
});

void test('reconcile names a changed child, not its unchanged parent', () => {
  const shown = imageNodes([image(['lab/iris:v1']), image(['lab/iris:v2'])], 1_700_000_100_000);
  const v2 = shown[0].children![1];
  const usedBy = new Map([[image(['lab/iris:v2']).id, ['trainer']]]);
  const change = reconcile(shown, imageNodes([image(['lab/iris:v1']), image(['lab/iris:v2'])], 1_700_000_100_000, { usedBy }));
  assert.equal(change.kind, 'nodes');
  assert.deepEqual(change.kind === 'nodes' && change.nodes, [v2]);
  assert.match(v2.contextValue ?? '', /inUse/);
});
