/**
 * Engine tier: BuildKit builds through the Engine API (`POST /build?version=2`, the tar body as
 * the build context) against the real engine. Everything created carries the label
 * org.mllab.test=<run id> and is removed at the end (images with noprune; never a prune).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Engine, EngineError } from '../../src/engine/engine';
import type { BuildEvent } from '../../src/core/build/output';
import { BASE_IMAGE, TEST_LABEL, cleanup, copyLab, httpText, runId, testEngine, waitFor } from '../support/fixtures';

const RUN = runId('bk');
const labels = { [TEST_LABEL]: RUN };
const tag = (name: string): string => `mllab-enginetest/bk-${name}:${RUN}`;
const tags = ['iris', 'flask', 'broken', 'ignore', 'cancel', 'auto', 'classic', 'fallback'].map(tag);
const flaskPort = 4017;

async function runToExit(engine: Engine, image: string, name: string): Promise<{ exitCode: number; text: string }> {
  const { id } = await engine.runContainer({
    image,
    name: `mllab-enginetest-bk-${name}-${RUN}`,
    ports: [],
    mounts: [],
    labels,
    bindAddress: '127.0.0.1',
  });
  const { exitCode } = await engine.waitContainer(id);
  let text = '';
  await engine.logs(id, (t) => (text += t), { follow: false });
  return { exitCode, text };
}

/**
 * A proxy in front of the real engine's socket that answers `POST /build?version=2` like an
 * engine without BuildKit would (400), and passes everything else through.
 */
