import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { MetricStream, addPoint, lowerIsBetter, parseMetricLine, summarize, thin, type MetricLine } from '../../../src/core/logs/metrics';

/**
 * Real log lines of each form, with where each was taken from. Expected values are what the
 * line prints; `step`/`epoch` only where the line names one.
 */
const cases: Array<{ name: string; source: string; input: string; expected: MetricLine | undefined }> = [
  {
    name: 'plain words and numbers (the iris lab)',
    source: 'test/fixtures/labs/iris-train/train.py: print(f"epoch {epoch}/{EPOCHS} loss {loss:.4f}")',
    input: 'epoch 1/10 loss 0.8123',
    expected: { values: { loss: 0.8123 }, epoch: 1 },
  },
  {
    name: 'the issue\'s plain form',
    source: 'issue 12 text',
    input: 'epoch 3 loss 0.6287',
    expected: { values: { loss: 0.6287 }, epoch: 3 },
  },
  {
    name: 'a multi-word name with one number (iris lab test accuracy)',
    source: 'test/fixtures/labs/iris-train/train.py: print(f"test accuracy {accuracy:.4f}")',
    input: 'test accuracy 0.9333',
    expected: { values: { 'test accuracy': 0.9333 } },
  },
  {
    name: 'Keras 2 Model.fit epoch line',
    source: 'keras.io guide "Training & evaluation with the built-in methods" (TF 2.x output)',
    input: '782/782 [==============================] - 2s 2ms/step - loss: 0.3443 - sparse_categorical_accuracy: 0.9016 - val_loss: 0.1896 - val_sparse_categorical_accuracy: 0.9452',
    expected: { values: { loss: 0.3443, sparse_categorical_accuracy: 0.9016, val_loss: 0.1896, val_sparse_categorical_accuracy: 0.9452 } },
  },
  {
    name: 'Keras 3 Model.fit epoch line',
    source: 'keras.io guide "Training & evaluation with the built-in methods" (Keras 3 output)',
    input: '782/782 ━━━━━━━━━━━━━━━━━━━━ 2s 2ms/step - loss: 0.5648 - sparse_categorical_accuracy: 0.8473 - val_loss: 0.1817 - val_sparse_categorical_accuracy: 0.9476',
    expected: { values: { loss: 0.5648, sparse_categorical_accuracy: 0.8473, val_loss: 0.1817, val_sparse_categorical_accuracy: 0.9476 } },
  },
  {
    name: 'Keras progress line with an ETA (ETA is not a metric)',
    source: 'Lightning-AI/pytorch-lightning issue #4850 (a Keras bar quoted by its author)',
    input: '25/5405 [..............................] - ETA: 1:13:15 - loss: 0.7136 - acc: 0.6556',
    expected: { values: { loss: 0.7136, acc: 0.6556 } },
  },
  {
    name: 'Keras header and values on one line (the issue\'s form)',
    source: 'issue 12 text',
    input: 'Epoch 3/20 - loss: 0.62 - accuracy: 0.81',
    expected: { values: { loss: 0.62, accuracy: 0.81 }, epoch: 3 },
  },
  {
    name: 'Keras epoch header alone',
    source: 'keras.io guide "Training & evaluation with the built-in methods"',
    input: 'Epoch 1/2',
    expected: { values: {}, epoch: 1 },
  },
  {
    name: 'key=value pairs with a step',
    source: 'issue 12 text (key=value form)',
    input: 'step=120 loss=0.4521 lr=0.001',
    expected: { values: { loss: 0.4521, lr: 0.001 }, step: 120 },
  },
  {
    name: 'PyTorch MNIST example train line (key: value with a tab)',
    source: 'pytorch/examples mnist/main.py: "Train Epoch: {} [{}/{} ({:.0f}%)]\\tLoss: {:.6f}"',
    input: 'Train Epoch: 1 [0/60000 (0%)]\tLoss: 2.305760',
    expected: { values: { Loss: 2.30576 }, epoch: 1 },
  },
  {
    name: 'PyTorch MNIST example test line: ratios are not values',
    source: 'pytorch/examples mnist/main.py: "Test set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)"',
    input: 'Test set: Average loss: 0.0353, Accuracy: 9897/10000 (99%)',
    expected: { values: { loss: 0.0353 } },
  },
  {
    name: 'JSON line',
    source: 'issue 12 text (JSON lines)',
    input: '{"epoch": 3, "loss": 0.62, "note": "text is skipped"}',
    expected: { values: { loss: 0.62 }, epoch: 3 },
  },
  {
    name: 'Hugging Face Trainer log dict',
    source: 'brewslm.com "Run it: read the logs" (Trainer output with logging_steps=5)',
    input: "{'loss': 2.41, 'learning_rate': 1.9e-04, 'epoch': 0.3}",
    expected: { values: { loss: 2.41, learning_rate: 0.00019 }, epoch: 0.3 },
  },
  {
    name: 'Hugging Face Trainer eval dict',
    source: 'brewslm.com "Run it: read the logs" (eval_strategy="epoch")',
    input: "{'eval_loss': 0.62, 'epoch': 1.0}",
    expected: { values: { eval_loss: 0.62 }, epoch: 1 },
  },
  {
    name: 'tqdm bar with a postfix (set_description and set_postfix)',
    source: 'cloud.tencent.com/developer/article/1555869 (tqdm set_postfix example output)',
    input: 'Epoch 1: 100%|██████████| 10/10 [00:01<00:00, 9.93it/s, acc=0.459, loss=0.921]',
    expected: { values: { acc: 0.459, loss: 0.921 }, epoch: 1 },
  },
  {
    name: 'tqdm bar without a description',
    source: 'issue 12 text (tqdm form)',
    input: '45%|████▌     | 45/100 [00:12<00:15, loss=0.62]',
    expected: { values: { loss: 0.62 } },
  },
  {
    name: 'tqdm bar without a postfix: no metric',
    source: 'gist raytroop/6de9912a8eec60e0cb6f92199f6de785 (tqdm pattern)',
    input: '76%|████████████████████████        | 7568/10000 [00:33<00:10, 229.00it/s]',
    expected: undefined,
  },
  {
    name: 'PyTorch Lightning progress bar (v_num is the logger version, not a metric)',
    source: 'Lightning-AI/pytorch-lightning issue #4225 (a TQDMProgressBar line)',
    input: 'Epoch 0:  22%|██▏       | 4/18 [00:17<01:02,  4.47s/it, loss=10.072, v_num=193315]',
    expected: { values: { loss: 10.072 }, epoch: 0 },
  },
  {
    name: 'PyTorch Lightning 2.x bar with train_loss',
    source: 'Lightning-AI/pytorch-lightning issue #4850 (default bar quoted by its author)',
    input: 'Epoch 0:   5%|██▉                          | 63/1353 [00:22<07:50,  2.74it/s, loss=0.71, v_num=20]',
    expected: { values: { loss: 0.71 }, epoch: 0 },
  },
  {
    name: 'ANSI colours are ignored',
    source: 'a coloured logger line (rich/colorama style)',
    input: '\x1b[32mINFO\x1b[0m step: 5 \x1b[1mloss\x1b[0m=0.25',
    expected: { values: { loss: 0.25 }, step: 5 },
  },
  { name: 'a plain log line without numbers', source: 'any', input: 'Loading data...', expected: undefined },
  {
    name: 'URLs, times and versions are not metrics',
    source: 'Flask/Jupyter startup lines',
    input: ' * Running on http://127.0.0.1:5000 at 12:30:01 with Python 3.11.4',
    expected: undefined,
  },
  {
    name: 'iris prediction line is not a metric',
    source: 'test/fixtures/labs/iris-train/train.py',
    input: 'prediction: sample 0 -> setosa (true setosa)',
    expected: undefined,
  },
];

