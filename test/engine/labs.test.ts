/**
 * Engine tier: the two labs built and run through src/engine against the real Docker engine.
 * Everything created carries the label org.mllab.test=<run id> and is removed at the end.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Engine, EngineError } from '../../src/engine/engine';
import type { BuildEvent } from '../../src/core/build/output';
import { BASE_IMAGE, TEST_LABEL, cleanup, copyLab, httpText, runId, testEngine, waitFor, writableFolder } from '../support/fixtures';

const RUN = runId('engine');
const labels = { [TEST_LABEL]: RUN };
const irisTag = `mllab-enginetest/iris:${RUN}`;
const flaskTag = `mllab-enginetest/flask:${RUN}`;
const brokenTag = `mllab-enginetest/broken:${RUN}`;
const hostPort = 4000;

describe('labs on the real engine', () => {
  let engine: Engine;
  before(async () => {
    engine = testEngine();
    await engine.ping();
  });
  after(async () => {
    await cleanup(engine, RUN, [irisTag, flaskTag, brokenTag]);
  });

  it('builds the iris lab with the local base image as a build arg and streams its steps', async () => {
    const lab = copyLab('iris-train');
    const events: BuildEvent[] = [];
    const result = await engine.build(
      { contextDir: lab, dockerfile: path.join(lab, 'train.dockerfile'), tag: irisTag, buildArgs: { BASE_IMAGE }, labels },
      (e) => events.push(e),
    );
    assert.match(result.imageId, /^sha256:[0-9a-f]{64}$/);
    const steps = events.filter((e) => e.kind === 'step');
    assert.ok(steps.length >= 5, `expected build steps, got ${steps.length}`);
    assert.ok(steps.some((e) => e.kind === 'step' && /pip install/.test(e.instruction)));
    const image = await engine.inspectImage(irisTag);
    assert.equal(image.workingDir, '/usr/local/app');
    assert.notEqual(image.user, '');
  });

  it('runs the iris training container with a bind mount: loss lines in the logs, metrics.json on the host', async () => {
    const hostDir = writableFolder(path.join(copyLab('iris-train'), 'artifacts'));
    const { id } = await engine.runContainer({
      image: irisTag,
      name: `mllab-enginetest-iris-${RUN}`,
      ports: [],
      mounts: [{ type: 'bind', source: hostDir, target: '/usr/local/app/artifacts', readOnly: false }],
      labels,
      bindAddress: '127.0.0.1',
    });
    const { exitCode } = await engine.waitContainer(id);
    let text = '';
    await engine.logs(id, (t) => (text += t), { follow: false });
    assert.equal(exitCode, 0, `training failed:\n${text}`);
    const lossLines = text.split('\n').filter((l) => /^epoch \d+\/\d+ loss \d+\.\d+/.test(l));
    assert.ok(lossLines.length >= 5, `expected one loss line per epoch:\n${text}`);
    assert.match(text, /test accuracy 0?\.\d+|test accuracy 1\.0/);
    const metrics = JSON.parse(readFileSync(path.join(hostDir, 'metrics.json'), 'utf8')) as { accuracy: number };
    assert.ok(metrics.accuracy > 0.7, `accuracy ${metrics.accuracy}`);
  });

  it('builds and runs the flask lab published on 127.0.0.1:4000, and the app answers', async () => {
    const lab = copyLab('flask-app');
    await engine.build({ contextDir: lab, dockerfile: path.join(lab, 'Dockerfile'), tag: flaskTag, buildArgs: { BASE_IMAGE }, labels }, () => undefined);
    const { id } = await engine.runContainer({
      image: flaskTag,
      name: `mllab-enginetest-flask-${RUN}`,
      ports: [{ hostPort, containerPort: 8080, protocol: 'tcp' }],
      mounts: [],
      labels,
      bindAddress: '127.0.0.1',
    });
    const body = await waitFor('the flask app on 127.0.0.1:4000', () => httpText(`http://127.0.0.1:${hostPort}/`), 30_000);
    assert.match(body, /Welcome/);
    const row = (await engine.listContainers({ label: [`${TEST_LABEL}=${RUN}`] })).find((c) => c.id === id);
    assert.ok(row, 'the running container is listed');
    assert.equal(row.state, 'running');
    assert.ok(row.ports.some((p) => p.hostIp === '127.0.0.1' && p.hostPort === hostPort && p.containerPort === 8080));
  });

  it('refuses a second container on a host port already in use, and leaves no half-made container behind', async () => {
    const before = await engine.listContainers({ label: [`${TEST_LABEL}=${RUN}`] });
    await assert.rejects(
      engine.runContainer({
        image: flaskTag,
        name: `mllab-enginetest-flask2-${RUN}`,
        ports: [{ hostPort, containerPort: 8080, protocol: 'tcp' }],
        mounts: [],
        labels,
        bindAddress: '127.0.0.1',
      }),
      (err: unknown) => err instanceof EngineError && err.kind === 'portInUse' && /4000/.test(err.message),
    );
    const afterList = await engine.listContainers({ label: [`${TEST_LABEL}=${RUN}`] });
    assert.equal(afterList.length, before.length);
  });

  it('reports a failed build with the failing step and its instruction', async () => {
    const lab = copyLab('iris-train');
    writeFileSync(path.join(lab, 'Broken.dockerfile'), `FROM ${BASE_IMAGE}\nRUN echo preparing\nRUN python3 -c "import sys; sys.exit(3)"\n`);
    await assert.rejects(
      engine.build({ contextDir: lab, dockerfile: path.join(lab, 'Broken.dockerfile'), tag: brokenTag, labels }, () => undefined),
      (err: unknown) =>
        err instanceof EngineError && err.kind === 'buildFailed' && /step 3\/\d/.test(err.message) && /sys\.exit\(3\)/.test(err.hint ?? ''),
    );
  });

  it('says where it tried and what to do when no engine answers', async () => {
    const dead = new Engine({ address: { kind: 'socket', socketPath: '/tmp/mllab-no-engine.sock' }, source: 'setting', describe: 'unix:///tmp/mllab-no-engine.sock (setting)' }, 2000);
    await assert.rejects(dead.ping(), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.kind, 'unreachable');
      assert.match(err.message, /unix:\/\/\/tmp\/mllab-no-engine\.sock/);
      assert.match(err.hint ?? '', /Start the Docker engine/);
      return true;
    });
  });
});
