import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ContainerSummary } from '../../../src/core/engineTypes';
import { APPS_LABEL, appUrl, appsLabelValue, containerApps, jupyterServerUrl, jupyterToken, parseAppsLabel } from '../../../src/core/apps/apps';
import { AppMonitor, probeLoopback } from '../../../src/core/apps/monitor';
import { containerNodes } from '../../../src/core/tree/models';

function container(over: Partial<ContainerSummary>): ContainerSummary {
  return {
    id: 'c1', name: 'lab', image: 'x:1', imageId: 'sha256:1', command: 'python app.py', created: 0,
    state: 'running', status: 'Up 1 minute', ports: [], labels: {}, mounts: [], ...over,
  };
}
const port = (containerPort: number, hostPort?: number, hostIp = '127.0.0.1') => ({ containerPort, hostPort, hostIp, protocol: 'tcp' });

const recognitionCases: Array<{ name: string; c: Partial<ContainerSummary>; expected: Array<[string, number, number, string, string]> }> = [
  { name: 'a docker-stacks image by name', c: { image: 'quay.io/jupyter/scipy-notebook:2024-05-27', ports: [port(8888, 32768, '0.0.0.0')] }, expected: [['jupyter', 8888, 32768, '/lab', '/api']] },
  { name: 'TensorBoard by command', c: { command: 'tensorboard --logdir runs --bind_all', ports: [port(6006, 6006)] }, expected: [['tensorboard', 6006, 6006, '/', '/']] },
  { name: 'MLflow by command on 5000', c: { command: 'mlflow server --host 0.0.0.0', ports: [port(5000, 5001)] }, expected: [['mlflow', 5000, 5001, '/', '/health']] },
  { name: 'port 5000 alone is not MLflow (Flask uses it too)', c: { ports: [port(5000, 5000)] }, expected: [] },
  { name: 'Streamlit by its port alone', c: { ports: [port(8501, 8600)] }, expected: [['streamlit', 8501, 8600, '/', '/_stcore/health']] },
  { name: 'Gradio by its port alone', c: { ports: [port(7860, 7860)] }, expected: [['gradio', 7860, 7860, '/', '/']] },
  { name: 'a Jupyter image with port 8888 not published: nothing to open', c: { image: 'jupyter/base-notebook', ports: [port(8888)] }, expected: [] },
  { name: 'a binding on a non-loopback address is not checked', c: { image: 'jupyter/base-notebook', ports: [port(8888, 8888, '10.0.0.5')] }, expected: [] },
  { name: 'a stopped container has no apps', c: { state: 'exited', ports: [port(7860, 7860)] }, expected: [] },
  {
    name: 'a declared app wins over the known one on its port',
    c: { image: 'jupyter/base-notebook', ports: [port(8888, 9000), port(8080, 4000)], labels: { [APPS_LABEL]: appsLabelValue([{ name: 'jupyter', port: 8888, path: '/tree', health: '/api/status' }, { name: 'api', port: 8080, path: '/', health: '/health' }]) } },
    expected: [['jupyter', 8888, 9000, '/tree', '/api/status'], ['api', 8080, 4000, '/', '/health']],
  },
];
for (const c of recognitionCases) {
  void test(`containerApps: ${c.name}`, () => {
    const got = containerApps(container(c.c)).map((a) => [a.name, a.port, a.hostPort, a.path, a.health]);
    assert.deepEqual(got, c.expected);
  });
}

void test('parseAppsLabel ignores bad entries and defaults path and health', () => {
  assert.deepEqual(parseAppsLabel('not json'), []);
  assert.deepEqual(parseAppsLabel('{"name":"x"}'), []);
  assert.deepEqual(parseAppsLabel('[{"name":"a","port":80},{"port":"x"},{"name":"b","port":81,"path":"/ui"}]'), [
    { name: 'a', port: 80, path: '/', health: '/' },
    { name: 'b', port: 81, path: '/ui', health: '/ui' },
  ]);
});

