import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DetectedUrl, PublishedPort, detectUrls, formatDuration } from '../../../src/core/logs/urls';

const TOKEN = '8f3a1c2b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70';
const ports: PublishedPort[] = [
  { containerPort: 8888, hostPort: 18888, hostIp: '127.0.0.1' },
  { containerPort: 6006, hostPort: 6006, hostIp: '127.0.0.1' },
  { containerPort: 5000, hostPort: 5001, hostIp: '0.0.0.0' },
  { containerPort: 8501, hostPort: 8501 },
  { containerPort: 7860, hostPort: 7861, hostIp: '127.0.0.1' },
  { containerPort: 8080, hostPort: 4000, hostIp: '127.0.0.1' },
  { containerPort: 8000, hostPort: 8000, hostIp: '::' },
];

/** Real startup lines of each tool (copied from their logs; Jupyter Server 2.x, TensorBoard 2.16, MLflow 2.x gunicorn, Streamlit 1.3x, Gradio 4.x, Flask 3.x, uvicorn 0.29). */
const cases: Array<{ name: string; input: string; expected: DetectedUrl[] }> = [
  {
    name: 'rewrites Jupyter on 127.0.0.1 to the host port, keeping /lab and the token',
    input: `[I 2024-05-02 09:14:03.512 ServerApp]     http://127.0.0.1:8888/lab?token=${TOKEN}`,
    expected: [{ url: `http://127.0.0.1:18888/lab?token=${TOKEN}`, kind: 'jupyter', containerUrl: `http://127.0.0.1:8888/lab?token=${TOKEN}` }],
  },
  {
    name: 'rewrites Jupyter on the container hostname',
    input: `[I 2024-05-02 09:14:03.512 ServerApp] http://3f9c2d1e8a7b:8888/lab?token=${TOKEN}`,
    expected: [{ url: `http://127.0.0.1:18888/lab?token=${TOKEN}`, kind: 'jupyter', containerUrl: `http://3f9c2d1e8a7b:8888/lab?token=${TOKEN}` }],
  },
  {
    name: 'reads the indented URL of the "Or copy and paste one of these URLs" block',
    input: `        http://127.0.0.1:8888/tree?token=${TOKEN}`,
    expected: [{ url: `http://127.0.0.1:18888/tree?token=${TOKEN}`, kind: 'jupyter', containerUrl: `http://127.0.0.1:8888/tree?token=${TOKEN}` }],
  },
  { name: 'finds no URL in the Jupyter "is running at:" line', input: '[I 2024-05-02 09:14:03.511 ServerApp] Jupyter Server 2.14.0 is running at:', expected: [] },
  {
    name: 'rewrites TensorBoard and drops the "(Press CTRL+C to quit)" tail',
    input: 'TensorBoard 2.16.2 at http://localhost:6006/ (Press CTRL+C to quit)',
    expected: [{ url: 'http://127.0.0.1:6006/', kind: 'tensorboard', containerUrl: 'http://localhost:6006/' }],
  },
  {
    name: "rewrites MLflow's gunicorn line, showing a 0.0.0.0 binding as 127.0.0.1",
    input: '[2024-05-02 09:20:11 +0000] [23] [INFO] Listening at: http://0.0.0.0:5000 (23)',
    expected: [{ url: 'http://127.0.0.1:5001', kind: 'mlflow', containerUrl: 'http://0.0.0.0:5000' }],
  },
  {
    name: 'rewrites the Streamlit URL line',
    input: '  URL: http://0.0.0.0:8501',
    expected: [{ url: 'http://127.0.0.1:8501', kind: 'streamlit', containerUrl: 'http://0.0.0.0:8501' }],
  },
  {
    name: 'rewrites the Streamlit Network URL on the bridge IP, with ANSI colours',
    input: '  \x1b[34mNetwork URL: \x1b[0m\x1b[1mhttp://172.17.0.2:8501\x1b[0m',
    expected: [{ url: 'http://127.0.0.1:8501', kind: 'streamlit', containerUrl: 'http://172.17.0.2:8501' }],
  },
  { name: 'leaves out the Streamlit External URL (a public IP)', input: '  External URL: http://203.0.113.7:8501', expected: [] },
  {
    name: 'rewrites the Gradio local URL',
    input: 'Running on local URL:  http://0.0.0.0:7860',
    expected: [{ url: 'http://127.0.0.1:7861', kind: 'gradio', containerUrl: 'http://0.0.0.0:7860' }],
  },
  {
    name: 'keeps the Gradio public share link as it is',
    input: 'Running on public URL: https://3c9e5a1b2d4f6e8a.gradio.live',
    expected: [{ url: 'https://3c9e5a1b2d4f6e8a.gradio.live', kind: 'gradio', containerUrl: 'https://3c9e5a1b2d4f6e8a.gradio.live' }],
  },
  {
    name: 'rewrites Flask on 127.0.0.1',
    input: ' * Running on http://127.0.0.1:8080',
    expected: [{ url: 'http://127.0.0.1:4000', kind: 'flask', containerUrl: 'http://127.0.0.1:8080' }],
  },
  {
    name: 'rewrites Flask on the bridge IP',
    input: ' * Running on http://172.17.0.3:8080',
    expected: [{ url: 'http://127.0.0.1:4000', kind: 'flask', containerUrl: 'http://172.17.0.3:8080' }],
  },
  { name: 'finds no URL in Flask\'s "Running on all addresses" line', input: ' * Running on all addresses (0.0.0.0)', expected: [] },
  {
    name: 'rewrites uvicorn, showing a :: binding as [::1]',
    input: 'INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)',
    expected: [{ url: 'http://[::1]:8000', kind: 'uvicorn', containerUrl: 'http://0.0.0.0:8000' }],
  },
  { name: 'gives no URL when the port is not published', input: ' * Running on http://127.0.0.1:9999', expected: [] },
  { name: 'gives no URL for plain training output', input: 'Epoch 3/20 - loss: 0.2140 - accuracy: 0.9333', expected: [] },
  {
    name: 'calls an unknown server "other"',
    input: 'serving docs at http://localhost:8080/docs',
    expected: [{ url: 'http://127.0.0.1:4000/docs', kind: 'other', containerUrl: 'http://localhost:8080/docs' }],
  },
];
for (const c of cases) {
  void test(`detectUrls ${c.name}`, () => assert.deepEqual(detectUrls(c.input, ports), c.expected));
}

void test('detectUrls does not publish a port bound without a host port', () => {
  assert.deepEqual(detectUrls('TensorBoard 2.16.2 at http://localhost:6006/ (Press CTRL+C to quit)', [{ containerPort: 6006 }]), []);
});

const durations: Array<{ name: string; input: number; expected: string }> = [
  { name: 'writes milliseconds under a second', input: 850, expected: '850ms' },
  { name: 'writes seconds', input: 45_000, expected: '45s' },
  { name: 'writes minutes and seconds', input: 72_000, expected: '1m 12s' },
  { name: 'drops zero seconds', input: 120_000, expected: '2m' },
  { name: 'writes hours and minutes, not seconds', input: (2 * 3600 + 3 * 60 + 9) * 1000, expected: '2h 3m' },
  { name: 'writes days and hours', input: (3 * 86400 + 4 * 3600) * 1000, expected: '3d 4h' },
  { name: 'writes 0s for a negative duration (clock skew)', input: -5, expected: '0s' },
];
for (const c of durations) {
  void test(`formatDuration ${c.name}`, () => assert.equal(formatDuration(c.input), c.expected));
}
