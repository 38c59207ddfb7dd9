/**
 * Engine tier: metrics parsed from real containers' logs, as the run history records them
 * (engine.logs -> MetricStream -> withMetrics), equal what the containers printed.
 * A busybox container prints every log form (with `\r`-updated lines and a pause mid-stream);
 * the iris lab trains and writes metrics.json, which the recorded final values must match.
 * Everything created carries the label org.mllab.test=<run id> and is removed at the end.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import { MetricStream } from '../../src/core/logs/metrics';
import { finished, newRecord, withMetrics, type RunRecord } from '../../src/core/runs/record';
import { listArtifacts } from '../../src/core/runs/workspaceInfo';
import type { RunRequest } from '../../src/core/run/createOptions';
import { BASE_IMAGE, TEST_LABEL, cleanup, copyLab, runId, testEngine, writableFolder } from '../support/fixtures';

const RUN = runId('metrics');
const labels = { [TEST_LABEL]: RUN };
const BUSYBOX = 'mllab-test/busybox:1';
const irisTag = `mllab-metricstest/iris:${RUN}`;

/** Runs `req` to its end while following its logs into a MetricStream, as src/ui/shared/runHistory.ts does; returns the record and the raw log text. */
async function recordRun(engine: Engine, req: RunRequest): Promise<{ record: RunRecord; text: string }> {
  const startedAt = new Date();
  const c = await engine.runContainer(req);
  const metrics = new MetricStream();
  let text = '';
  const logs = engine.logs(c.id, (t) => {
    text += t;
    metrics.push(t);
  }, { follow: true });
  const { exitCode } = await engine.waitContainer(c.id);
  await logs;
  metrics.end();
  const r = newRecord({ source: 'guided', container: c, request: req, image: { reference: req.image, repoDigests: [] }, engine: engine.connection.describe, startedAt });
  return { record: finished(withMetrics(r, metrics.series), exitCode, new Date()), text };
}

