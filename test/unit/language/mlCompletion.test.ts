/** ML-aware completion: where the cursor is, and what is offered there. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appPorts, CACHE_TARGETS, composeSpot, dockerfileSpot, engineImageNames, ML_BASE_IMAGES, MOUNT_OPTIONS, RUN_FLAGS } from '../../../src/core/language/mlCompletion';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('dockerfileSpot', () => {
  const cases: Array<{ before: string; expected: ReturnType<typeof dockerfileSpot> }> = [
    { before: 'FROM ', expected: { kind: 'image', start: 5, typed: '' } },
    { before: 'from py', expected: { kind: 'image', start: 5, typed: 'py' } },
    { before: 'FROM --platform=$BUILDPLATFORM python:3.1', expected: { kind: 'tag', start: 38, image: 'python', typed: '3.1' } },
    { before: 'FROM 127.0.0.1:5000/lab/model:', expected: { kind: 'tag', start: 30, image: '127.0.0.1:5000/lab/model', typed: '' } },
    { before: 'FROM 127.0.0.1:5000/lab/mo', expected: { kind: 'image', start: 5, typed: '127.0.0.1:5000/lab/mo' } },
    { before: 'FROM python@sha256:ab', expected: undefined },
    { before: 'FROM $BASE', expected: undefined },
    { before: 'EXPOSE ', expected: { kind: 'exposePort', start: 7, typed: '' } },
    { before: 'EXPOSE 8080 50', expected: { kind: 'exposePort', start: 12, typed: '50' } },
    { before: 'RUN --mount=type=cache,target=', expected: { kind: 'cacheTarget', start: 30, typed: '' } },
    { before: 'RUN --mount=type=cache,id=pip,dst=/ro', expected: { kind: 'cacheTarget', start: 34, typed: '/ro' } },
    { before: 'RUN --mount=type=bind,target=', expected: undefined },
    { before: 'RUN --mount=type=bind,ta', expected: { kind: 'mountOption', start: 22, typed: 'ta', type: 'bind' } },
    { before: 'RUN --mo', expected: { kind: 'runFlag', start: 4, typed: '--mo' } },
    { before: 'RUN --network=none --', expected: { kind: 'runFlag', start: 19, typed: '--' } },
    { before: 'RUN --mount=', expected: { kind: 'mountOption', start: 12, typed: '', type: undefined } },
    { before: 'RUN --mount=type=cache,sh', expected: { kind: 'mountOption', start: 23, typed: 'sh', type: 'cache' } },
    { before: 'RUN pip install', expected: undefined },
    { before: 'COPY --from=', expected: undefined },
  ];
  for (const c of cases) it(JSON.stringify(c.before), () => assert.deepEqual(dockerfileSpot(c.before), c.expected));
});

describe('composeSpot', () => {
  it('offers tags after image: name:', () => assert.deepEqual(composeSpot('    image: 127.0.0.1:5000/lab/model:v'), { kind: 'tag', start: 36, image: '127.0.0.1:5000/lab/model', typed: 'v' }));
  it('reads a quoted value', () => assert.deepEqual(composeSpot('    image: "python:'), { kind: 'tag', start: 19, image: 'python', typed: '' }));
  it('offers nothing before the colon (the image name is free text)', () => assert.equal(composeSpot('    image: pyth'), undefined));
  it('offers nothing on other keys', () => assert.equal(composeSpot('    build: x:'), undefined));
});

describe('lists', () => {
  it('every ML base image has a one-line description', () => {
    assert.ok(ML_BASE_IMAGES.length >= 8);
    for (const b of ML_BASE_IMAGES) assert.ok(b.description.length > 20 && !b.description.includes('\n'), b.name);
    for (const n of ['python', 'pytorch/pytorch', 'nvidia/cuda', 'tensorflow/tensorflow']) assert.ok(ML_BASE_IMAGES.some((b) => b.name === n), n);
    assert.ok(ML_BASE_IMAGES.some((b) => b.name.includes('jupyter/')) && ML_BASE_IMAGES.some((b) => b.name.includes('huggingface')));
  });
  it('cache targets cover pip, conda and apt', () => {
    for (const p of ['/root/.cache/pip', '/opt/conda/pkgs', '/var/cache/apt', '/var/lib/apt']) assert.ok(CACHE_TARGETS.some((c) => c.path === p), p);
  });
  it('RUN flags and mount options follow the Dockerfile reference', () => {
    assert.deepEqual(RUN_FLAGS.map((f) => f.flag), ['--mount', '--network', '--security']);
    assert.ok(MOUNT_OPTIONS.cache.includes('sharing=locked') && MOUNT_OPTIONS.secret.includes('env='));
  });
  it('engine image names: each reference once, sorted, dangling ones left out', () => {
    assert.deepEqual(engineImageNames([['b:1', 'a:2'], [], ['<none>:<none>'], ['a:2']]), ['a:2', 'b:1']);
  });
});

describe('appPorts', () => {
  it("finds the iris lab's app port the way the lab guidance does", () => {
    const text = readFileSync(join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'labs', 'flask-app', 'Dockerfile'), 'utf8');
    const ports = appPorts(text);
    assert.ok(ports.length >= 1, 'a port');
    assert.deepEqual(ports[0], { port: 8080, tool: 'flask' });
  });
  it('reads a port from a flag through a runner', () => {
    assert.deepEqual(appPorts('FROM python:3.12\nCMD ["uv", "run", "uvicorn", "app:app", "--port", "9000"]\n'), [{ port: 9000, tool: 'uvicorn' }]);
  });
  it('offers nothing without a server', () => assert.deepEqual(appPorts('FROM python:3.12\nCMD ["python", "train.py"]\n'), []));
});