async function engineWithoutBuildkit(): Promise<{ engine: Engine; close: () => Promise<void> }> {
  const upstream = process.env.MLLAB_DOCKER_HOST?.replace(/^unix:\/\//, '') || '/var/run/docker.sock';
  const socketPath = path.join(mkdtempSync(path.join(tmpdir(), 'mllab-nobk-')), 'engine.sock');
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && /\/build\?/.test(req.url ?? '') && /[?&]version=2(&|$)/.test(req.url ?? '')) {
      req.resume();
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: 'buildkit not supported by daemon' }));
      return;
    }
    const up = http.request({ socketPath: upstream, path: req.url, method: req.method, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const engine = new Engine({ address: { kind: 'socket', socketPath }, source: 'setting', describe: `unix://${socketPath} (test proxy)` }, 30_000);
  return { engine, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('BuildKit builds on the real engine', () => {
  let engine: Engine;
  before(async () => {
    engine = testEngine();
    await engine.ping();
  });
  after(async () => {
    await cleanup(engine, RUN, tags);
  });

  it('builds the iris lab with BuildKit: steps and BuildKit log lines stream, and the image trains', async () => {
    const lab = copyLab('iris-train');
    const events: BuildEvent[] = [];
    const result = await engine.build(
      { contextDir: lab, dockerfile: path.join(lab, 'train.dockerfile'), tag: tag('iris'), buildArgs: { BASE_IMAGE }, labels, builder: 'buildkit' },
      (e) => events.push(e),
    );
    assert.equal(result.builder, 'buildkit');
    assert.match(result.imageId, /^sha256:[0-9a-f]{64}$/);
    const steps = events.filter((e) => e.kind === 'step');
    assert.ok(steps.length >= 5, `expected build steps, got ${steps.length}`);
    assert.ok(steps.some((e) => e.kind === 'step' && e.instruction === 'RUN pip install --no-cache-dir -r requirements.txt' && e.total === 6));
    const log = events.map((e) => (e.kind === 'log' ? e.text : '')).join('');
    assert.match(log, /^#\d+ \[\d\/6\] COPY train\.py \.\/$/m);
    assert.match(log, /^#\d+ (DONE \d+\.\ds|CACHED)$/m);
    const image = await engine.inspectImage(tag('iris'));
    assert.equal(image.id, result.imageId);
    assert.equal(image.workingDir, '/usr/local/app');
    assert.equal(image.labels[TEST_LABEL], RUN);
    const { exitCode, text } = await runToExit(engine, tag('iris'), 'iris');
    assert.equal(exitCode, 0, `training failed:\n${text}`);
    assert.match(text, /^epoch 1\//m);
  });

  it('builds the flask lab with BuildKit and the app answers', async () => {
    const lab = copyLab('flask-app');
    const events: BuildEvent[] = [];
    const result = await engine.build(
      { contextDir: lab, dockerfile: path.join(lab, 'Dockerfile'), tag: tag('flask'), buildArgs: { BASE_IMAGE }, labels, builder: 'buildkit' },
      (e) => events.push(e),
    );
    assert.equal(result.builder, 'buildkit');
    assert.ok(events.some((e) => e.kind === 'step' && e.instruction === 'COPY app.py ./'));
    assert.ok(events.some((e) => e.kind === 'imageId' && e.id === result.imageId));
    await engine.runContainer({
      image: tag('flask'),
      name: `mllab-enginetest-bk-flask-${RUN}`,
      ports: [{ hostPort: flaskPort, containerPort: 8080, protocol: 'tcp' }],
      mounts: [],
      labels,
      bindAddress: '127.0.0.1',
    });
    const body = await waitFor(`the flask app on 127.0.0.1:${flaskPort}`, () => httpText(`http://127.0.0.1:${flaskPort}/`), 30_000);
    assert.match(body, /Welcome/);
  });

  it('reports a failing RUN as buildFailed with its step and instruction, its output in the log', async () => {
    const lab = copyLab('iris-train');
    writeFileSync(path.join(lab, 'Broken.dockerfile'), `FROM ${BASE_IMAGE}\nRUN echo preparing\nRUN python3 -c "import sys; print('about to fail'); sys.exit(3)"\n`);
    const events: BuildEvent[] = [];
    await assert.rejects(
      engine.build({ contextDir: lab, dockerfile: path.join(lab, 'Broken.dockerfile'), tag: tag('broken'), labels, builder: 'buildkit' }, (e) => events.push(e)),
      (err: unknown) => {
        assert.ok(err instanceof EngineError);
        assert.equal(err.kind, 'buildFailed');
        assert.match(err.message, /at step 3\/3: .*exit code: 3/);
        assert.equal(err.hint, `RUN python3 -c "import sys; print('about to fail'); sys.exit(3)"`);
        return true;
      },
    );
    assert.match(events.map((e) => (e.kind === 'log' ? e.text : '')).join(''), /^#\d+ about to fail$/m);
    assert.equal(events.filter((e) => e.kind === 'error').length, 1);
  });

  it('honours .dockerignore: an ignored file is not in the image', async () => {
    const lab = copyLab('iris-train');
    mkdirSync(path.join(lab, 'data'), { recursive: true });
    writeFileSync(path.join(lab, 'data', 'secret.csv'), 'x,y\n1,2\n');
    writeFileSync(path.join(lab, 'model.ckpt'), 'weights');
    writeFileSync(path.join(lab, 'Copyall.dockerfile'), `FROM ${BASE_IMAGE}\nCOPY . /ctx\nCMD ["ls", "-A", "/ctx"]\n`);
    const result = await engine.build(
      { contextDir: lab, dockerfile: path.join(lab, 'Copyall.dockerfile'), tag: tag('ignore'), labels, builder: 'buildkit' },
      () => undefined,
    );
    assert.equal(result.builder, 'buildkit');
    assert.ok(result.context.excluded?.includes('data/'));
    const { exitCode, text } = await runToExit(engine, tag('ignore'), 'ignore');
    assert.equal(exitCode, 0, text);
    const names = text.split('\n').filter(Boolean);
    assert.ok(names.includes('train.py'), `listing: ${names.join(' ')}`);
    assert.ok(!names.includes('data'), `data/ is in .dockerignore: ${names.join(' ')}`);
    assert.ok(!names.includes('model.ckpt'), `*.ckpt is in .dockerignore: ${names.join(' ')}`);
  });

  it('cancels a running BuildKit build through the AbortSignal', async () => {
    const lab = copyLab('iris-train');
    writeFileSync(path.join(lab, 'Slow.dockerfile'), `FROM ${BASE_IMAGE}\nRUN echo ${RUN} && sleep 60\n`);
    const abort = new AbortController();
    const started = Date.now();
    await assert.rejects(
      engine.build(
        { contextDir: lab, dockerfile: path.join(lab, 'Slow.dockerfile'), tag: tag('cancel'), labels, builder: 'buildkit' },
        (e) => {
          if (e.kind === 'step' && /sleep 60/.test(e.instruction)) setTimeout(() => abort.abort(), 500);
        },
        abort.signal,
      ),
      (err: unknown) => err instanceof EngineError && err.kind === 'cancelled',
    );
    assert.ok(Date.now() - started < 30_000, 'the build stopped long before its 60 s sleep');
    await assert.rejects(engine.inspectImage(tag('cancel')), (err: unknown) => err instanceof EngineError && err.kind === 'notFound');
  });

  it("'auto' picks BuildKit on this engine, and 'classic' still builds with the classic builder", async () => {
    assert.equal(await engine.supportsBuildkit(), true);
    const lab = copyLab('flask-app');
    const autoEvents: BuildEvent[] = [];
    const auto = await engine.build({ contextDir: lab, dockerfile: path.join(lab, 'Dockerfile'), tag: tag('auto'), buildArgs: { BASE_IMAGE }, labels }, (e) =>
      autoEvents.push(e),
    );
    assert.equal(auto.builder, 'buildkit');
    assert.ok(autoEvents.some((e) => e.kind === 'log' && /^#\d+ \[\d\/\d\] /.test(e.text)));
    const classicEvents: BuildEvent[] = [];
    const classic = await engine.build(
      { contextDir: lab, dockerfile: path.join(lab, 'Dockerfile'), tag: tag('classic'), buildArgs: { BASE_IMAGE }, labels, builder: 'classic' },
      (e) => classicEvents.push(e),
    );
    assert.equal(classic.builder, 'classic');
    assert.ok(classicEvents.some((e) => e.kind === 'log' && /^Step \d+\/\d+ : /.test(e.text)));
  });

  it("'auto' falls back to the classic builder once, and says so, when the engine refuses BuildKit; 'buildkit' does not", async () => {
    const { engine: proxied, close } = await engineWithoutBuildkit();
    try {
      const lab = copyLab('flask-app');
      const req = { contextDir: lab, dockerfile: path.join(lab, 'Dockerfile'), tag: tag('fallback'), buildArgs: { BASE_IMAGE }, labels };
      await assert.rejects(
        proxied.build({ ...req, builder: 'buildkit' }, () => undefined),
        (err: unknown) => err instanceof EngineError && err.kind === 'engine' && /refused a BuildKit build: buildkit not supported by daemon/.test(err.message),
      );
      const events: BuildEvent[] = [];
      const result = await proxied.build(req, (e) => events.push(e));
      assert.equal(result.builder, 'classic');
      const log = events.map((e) => (e.kind === 'log' ? e.text : '')).join('');
      assert.match(log, /^BuildKit is not available on this engine \(buildkit not supported by daemon\); building with the classic builder instead\.$/m);
      assert.ok(events.some((e) => e.kind === 'step'));
      assert.match(log, /^Step \d+\/\d+ : /m);
      // The engine is remembered as without BuildKit: the next 'auto' build goes straight to classic.
      assert.equal(await proxied.supportsBuildkit(), false);
      const again: BuildEvent[] = [];
      assert.equal((await proxied.build(req, (e) => again.push(e))).builder, 'classic');
      assert.ok(!again.some((e) => e.kind === 'log' && /BuildKit is not available/.test(e.text)));
    } finally {
      await close();
    }
  });
});
