/**
 * Engine tier: every lab template (templates/), scaffolded into a temp folder with the same
 * code "New Lab..." uses, built with BASE_IMAGE=<the local base image> and run.
 *
 * The local base image has Python 3.11, Flask and scikit-learn but no FastAPI, uvicorn,
 * Streamlit or Gradio, and pip cannot download here. So the training and Flask templates are
 * built and run for real; the FastAPI, Streamlit and Gradio builds are run up to their
 * `pip install` step, which must fail with pip's own message naming the missing pinned
 * package, and their app code is byte-compiled by the base image's Python. Build and run times
 * are printed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Engine, EngineError } from '../../src/engine/engine';
import { nodeLabFs, planScaffold, writeScaffold, findTemplate } from '../../src/core/labs/scaffold';
import { parseProfiles, toRunRequest } from '../../src/core/run/profile';
import { BASE_IMAGE, TEST_LABEL, cleanup, httpText, repoRoot, runId, testEngine, waitFor, writableFolder } from '../support/fixtures';
import { nextFreePort } from '../../src/core/run/freePort';
import * as http from 'node:http';

const RUN = runId('templates');
const labels = { [TEST_LABEL]: RUN };
const tagOf = (id: string) => `mllab-enginetest/${id}:${RUN}`;
const IDS = ['training', 'serving-flask', 'serving-fastapi', 'serving-streamlit', 'serving-gradio'];

async function scaffold(id: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), `mllab-template-${id}-`));
  const fs = nodeLabFs();
  await writeScaffold(fs, await planScaffold(fs, path.join(repoRoot, 'templates'), id, dir));
  return dir;
}

function post(url: string, body: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const times: string[] = [];

describe('lab templates on the real engine', () => {
  let engine: Engine;
  before(async () => {
    engine = testEngine();
    await engine.ping();
  });
  after(async () => {
    await cleanup(engine, RUN, IDS.map(tagOf));
    console.log(`# template times on this machine:\n${times.map((t) => `#   ${t}`).join('\n')}`);
  });

  it('training: builds, trains printing the loss per epoch, writes artifacts/metrics.json through the bind mount', async () => {
    const dir = await scaffold('training');
    const t = findTemplate('training');
    const b0 = Date.now();
    await engine.build({ contextDir: dir, dockerfile: path.join(dir, t.dockerfile), tag: tagOf('training'), buildArgs: { BASE_IMAGE }, labels }, () => undefined);
    const buildMs = Date.now() - b0;
    const [profile] = parseProfiles(readFileSync(path.join(dir, '.vscode/mllab.yaml'), 'utf8'), { workspaceFolder: dir }).profiles;
    writableFolder(path.join(dir, 'artifacts'));
    const r0 = Date.now();
    const { id } = await engine.runContainer({ ...toRunRequest(profile, { bindAddress: '127.0.0.1', extraLabels: labels }), image: tagOf('training'), name: `mllab-enginetest-training-${RUN}` });
    const { exitCode } = await engine.waitContainer(id);
    const runMs = Date.now() - r0;
    let logs = '';
    await engine.logs(id, (x) => (logs += x), { follow: false });
    assert.equal(exitCode, 0, logs);
    assert.equal(logs.split('\n').filter((l) => /^epoch \d+\/10 loss \d+\.\d{4}$/.test(l)).length, 10, logs);
    const metrics = JSON.parse(readFileSync(path.join(dir, 'artifacts', 'metrics.json'), 'utf8')) as { epochs: number; accuracy: number };
    assert.equal(metrics.epochs, 10);
    assert.ok(metrics.accuracy > 0.7, `accuracy ${metrics.accuracy}`);
    times.push(`training: built in ${buildMs} ms, trained in ${runMs} ms (run to exit 0)`);
  });

  it('serving-flask: builds, serves /health and predicts setosa on the published host port', async () => {
    const dir = await scaffold('serving-flask');
    const b0 = Date.now();
    await engine.build({ contextDir: dir, dockerfile: path.join(dir, 'Dockerfile'), tag: tagOf('serving-flask'), buildArgs: { BASE_IMAGE }, labels }, () => undefined);
    const buildMs = Date.now() - b0;
    const hostPort = await nextFreePort(18080, '127.0.0.1');
    const r0 = Date.now();
    await engine.runContainer({
      image: tagOf('serving-flask'),
      name: `mllab-enginetest-flask-${RUN}`,
      ports: [{ hostPort, containerPort: 8080, protocol: 'tcp' }],
      mounts: [],
      labels,
      bindAddress: '127.0.0.1',
    });
    const health = await waitFor('GET /health', () => httpText(`http://127.0.0.1:${hostPort}/health`), 60_000, 200);
    const runMs = Date.now() - r0;
    assert.deepEqual(JSON.parse(health), { status: 'ok' });
    const predicted = await post(`http://127.0.0.1:${hostPort}/predict`, { features: [5.1, 3.5, 1.4, 0.2] });
    assert.deepEqual([predicted.status, JSON.parse(predicted.text)], [200, { class: 'setosa' }]);
    const bad = await post(`http://127.0.0.1:${hostPort}/predict`, { features: [1] });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /send \{\\"features\\"/);
    times.push(`serving-flask: built in ${buildMs} ms, answering on 127.0.0.1:${hostPort} ${runMs} ms after the run`);
  });

  for (const [id, pkg] of [['serving-fastapi', 'fastapi==0.115.0'], ['serving-streamlit', 'streamlit==1.38.0'], ['serving-gradio', 'gradio==4.44.0']] as const) {
    it(`${id}: the build reaches pip install and stops with pip's message naming ${pkg} (not in the offline base image); app.py compiles`, async () => {
      const dir = await scaffold(id);
      const steps: string[] = [];
      let output = '';
      const b0 = Date.now();
      const err = await engine
        .build({ contextDir: dir, dockerfile: path.join(dir, 'Dockerfile'), tag: tagOf(id), buildArgs: { BASE_IMAGE }, labels }, (e) => {
          if (e.kind === 'step') steps.push(e.instruction);
          if (e.kind === 'log') output += e.text;
        })
        .then(() => undefined, (e: unknown) => e);
      const buildMs = Date.now() - b0;
      assert.ok(err instanceof EngineError, `the build should fail offline: ${String(err)}`);
      assert.equal(err.kind, 'buildFailed');
      assert.match(err.hint ?? '', /pip install --no-cache-dir -r requirements\.txt/);
      // The step's output, as the build output channel shows it, says which package and why.
      assert.match(output, new RegExp(`ERROR: No matching distribution found for ${pkg.replace(/[.]/g, '\\.')}`), output.slice(-2000));
      assert.match(err.message, /failed at step 4\/6/);
      assert.ok(steps.some((s) => /COPY requirements\.txt/.test(s)), `steps before pip ran: ${steps.join(' | ')}`);
      // The app's own code: byte-compiled by the base image's Python 3.11.
      const r0 = Date.now();
      const source = readFileSync(path.join(dir, 'app.py'), 'utf8');
      const res = await engine.runToCompletion(BASE_IMAGE, ['python3', '-c', `import sys; compile(sys.argv[1], "app.py", "exec"); print("compiled")`, source]);
      const runMs = Date.now() - r0;
      assert.equal(res.exitCode, 0, res.stderr);
      assert.match(res.stdout, /compiled/);
      times.push(`${id}: build stopped at pip install after ${buildMs} ms (${pkg} not available offline); app.py compiled in the base image in ${runMs} ms; not run`);
    });
  }
});
