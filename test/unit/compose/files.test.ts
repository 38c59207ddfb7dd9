import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { COMPOSE_FILE_NAME_SOURCE, composeProjectName, isComposeFileName, readComposeFile, volumesRemovedByDown } from '../../../src/core/compose/files';
import { UserError } from '../../../src/core/errors';

describe('Compose file names', () => {
  const cases: Array<{ input: string; expected: boolean }> = [
    { input: '/w/compose.yaml', expected: true },
    { input: '/w/compose.yml', expected: true },
    { input: '/w/docker-compose.yml', expected: true },
    { input: '/w/docker-compose.yaml', expected: true },
    { input: '/w/lab/docker-compose.gpu.yml', expected: true },
    { input: '/w/docker-compose.override.yaml', expected: true },
    { input: '/w/compose.json', expected: false },
    { input: '/w/my-compose.yml', expected: false },
    { input: '/w/docker-compose.yml.bak', expected: false },
    { input: '/w/.vscode/mllab.yaml', expected: false },
    { input: '/w/compose.yaml/x.txt', expected: false },
  ];
  for (const c of cases) it(`${c.input} -> ${c.expected}`, () => assert.equal(isComposeFileName(c.input), c.expected));

  it('package.json menus use the same file-name regex', () => {
    const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as { contributes: { menus: Record<string, Array<{ when?: string }>> } };
    const whens = Object.values(pkg.contributes.menus)
      .flat()
      .map((i) => /resourceFilename =~ \/(.+?)\/(?: |$)/.exec(i.when ?? '')?.[1])
      .filter((w): w is string => !!w);
    assert.ok(whens.length >= 2, 'explorer and editor-title menus name Compose files');
    for (const w of whens) assert.equal(w, COMPOSE_FILE_NAME_SOURCE);
  });
});

describe('readComposeFile', () => {
  const text = `# lab
name: Iris Lab
services:
  model: { build: ./model }
  web:
    image: web:1
volumes:
  artifacts: {}
  cache:
    name: shared-cache
  datasets:
    external: true
`;
  it('lists services in file order, named volumes and the name', () => {
    assert.deepEqual(readComposeFile(text), {
      name: 'Iris Lab',
      services: ['model', 'web'],
      volumes: [
        { key: 'artifacts', external: false },
        { key: 'cache', name: 'shared-cache', external: false },
        { key: 'datasets', external: true },
      ],
      profiles: [],
    });
  });
  it('reads an empty file as no services', () => assert.deepEqual(readComposeFile(''), { services: [], volumes: [], profiles: [] }));
  it("lists the services' profiles once each, in file order", () => {
    const t = 'services:\n  train:\n    image: t\n    profiles: [gpu, debug]\n  web:\n    image: w\n  tb:\n    image: tb\n    profiles:\n      - debug\n      - tools\n';
    assert.deepEqual(readComposeFile(t).profiles, ['gpu', 'debug', 'tools']);
  });
  it('names the line of a YAML error', () => {
    assert.throws(() => readComposeFile('services:\n  a: [\n', 'compose.yaml'), (e: unknown) => e instanceof UserError && /compose\.yaml is not valid YAML at line \d+/.test(e.message));
  });
  it('refuses a top level that is not a mapping', () => assert.throws(() => readComposeFile('- a\n'), /top level should be a mapping/));
});

describe('composeProjectName', () => {
  it('uses the folder name, lower case, only a-z0-9_-', () => assert.equal(composeProjectName({}, '/home/me/Iris Lab.v2'), 'irislabv2'));
  it('prefers the file name: over the folder', () => assert.equal(composeProjectName({ name: 'Iris-Lab' }, '/w/x'), 'iris-lab'));
  it('prefers COMPOSE_PROJECT_NAME over both', () => assert.equal(composeProjectName({ name: 'a' }, '/w/x', { COMPOSE_PROJECT_NAME: 'Class1' }), 'class1'));
  it('refuses a name with nothing usable left', () => assert.throws(() => composeProjectName({}, '/w/..._'), (e: unknown) => e instanceof UserError && /top-level name:/.test(e.hint ?? '')));
});

describe('volumesRemovedByDown', () => {
  it('names project-prefixed volumes and explicit names, never external ones', () => {
    const info = readComposeFile('services: {}\nvolumes:\n  artifacts: {}\n  cache: { name: shared-cache }\n  data: { external: true }\n');
    assert.deepEqual(volumesRemovedByDown(info, 'iris'), ['iris_artifacts', 'shared-cache']);
  });
});

describe('Compose Specification schema wiring', () => {
  const root = path.resolve(__dirname, '..', '..', '..', '..');
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { yamlValidation: Array<{ fileMatch: string[]; url: string }> } };
  const entry = pkg.contributes.yamlValidation.find((v) => v.url.endsWith('/compose-spec.json'));
  it('maps every Compose file name to the spec schema', () => {
    assert.ok(entry);
    for (const m of entry.fileMatch) assert.ok(isComposeFileName(`/w/${m.replace('*', 'gpu')}`), m);
  });
  it('points at the Compose Specification schema pinned to one commit (the YAML extension fetches and caches it)', () => {
    assert.match(entry!.url, /^https:\/\/raw\.githubusercontent\.com\/compose-spec\/compose-spec\/[0-9a-f]{40}\/schema\/compose-spec\.json$/);
  });
});