describe('metrics recorded from real container logs', () => {
  let engine: Engine;
  before(async () => {
    engine = testEngine();
    await engine.ping();
  });
  after(async () => {
    await cleanup(engine, RUN, [irisTag]);
  });

  it('records every log form a busybox container prints, across a pause and \\r updates', async () => {
    // first half, a 1 s pause (the logs are followed live), then the second half
    const first = [
      'Loading data...',
      'epoch 1 loss 0.9000',
      'epoch 2 loss 0.6287',
      'Epoch 1/2',
      ' 1/32 [>.............................] - ETA: 0s - kloss: 0.9900\r32/32 [==============================] - 0s 2ms/step - kloss: 0.7000 - kacc: 0.6100',
      'Epoch 2/2',
      '32/32 [==============================] - 0s 2ms/step - kloss: 0.5000 - kacc: 0.8100',
      'step=10 lr=0.001 gnorm=1.5',
      'step=20 lr=0.0005 gnorm=1.25',
    ].join('\n');
    const second = [
      '',
      '{"epoch": 1, "jloss": 0.62}',
      '{"epoch": 2, "jloss": 0.41}',
      "{'hf_loss': 2.41, 'learning_rate': 1.9e-04, 'epoch': 0.3}",
      "{'hf_loss': 1.62, 'learning_rate': 1.6e-04, 'epoch': 0.9}",
      '45%|████▌     | 45/100 [00:12<00:15, tq_loss=0.62]\r90%|█████████ | 90/100 [00:24<00:03, tq_loss=0.48]',
      'Epoch 0:  22%|██▏       | 4/18 [00:17<01:02,  4.47s/it, pl_loss=10.072, v_num=193315]\rEpoch 0: 100%|██████████| 18/18 [01:10<00:00,  3.9s/it, pl_loss=9.5, v_num=193315]',
      'Epoch 1: 100%|██████████| 18/18 [01:10<00:00,  3.9s/it, pl_loss=8.25, v_num=193315]',
      'test accuracy 0.9333',
      '',
    ].join('\n');
    const { record, text } = await recordRun(engine, {
      image: BUSYBOX,
      name: `mllab-metricstest-forms-${RUN}`,
      cmd: ['sh', '-c', 'printf "%s" "$FIRST"; sleep 1; printf "%s" "$SECOND"'],
      env: { FIRST: first, SECOND: second },
      ports: [],
      mounts: [],
      labels,
      bindAddress: '127.0.0.1',
    });
    assert.equal(record.exitCode, 0, text);
    assert.equal(text, first + second, 'the container printed the text exactly');
    const got = Object.fromEntries(Object.entries(record.series).map(([k, s]) => [k, s.xs.map((x, i) => [x, s.ys[i]])]));
    assert.deepEqual(got, {
      loss: [[1, 0.9], [2, 0.6287]],
      // the bar inside epoch 1 is at its step (1 of 32); the closing bars then go at each epoch's last step
      kloss: [[1, 0.99], [32, 0.7], [64, 0.5]],
      kacc: [[1, 0.61], [2, 0.81]],
      lr: [[10, 0.001], [20, 0.0005]],
      gnorm: [[10, 1.5], [20, 1.25]],
      jloss: [[1, 0.62], [2, 0.41]],
      hf_loss: [[0.3, 2.41], [0.9, 1.62]],
      learning_rate: [[0.3, 0.00019], [0.9, 0.00016]],
      // a tqdm bar without an epoch: its counter is the step
      tq_loss: [[45, 0.62], [90, 0.48]],
      // Lightning: inside epoch 0 at step 4, then each epoch's closing bar at its last step (18 per epoch)
      pl_loss: [[4, 10.072], [18, 9.5], [36, 8.25]],
      // after the last epoch named (1), in its own test series
      'test/accuracy': [[1, 0.9333]],
    });
    assert.equal(record.metrics.kloss.best, 0.5);
    assert.equal(record.metrics.kacc.best, 0.81);
    assert.ok(!JSON.stringify(record).includes('epoch 1 loss'), 'env values (here: the printed text) are not in the record');
  });

  it('records the iris lab: loss per epoch as printed, final values equal its metrics.json, artifacts listed', async () => {
    const lab = copyLab('iris-train');
    await engine.build({ contextDir: lab, dockerfile: path.join(lab, 'train.dockerfile'), tag: irisTag, buildArgs: { BASE_IMAGE }, labels }, () => undefined);
    const hostDir = writableFolder(path.join(lab, 'artifacts'));
    const { record, text } = await recordRun(engine, {
      image: irisTag,
      name: `mllab-metricstest-iris-${RUN}`,
      env: { EPOCHS: '20' },
      ports: [],
      mounts: [{ type: 'bind', source: hostDir, target: '/usr/local/app/artifacts', readOnly: false }],
      labels,
      bindAddress: '127.0.0.1',
    });
    assert.equal(record.exitCode, 0, text);
    // what was printed, read with a regex of its own
    const printed = [...text.matchAll(/^epoch (\d+)\/20 loss (\d+\.\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    assert.equal(printed.length, 20);
    assert.deepEqual(record.series.loss.xs.map((x, i) => [x, record.series.loss.ys[i]]), printed);
    const json = JSON.parse(readFileSync(path.join(hostDir, 'metrics.json'), 'utf8')) as { final_loss: number; accuracy: number };
    assert.equal(record.metrics.loss.final, json.final_loss);
    assert.equal(record.metrics['test/accuracy'].final, json.accuracy);
    assert.deepEqual(record.request.envNames, ['EPOCHS']);
    const files = listArtifacts(hostDir);
    assert.ok(files?.files.some((f) => f.path === 'metrics.json' && f.bytes > 0), JSON.stringify(files));
    const full = { ...record, artifacts: { folder: hostDir, ...files! } };
    const bytes = Buffer.byteLength(`${JSON.stringify(full)}\n`);
    console.log(`a stored record of this 20-epoch iris run: ${bytes} bytes`);
    assert.ok(bytes < 10_000, `a short run's record stays small: ${bytes} bytes`);
  });
});