void test('the Jupyter token comes from the last token URL Jupyter printed; URLs carry the published host port', () => {
  const [app] = containerApps(container({ image: 'jupyter/base-notebook', ports: [port(8888, 32771, '0.0.0.0')] }));
  const logs = [
    '[I 2024-05-27 ServerApp] Jupyter Server 2.14.0 is running at:',
    '[I ServerApp] http://4f1c2a8e9b7d:8888/lab?token=old',
    '\x1b[32m[I ServerApp]\x1b[0m     http://127.0.0.1:8888/lab?token=9c1e0d',
    'http://127.0.0.1:9999/?token=other-port',
  ].join('\n');
  const token = jupyterToken(logs, app);
  assert.equal(token, '9c1e0d');
  assert.equal(appUrl(app, token), 'http://127.0.0.1:32771/lab?token=9c1e0d');
  assert.equal(jupyterServerUrl(app, token), 'http://127.0.0.1:32771/?token=9c1e0d');
  assert.equal(jupyterToken('[I ServerApp] http://127.0.0.1:8888/lab', app), undefined);
});

void test('probeLoopback refuses any host but loopback', () => {
  assert.throws(() => probeLoopback('http://10.0.0.1:8888/api', 100), /only go to loopback/);
});

void test('AppMonitor: no app before the health path answers; then one row, one refresh, and the token URL', async () => {
  let healthy = false;
  let probes = 0;
  let changes = 0;
  const monitor = new AppMonitor(
    {
      probe: async (url) => {
        probes++;
        assert.equal(url, 'http://127.0.0.1:32771/api');
        return healthy;
      },
      readLogs: async () => 'http://abc:8888/lab?token=t0k',
      onChange: () => changes++,
    },
    { intervalMs: 5, maxIntervalMs: 5, attempts: 200 },
  );
  const c = container({ image: 'jupyter/base-notebook', ports: [port(8888, 32771)] });
  assert.equal(monitor.ready([c]).size, 0);
  await new Promise((r) => setTimeout(r, 40));
  assert.ok(probes >= 2, `probed ${probes} times`);
  assert.equal(monitor.ready([c]).size, 0, 'no app while the health path does not answer');
  healthy = true;
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(changes, 1);
  const ready = monitor.ready([c]).get('c1');
  assert.equal(ready?.[0].url, 'http://127.0.0.1:32771/lab?token=t0k');
  const nodes = containerNodes([c], monitor.ready([c]));
  const appRow = nodes[0].children?.[0];
  assert.equal(appRow?.kind, 'app');
  assert.equal(appRow?.ref, 'http://127.0.0.1:32771/lab?token=t0k');
  assert.equal(appRow?.description, 'http://127.0.0.1:32771/lab?token=…', 'the token is not shown in the row');
  // Stopped: forgotten, so a restart is checked again.
  assert.equal(monitor.ready([{ ...c, state: 'exited' }]).size, 0);
  assert.equal(monitor.all().length, 0);
  monitor.dispose();
});

void test('AppMonitor gives up after the bounded attempts', async () => {
  let probes = 0;
  const monitor = new AppMonitor({ probe: async () => (probes++, false), readLogs: async () => '', onChange: () => undefined }, { intervalMs: 1, maxIntervalMs: 1, attempts: 3 });
  monitor.ready([container({ ports: [port(7860, 7860)] })]);
  await new Promise((r) => setTimeout(r, 50));
  monitor.ready([container({ ports: [port(7860, 7860)] })]);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(probes, 3);
  monitor.dispose();
});

void test('probeLoopback: true for 200, false for 500 and for a closed port', async () => {
  const server = http.createServer((req, res) => {
    res.statusCode = req.url === '/ok' ? 200 : 500;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port: p } = server.address() as AddressInfo;
  try {
    assert.equal(await probeLoopback(`http://127.0.0.1:${p}/ok`, 1000), true);
    assert.equal(await probeLoopback(`http://127.0.0.1:${p}/bad`, 1000), false);
  } finally {
    await new Promise((r) => server.close(r));
  }
  assert.equal(await probeLoopback(`http://127.0.0.1:${p}/ok`, 1000), false);
});
