/** Compose structure for the editor: outline, service definitions, depends_on entries, Dockerfiles. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composeOutline, composeReferences, dependsOnSpot } from '../../../src/core/compose/outline';

const text = `name: lab
services:
  train:
    build:
      context: ./train
      dockerfile: Dockerfile.gpu
    depends_on:
      - db
      - cache
  web:
    build: ./web
    depends_on: { db: { condition: service_healthy } }
  db:
    image: postgres:16
  cache:
    image: redis:7
  remote:
    build: https://github.com/example/app.git
volumes:
  data: {}
`;
const at = (s: { start: number; end: number }) => text.slice(s.start, s.end);

describe('composeOutline', () => {
  it('lists sections and their entries', () => {
    const o = composeOutline(text);
    assert.deepEqual(o.map((s) => [s.name, s.kind]), [['name', 'key'], ['services', 'section'], ['volumes', 'section']]);
    assert.deepEqual(o[1].children.map((c) => c.name), ['train', 'web', 'db', 'cache', 'remote']);
    assert.equal(at(o[1].children[0].selection), 'train');
    assert.ok(at(o[1].children[0].range).includes('Dockerfile.gpu'));
    assert.deepEqual(o[2].children.map((c) => [c.name, c.kind]), [['data', 'volume']]);
  });
  it('reads a broken file as what it can, without throwing', () => assert.deepEqual(composeOutline('services: [\n').map((s) => s.name), ['services']));
});

describe('composeReferences', () => {
  const r = composeReferences(text);
  it('finds each service key', () => assert.deepEqual([...r.services.keys()], ['train', 'web', 'db', 'cache', 'remote']));
  it('finds depends_on entries in list and map form', () => {
    assert.deepEqual(r.dependsOn.map((d) => [d.from, d.service, at(d.span)]), [['train', 'db', 'db'], ['train', 'cache', 'cache'], ['web', 'db', 'db']]);
  });
  it('finds Dockerfiles: build.dockerfile under its context, or the context default; none for a remote context', () => {
    assert.deepEqual(r.dockerfiles.map((d) => [d.path, at(d.span)]), [['train/Dockerfile.gpu', 'Dockerfile.gpu'], ['web/Dockerfile', './web']]);
  });
});

describe('dependsOnSpot', () => {
  const lines = text.split('\n');
  it('a new list item under depends_on', () => {
    const l = [...lines.slice(0, 9), '      - ca', ...lines.slice(9)];
    assert.deepEqual(dependsOnSpot(l, 9, 10), { start: 8, typed: 'ca', from: 'train' });
  });
  it('inside an inline list', () => assert.deepEqual(dependsOnSpot(['services:', '  web:', '    depends_on: [db, '], 2, 21), { start: 21, typed: '', from: 'web' }));
  it('not in another list', () => assert.equal(dependsOnSpot(['services:', '  web:', '    ports:', '      - '], 3, 8), undefined));
});
