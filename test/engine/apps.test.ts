/**
 * Engine tier: apps in containers. A Jupyter-style server (test/fixtures/apps/jupyter-like,
 * built on the local base image) runs with its port 8888 published on a host port the engine
 * picks; the app appears only after GET /api answers, and its URL carries that host port and
 * the token the server printed. Everything created is labelled org.mllab.test=<run id>.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import { AppMonitor, probeLoopback, type ReadyApp } from '../../src/core/apps/monitor';
import { containerNodes } from '../../src/core/tree/models';
import { BASE_IMAGE, TEST_LABEL, cleanup, httpText, repoRoot, runId, testEngine, waitFor } from '../support/fixtures';

const RUN = runId('apps');
const labels = { [TEST_LABEL]: RUN };
const tag = `mllab-enginetest/jupyter-api:${RUN}`;

describe('apps in containers on the real engine', () => {
  let engine: Engine;
  before(async () => {
    engine = testEngine();
    await engine.ping();
  });
  after(async () => {
    await cleanup(engine, RUN, [tag]);
  });

  it('shows the Jupyter app only after /api answers, with the published host port and the printed token', async () => {
    const dir = path.join(repoRoot, 'test', 'fixtures', 'apps', 'jupyter-like');
    await engine.build({ contextDir: dir, dockerfile: path.join(dir, 'Dockerfile'), tag, buildArgs: { BASE_IMAGE }, labels }, () => undefined);
    const probes: Array<{ url: string; ok: boolean; at: number }> = [];
    let changes = 0;
    const monitor = new AppMonitor(
      {
        probe: async (url, timeoutMs) => {
          const ok = await probeLoopback(url, timeoutMs);
          probes.push({ url, ok, at: Date.now() });
          return ok;
        },
        readLogs: async (id) => {
          let text = '';
          await engine.logs(id, (t) => (text += t), { follow: false, tail: 500 });
          return text;
        },
        onChange: () => changes++,
      },
      { intervalMs: 200, maxIntervalMs: 500 },
    );
    const { id } = await engine.runContainer({
      image: tag,
      name: `mllab-enginetest-jupyter-${RUN}`,
      ports: [{ containerPort: 8888, protocol: 'tcp' }], // host port picked by the engine
      mounts: [],
      env: { STARTUP_DELAY: '3' },
      labels,
      bindAddress: '127.0.0.1',
    });
    const list = async () => (await engine.listContainers({ label: [`${TEST_LABEL}=${RUN}`] })).filter((c) => c.id === id);
    const [row] = await list();
    const hostPort = row.ports.find((p) => p.containerPort === 8888)?.hostPort;
    assert.ok(hostPort !== undefined && hostPort !== 8888, `the engine picked a host port: ${hostPort}`);

    assert.equal(monitor.ready(await list()).size, 0, 'no app row before any health check answered');
    const started = Date.now();
    const ready = await waitFor<ReadyApp[]>('the app to answer /api', async () => monitor.ready(await list()).get(id), 60_000, 100);
    const readyMs = Date.now() - started;

    const failed = probes.filter((p) => !p.ok);
    assert.ok(failed.length >= 1, 'the health path did not answer at first (the server waits 3 s): at least one failed check');
    assert.ok(probes.every((p) => p.url === `http://127.0.0.1:${hostPort}/api`), `checks go to loopback on the host port only: ${[...new Set(probes.map((p) => p.url))].join(', ')}`);
    assert.equal(changes, 1, 'one refresh when the app became ready');

    let logs = '';
    await engine.logs(id, (t) => (logs += t), { follow: false });
    const printed = /token=([0-9a-f]{48})/.exec(logs)?.[1];
    assert.ok(printed, `the server printed a token URL:\n${logs}`);
    assert.equal(ready.length, 1);
    assert.equal(ready[0].app.kind, 'jupyter');
    assert.equal(ready[0].url, `http://127.0.0.1:${hostPort}/lab?token=${printed}`);
    assert.equal(ready[0].serverUrl, `http://127.0.0.1:${hostPort}/?token=${printed}`);
    // The URL really opens the app: the token is the server's.
    assert.match((await httpText(ready[0].url)) ?? '', /JupyterLab stand-in/);
    assert.equal(await httpText(`http://127.0.0.1:${hostPort}/lab?token=wrong`), undefined);

    const appRow = containerNodes(await list(), monitor.ready(await list()))[0].children?.find((n) => n.kind === 'app');
    assert.equal(appRow?.ref, ready[0].url);
    console.log(`# app ready ${readyMs} ms after the run (server start delay 3000 ms); ${probes.length} health checks, ${failed.length} unanswered`);

    // Stopped: the app row goes, and nothing is checked for it.
    await engine.stopContainer(id, 1);
    const before = probes.length;
    assert.equal(monitor.ready(await list()).size, 0);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(probes.length, before);
    monitor.dispose();
  });
});
