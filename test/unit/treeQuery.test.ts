import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyQuery } from '../../src/core/tree/query';
import type { NodeModel } from '../../src/core/tree/models';

const tag = (label: string, created: number, size: number, searchText = ''): NodeModel => ({ kind: 'image', id: label, label, created, size, searchText });
const repo = (label: string, children: NodeModel[]): NodeModel => ({
  kind: 'repository',
  id: label,
  label,
  children,
  created: Math.max(...children.map((c) => c.created ?? 0)),
  size: Math.max(...children.map((c) => c.size ?? 0)),
});

const nodes = [
  repo('iris-train', [tag('v1', 100, 900, 'iris-train:v1 org.mllab.course=ml101'), tag('v2', 300, 950, 'iris-train:v2')]),
  repo('flask-app', [tag('latest', 200, 1200, 'flask-app:latest')]),
];

describe('view filter and sort', () => {
  it('keeps everything with an empty filter', () => {
    assert.deepEqual(applyQuery(nodes, { filter: '  ' }).map((n) => n.label), ['iris-train', 'flask-app']);
  });
  it('keeps a group with only its matching children, expanded', () => {
    const r = applyQuery(nodes, { filter: 'V2' });
    assert.deepEqual(r.map((n) => n.label), ['iris-train']);
    assert.deepEqual(r[0].children?.map((c) => c.label), ['v2']);
    assert.equal(r[0].expanded, true);
  });
  it('matches labels in key=value form', () => {
    assert.deepEqual(applyQuery(nodes, { filter: 'course=ml101' })[0].children?.map((c) => c.label), ['v1']);
  });
  it('keeps a whole group when only its own name matches', () => {
    assert.deepEqual(applyQuery(nodes, { filter: 'flask' })[0].children?.map((c) => c.label), ['latest']);
  });
  it('drops what does not match at all', () => {
    assert.deepEqual(applyQuery(nodes, { filter: 'jupyter' }), []);
  });
  it('sorts by created, newest first, inside groups too', () => {
    const r = applyQuery(nodes, { sort: 'created' });
    assert.deepEqual(r.map((n) => n.label), ['iris-train', 'flask-app']);
    assert.deepEqual(r[0].children?.map((c) => c.label), ['v2', 'v1']);
  });
  it('sorts by size, largest first', () => {
    assert.deepEqual(applyQuery(nodes, { sort: 'size' }).map((n) => n.label), ['flask-app', 'iris-train']);
  });
  it('does not change the input models', () => {
    applyQuery(nodes, { filter: 'v2', sort: 'created' });
    assert.deepEqual(nodes[0].children?.map((c) => c.label), ['v1', 'v2']);
  });
});
