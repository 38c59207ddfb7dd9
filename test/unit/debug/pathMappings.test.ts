import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkPathMappings, derivePathMappings, type MappingInput } from '../../../src/core/debug/pathMappings';

const ws = '/home/u/lab';
const dirs = new Set([ws, `${ws}/src`, `${ws}/configs`, `${ws}/artifacts`]);
const isDirectory = (p: string) => dirs.has(p);
const input = (o: Partial<MappingInput>): MappingInput => ({ workspace: ws, mounts: [], isDirectory, ...o });
const build = (dockerfileText: string, target?: string) => ({ dockerfileText, context: ws, ...(target ? { target } : {}) });

void test('the iris lab: files copied into WORKDIR map the context folder, the artifacts bind mount maps first', () => {
  const dockerfile = 'FROM python:3.11-slim\nWORKDIR /usr/local/app\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY train.py ./\nCMD ["python", "train.py"]\n';
  assert.deepEqual(derivePathMappings(input({ build: build(dockerfile), mounts: [{ type: 'bind', source: `${ws}/artifacts`, target: '/usr/local/app/artifacts', readOnly: false }] })), [
    { localRoot: `${ws}/artifacts`, remoteRoot: '/usr/local/app/artifacts' },
    { localRoot: ws, remoteRoot: '/usr/local/app' },
  ]);
});

const cases: Array<{ name: string; dockerfile: string; target?: string; expected: Array<[string, string]> }> = [
  { name: 'COPY . . maps the context to WORKDIR', dockerfile: 'FROM x\nWORKDIR /app\nCOPY . .\n', expected: [[ws, '/app']] },
  { name: 'a folder maps to its destination, relative to WORKDIR', dockerfile: 'FROM x\nWORKDIR /app\nCOPY src/ ./src/\nCOPY configs /etc/lab\n', expected: [[`${ws}/configs`, '/etc/lab'], [`${ws}/src`, '/app/src']] },
  { name: 'a file keeping its name maps its folder', dockerfile: 'FROM x\nCOPY src/train.py /opt/job/train.py\n', expected: [[`${ws}/src`, '/opt/job']] },
  { name: 'a renamed file cannot map by folder and is left out (fallback applies)', dockerfile: 'FROM x\nWORKDIR /w\nCOPY src/train.py /opt/main.py\n', expected: [[ws, '/w']] },
  { name: 'a wildcard maps its folder', dockerfile: 'FROM x\nWORKDIR /app\nCOPY src/*.py ./\n', expected: [[`${ws}/src`, '/app']] },
  { name: 'copies from another stage are left out', dockerfile: 'FROM x AS deps\nFROM x\nWORKDIR /app\nCOPY --from=deps /venv /venv\nCOPY --chown=app train.py ./\n', expected: [[ws, '/app']] },
  { name: 'the build target\'s stage chain, not the last stage', dockerfile: 'FROM x AS base\nWORKDIR /app\nCOPY src ./src\nFROM base AS dev\nCOPY configs ./configs\nFROM x AS prod\nCOPY . /srv\n', target: 'dev', expected: [[`${ws}/configs`, '/app/configs'], [`${ws}/src`, '/app/src']] },
  { name: 'variables in WORKDIR and COPY resolve', dockerfile: 'FROM x\nARG APP=/opt/app\nWORKDIR $APP\nCOPY src ${APP}/src\n', expected: [[`${ws}/src`, '/opt/app/src']] },
  { name: 'a later copy to the same folder wins', dockerfile: 'FROM x\nCOPY src /app\nCOPY configs /app\n', expected: [[`${ws}/configs`, '/app']] },
  { name: 'sources outside the context are left out', dockerfile: 'FROM x\nWORKDIR /app\nCOPY ../secret /s\n', expected: [[ws, '/app']] },
  { name: 'no COPY: the context maps to WORKDIR', dockerfile: 'FROM x\nWORKDIR /app\n', expected: [[ws, '/']] },
];

for (const c of cases) {
  void test(`path mapping: ${c.name}`, () => {
    const wd = /WORKDIR (\/\w+)$/m.exec(c.dockerfile)?.[1];
    const got = derivePathMappings(input({ build: build(c.dockerfile, c.target), workingDir: c.name.startsWith('no COPY') ? undefined : wd }));
    assert.deepEqual(got.map((m) => [m.localRoot, m.remoteRoot]), c.expected);
  });
}

void test('a bind mount wins over a COPY to the same folder (the container runs the mounted files)', () => {
  const got = derivePathMappings(input({ build: build('FROM x\nCOPY . /app\n'), mounts: [{ type: 'bind', source: `${ws}/src`, target: '/app', readOnly: true }] }));
  assert.deepEqual(got, [{ localRoot: `${ws}/src`, remoteRoot: '/app' }]);
});

void test('named volumes do not map; without a build the workspace maps to the working folder', () => {
  const got = derivePathMappings(input({ mounts: [{ type: 'volume', source: 'cache', target: '/cache', readOnly: false }], workingDir: '/workspace' }));
  assert.deepEqual(got, [{ localRoot: ws, remoteRoot: '/workspace' }]);
});

void test('user pathMappings: checked and sorted most specific first', () => {
  assert.deepEqual(checkPathMappings([{ localRoot: '/a', remoteRoot: '/app' }, { localRoot: '/a/out', remoteRoot: '/app/out/' }]), [
    { localRoot: '/a/out', remoteRoot: '/app/out' },
    { localRoot: '/a', remoteRoot: '/app' },
  ]);
  assert.throws(() => checkPathMappings([{ localRoot: 'rel', remoteRoot: '/app' }]), /pathMappings\[0\] must have an absolute localRoot/);
  assert.throws(() => checkPathMappings({}), /must be a list/);
});