describe('parseMetricLine', () => {
  for (const c of cases) {
    it(`${c.name} [${c.source}]`, () => {
      assert.deepEqual(parseMetricLine(c.input), c.expected);
    });
  }
});

describe('MetricStream', () => {
  it('uses the Keras epoch header as x for the lines after it, and the last \\r update wins', () => {
    const s = new MetricStream();
    // Keras 2 dynamic display: "\r" updates within an epoch, "\n" at its end (keras/utils/generic_utils.py Progbar)
    s.push('Epoch 1/2\n 1/32 [>.............................] - ETA: 0s - loss: 0.9000\r');
    s.push('32/32 [==============================] - 0s 2ms/step - loss: 0.7000\nEpoch 2/2\n');
    s.push('32/32 [==============================] - 0s 2ms/step - loss: 0.5');
    s.end();
    assert.deepEqual(s.series.get('loss'), { xs: [1, 2], ys: [0.7, 0.5], xKind: 'epoch' });
  });
  it('lets a Keras header hold only until a line names its own epoch or step', () => {
    const s = new MetricStream();
    s.push('Epoch 2/2\nval=0.5\n{"epoch": 7, "a": 1}\nval=0.25\n');
    s.flush();
    assert.deepEqual(s.series.get('val'), { xs: [2, 3], ys: [0.5, 0.25], xKind: 'epoch' });
  });
  it('counts arrival order when lines have no step or epoch, across any chunking', () => {
    const s = new MetricStream();
    const text = 'acc=0.5\nacc=0.6\r\nacc=0.7\n';
    for (const ch of text) s.push(ch);
    s.flush();
    assert.deepEqual(s.series.get('acc'), { xs: [1, 2, 3], ys: [0.5, 0.6, 0.7], xKind: 'line' });
  });
  it('parses after push returns, in event-loop slices, and reports the points', async () => {
    const s = new MetricStream();
    const got: number[] = [];
    s.onPoints((ps) => got.push(...ps.map((p) => p.y)));
    s.push('step=1 loss=3\nstep=2 loss=2\n');
    assert.deepEqual(got, [], 'nothing parsed synchronously in push');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got, [3, 2]);
  });
  it('in a burst (text faster than burstRate), waits while text keeps coming, then parses it all', async () => {
    // a finished container's logs replayed at full speed: 16 KiB (512 lines) every ~2 ms
    const s = new MetricStream({ trickleMs: 1, trickleEveryMs: 1000, quietMs: 40 });
    const chunk = Array.from({ length: 512 }, (_, i) => `step=${i} loss=${(1 / (i + 1)).toFixed(5)} pad=${'0'.repeat(2)}\n`).join('');
    let pushed = 0;
    for (let k = 0; k < 60; k++) {
      s.push(chunk);
      pushed += chunk.length;
      await new Promise((r) => setTimeout(r, 2));
    }
    const left = s.backlog;
    assert.ok(left > pushed / 2, `most text waits during the burst: ${left} of ${pushed} characters still queued`);
    // the text paused: it catches up (within 5 s even on a loaded machine)
    for (let t = 0; t < 100 && s.backlog > 0; t++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(s.backlog, 0);
    assert.equal(s.series.get('loss')?.xs.length, 512);
  });
  it('at a live pace (text slower than burstRate), parses each chunk as it comes', async () => {
    const s = new MetricStream();
    let parsedAfterEachPush = 0;
    for (let i = 1; i <= 20; i++) {
      s.push(`step=${i} loss=${1 / i}\n`);
      await new Promise((r) => setTimeout(r, 5));
      if (s.backlog === 0 && s.series.get('loss')?.xs.length === i) parsedAfterEachPush++;
    }
    assert.equal(parsedAfterEachPush, 20);
  });
  it('keeps a series sorted when x goes back (a value for an earlier x replaces or is inserted)', () => {
    const s = { xs: [1, 3], ys: [10, 30] };
    addPoint(s, 2, 20);
    addPoint(s, 3, 31);
    assert.deepEqual(s, { xs: [1, 2, 3], ys: [10, 20, 31] });
  });
});

describe('summaries', () => {
  it('takes the lowest loss and the highest accuracy as best, and the last value as final', () => {
    const sum = summarize({ loss: { xs: [1, 2, 3], ys: [0.9, 0.4, 0.5], xKind: 'epoch' }, acc: { xs: [1, 2], ys: [0.8, 0.7], xKind: 'epoch' } });
    assert.deepEqual(sum.loss, { final: 0.5, best: 0.4, bestX: 2, points: 3, xKind: 'epoch', goal: 'min' });
    assert.deepEqual(sum.acc, { final: 0.7, best: 0.8, bestX: 1, points: 2, xKind: 'epoch', goal: 'max' });
  });
  it('names losses and errors as lower-is-better', () => {
    assert.equal(lowerIsBetter('val_loss'), true);
    assert.equal(lowerIsBetter('eval_runtime'), true);
    assert.equal(lowerIsBetter('accuracy'), false);
  });
  it('thins a long series to the first, last and evenly spaced points', () => {
    const xs = Array.from({ length: 10_001 }, (_, i) => i);
    const t = thin({ xs, ys: xs.map((x) => x * 2), xKind: 'step' }, 101);
    assert.equal(t.xs.length, 101);
    assert.equal(t.xs[0], 0);
    assert.equal(t.xs[100], 10_000);
    assert.equal(t.ys[50], 10_000);
  });
});
