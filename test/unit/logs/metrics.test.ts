import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { MetricStream, addPoint, lowerIsBetter, summarize, thin } from '../../../src/core/logs/metrics';
import { MetricLineParser } from '../../../src/core/logs/metricLines';
import { parseLogSeries } from '../../../src/core/logs/metricsReport';
import { loadCorpus, scoreCase } from '../../support/metricsCorpus';

/** The points a few lines give, as name -> [x, y] pairs. */
function run(lines: string[]): Record<string, Array<[number, number]>> {
  const p = new MetricLineParser();
  const out: Record<string, Array<[number, number]>> = {};
  for (const l of lines) for (const pt of p.feed(l)) (out[pt.name] ??= []).push([pt.x, pt.y]);
  return out;
}

describe('metric parser on the real-log corpus (test/fixtures/training-logs)', () => {
  // one case per excerpt: every expected series found, every point at its x, nothing spurious
  // known misses, each a rule's price: what is missed, what is spurious, how many points are off
  const known: Record<string, { missing?: string[]; spurious?: RegExp; pointsOff?: number }> = {
    // a value with a unit word ("5457.3 samples/sec") is not charted
    'gotorch-epoch-summary': { missing: ['train/throughput'], pointsOff: 3 },
    // counts printed beside the scores ("right: 0, predict: 0, standard: 259686.") read as metrics
    'performance-then-loss-line': { spurious: /right|predict|standard/ },
    // the paste glued two header words ("Targetsbox is"): the column reads as a metric
    'total-targets-old': { spurious: /^Targetsbox is$/ },
    // the excerpt starts with the closing bar of an epoch no header named: those values go at line 1, not epoch 174
    'epochs-late-run': { pointsOff: 4 },
    // flair's "iter 240/249" reads as a global counter (as PaddleSeg's), so the epoch's summary goes at 240, not 249
    'iter-done-dev-test': { pointsOff: 1 },
  };
  for (const c of loadCorpus()) {
    it(`${c.framework}/${c.name} [${c.source}]`, () => {
      const s = scoreCase(c.expected, parseLogSeries(c.text).series);
      const k = known[c.name] ?? {};
      assert.deepEqual(s.missing, k.missing ?? [], 'missing series');
      assert.deepEqual(s.spurious.filter((n) => !k.spurious?.test(n)), [], 'spurious series');
      // repeated identical lines (same x, same y) are one point by design
      const repeats = c.expected.reduce((n, e) => n + e.points.length - new Set(e.points.map((p) => JSON.stringify(p))).size, 0);
      assert.ok(s.pointsRightX >= s.pointsExpected - repeats - (k.pointsOff ?? 0), `${s.pointsRightX}/${s.pointsExpected} points at the right x`);
    });
  }
});

describe('MetricLineParser: one focused case per failure class', () => {
  it('reads a fastai table under its header', () => {
    assert.deepEqual(run(['epoch     train_loss  valid_loss  accuracy  time', '0         4.346260    4.408598    0.370535  1:12:49']), { train_loss: [[0, 4.34626]], valid_loss: [[0, 4.408598]], accuracy: [[0, 0.370535]] });
  });
  it('reads a spaCy table through the columns its dashes mark', () => {
    const r = run(['E    #       LOSS TOK2VEC  LOSS TAGGER  TAG_ACC  SCORE ', '---  ------  ------------  -----------  -------  ------', '  0     200         41.45      2573.65    86.73    0.87']);
    assert.deepEqual(r, { 'LOSS TOK2VEC': [[200, 41.45]], 'LOSS TAGGER': [[200, 2573.65]], TAG_ACC: [[200, 86.73]], SCORE: [[200, 0.87]] });
  });
  it('takes XGBoost, CatBoost and MMDetection counters as the step', () => {
    assert.deepEqual(run(['[500]\teval-logloss:0.41906']), { 'valid/logloss': [[500, 0.41906]] });
    assert.deepEqual(run(['87:\tlearn: 0.61 test: 0.62 best: 0.60 (80)']), { 'train/loss': [[87, 0.61]], 'test/loss': [[87, 0.62]] });
    assert.deepEqual(run(['Epoch [2][1200/7517]\tlr: 0.00125, loss: 0.4606']), { lr: [[8717, 0.00125]], loss: [[8717, 0.4606]] });
    assert.deepEqual(run(['Epoch(train) [1][10/90]  lr: 1.000e-02  loss: 11.4723']), { lr: [[10, 0.01]], loss: [[10, 11.4723]] });
    assert.deepEqual(run(['Train: 1 [5000/5004 (100%)]  Loss: 3.421 (3.58)  LR: 1.000e-01']), { 'train/Loss': [[5000, 3.421]], 'train/LR': [[5000, 0.1]] });
  });
  it('puts progress inside an epoch at its global step, and the epoch-closing bar at the epoch', () => {
    assert.deepEqual(run(['Train Epoch: 2 [6400/60000 (11%)]\tLoss: 0.912735']), { 'train/Loss': [[66400, 0.912735]] });
    assert.deepEqual(run(['Epoch 0: 100%|██| 18/18 [00:30<00:00, 1.6s/it, loss=10.4, v_num=1]', 'Epoch 1:  11%|█ | 2/18 [00:11<01:33, 5.82s/it, loss=10.2, v_num=1]']), { loss: [[0, 10.4], [20, 10.2]] });
    assert.deepEqual(run(['Epoch 3/30', '1719/1719 [==============================] - 5s 3ms/step - loss: 0.31 - val_loss: 0.35']), { loss: [[3, 0.31]], val_loss: [[3, 0.35]] });
  });
  it('keeps Keras evaluate() after fit out of the training curve', () => {
    const r = run(['Epoch 2/2', '1875/1875 [==============================] - 3s 2ms/step - loss: 0.07 - accuracy: 0.98', '313/313 [==============================] - 0s 1ms/step - loss: 0.08 - accuracy: 0.97']);
    assert.deepEqual(r, { loss: [[2, 0.07]], accuracy: [[2, 0.98]], 'test/loss': [[2, 0.08]], 'test/accuracy': [[2, 0.97]] });
  });
  it('separates train, validation and test values of one metric', () => {
    assert.deepEqual(run(["[5]:    train's l2:0.0950898    valid's l2:0.100327"]), { 'train/l2': [[5, 0.0950898]], 'valid/l2': [[5, 0.100327]] });
    assert.deepEqual(run(['Test set: Average loss: 0.0331, Accuracy: 9062/10000 (91%)']), { 'test/loss': [[1, 0.0331]], 'test/Accuracy': [[1, 91]] });
  });
  it('reads dicts over several lines: pretty-printed JSON, a dict the terminal wrapped', () => {
    assert.deepEqual(run(['{"accuracy_cls": 0.92, ', '  "eta": "1 day, 13:30:44",', '  "iter": 120000,', '  "loss": 0.56}']), { accuracy_cls: [[120000, 0.92]], loss: [[120000, 0.56]] });
    assert.deepEqual(run(["{'eval_loss': 2.22, 'eval_samples_pe", "r_second': 7.289, 'epoch': 0.01}"]), { eval_loss: [[0.01, 2.22]], eval_samples_per_second: [[0.01, 7.289]] });
    // a dict that never closes is read line by line when the log ends
    const p = new MetricLineParser();
    assert.deepEqual(p.feed("{'loss': 0.5, 'epoch': 1,"), []);
    assert.deepEqual(p.end().map((pt) => [pt.name, pt.x, pt.y]), [['loss', 1, 0.5]]);
  });
  it('reads Colab bars without blocks, Kaggle log prefixes, a dev phase and a message glued after a value', () => {
    assert.deepEqual(run(['Epoch 0:  97% 1651/1702 [13:00<00:24,  2.11it/s, loss=0.158, v_num=0]']), { loss: [[1651, 0.158]] });
    assert.deepEqual(run(["13129.7s | 202 | [365]\tvalid_0's auc: 0.610046"]), { 'valid_0/auc': [[365, 0.610046]] });
    assert.deepEqual(run(['EPOCH 1 done: loss 0.0350', 'DEV  : loss 0.0388 - f-score 0.5586']), { loss: [[1, 0.035]], 'valid/loss': [[1, 0.0388]], 'valid/f-score': [[1, 0.5586]] });
    assert.deepEqual(run(['Epoch 1: 100%|██| 17/17 [00:09<00:00, loss=0.336, train_acc=0.143Exception ignored in: <function>']), { loss: [[1, 0.336]], train_acc: [[1, 0.143]] });
  });
  it('takes "tree 3 of 100" as a counter', () => {
    assert.deepEqual(run(['built tree 3 of 100, train score = 1.237790e+00']), { 'train/score': [[3, 1.23779]] });
  });
  it('rejects devices, call arguments and counts after words', () => {
    assert.deepEqual(run(['Ultralytics YOLOv8.0.149  Python-3.11.4 torch-2.0.1+cu118 CUDA:0 (NVIDIA GeForce RTX 4080, 16376MiB)']), {});
    assert.deepEqual(run(["HBox(children=(FloatProgress(value=0.0, description='Epoch', max=1.0))"]), {});
    assert.deepEqual(run(['[LightGBM] [Info] Total Bins 70025']), {});
  });
  it('takes a YOLOv5 header whose names hold digits (mAP@.5:.95) as a header', () => {
    const r = run(['     Epoch   gpu_mem       box       obj', '     5/249    0.868G   0.06393   0.01588', '               Class      Images            P           R      mAP@.5  mAP@.5:.95: 100%|█| 71/71 ', '                 all         281        0.23       0.328       0.203      0.0525']);
    assert.deepEqual(r, { box: [[5, 0.06393]], obj: [[5, 0.01588]], P: [[5, 0.23]], R: [[5, 0.328]], 'mAP@.5': [[5, 0.203]], 'mAP@.5:.95': [[5, 0.0525]] });
  });
  it('rejects banners, seeds, sizes, log prefixes and timestamps', () => {
    assert.deepEqual(run([
      'TPU available: False, using: 0 TPU cores',
      'Setting LM seed to 1',
      '2021-03-01 12:00:00.123456: I tensorflow/stream_executor/cuda/cuda_dnn.cc:424] Loaded cuDNN version 8100',
      "{'n_parameters': 11590840}",
      'Namespace(batch_size=64, epochs=14, lr=1.0, seed=1)',
      '2023-04-05 12:34:56,789 INFO [main] Starting run 3',
    ]), {});
  });
  it('reads numbers given as strings in JSON, and Acc@1 without a colon', () => {
    assert.deepEqual(run(['{"epoch": 25, "loss": "3.180", "clip": "100%"}']), { loss: [[25, 3.18]], clip: [[25, 100]] });
    assert.deepEqual(run(['Epoch: [3]  [10/20]  loss: 1.0', ' * Acc@1 21.240 Acc@5 43.900']), { loss: [[50, 1]], 'Acc@1': [[3, 21.24]], 'Acc@5': [[3, 43.9]] });
  });
  it('never drops a point because its x repeats (Hugging Face 2-decimal epochs)', () => {
    const s = new MetricStream();
    s.push("{'loss': 1.6531, 'epoch': 0.38}\n{'loss': 1.5554, 'epoch': 0.38}\n");
    s.end();
    assert.deepEqual(s.series.get('loss'), { xs: [0.38, 0.38], ys: [1.6531, 1.5554], xKind: 'epoch' });
  });
  it('runs user-declared patterns before the built-in forms, with an optional step group', () => {
    const p = new MetricLineParser([{ name: 'bleu', regex: /BLEU = ([0-9.]+) at update (\d+)/ }]);
    assert.deepEqual(p.feed('BLEU = 27.3 at update 4000'), [{ name: 'bleu', x: 4000, xKind: 'step', y: 27.3 }]);
  });
});

describe('addPoint', () => {
  it('keeps xs ascending, drops an exact repeat, and replaces only for a redrawn bar', () => {
    const s = { xs: [1, 3], ys: [10, 30] };
    assert.equal(addPoint(s, 2, 20), true);
    assert.equal(addPoint(s, 2, 20), false);
    assert.equal(addPoint(s, 2, 21), true);
    assert.deepEqual(s, { xs: [1, 2, 2, 3], ys: [10, 20, 21, 30] });
    addPoint(s, 3, 31, true);
    assert.deepEqual(s.ys, [10, 20, 21, 31]);
  });
});

describe('MetricStream', () => {
  it('counts arrival order when lines have no step or epoch, across any chunking', () => {
    const s = new MetricStream();
    for (const ch of 'test accuracy 0.9333\nloss=0.5\nloss=0.4\n') s.push(ch);
    s.end();
    assert.deepEqual(s.series.get('loss'), { xs: [2, 3], ys: [0.5, 0.4], xKind: 'line' });
  });
  it('parses after push returns, in event-loop slices, and reports the points', async () => {
    const s = new MetricStream();
    const got: string[] = [];
    s.onPoints((pts) => got.push(...pts.map((p) => `${p.name}@${p.x}=${p.y}`)));
    s.push('epoch 1 loss 0.9\n');
    assert.deepEqual(got, []);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got, ['loss@1=0.9']);
  });
});

describe('MetricStream timing', () => {
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
});

describe('summaries', () => {
  it('takes the lowest loss and the highest accuracy as best, and the last value as final', () => {
    const sum = summarize({ loss: { xs: [1, 2, 3], ys: [0.9, 0.5, 0.6], xKind: 'epoch' }, acc: { xs: [1, 2], ys: [0.7, 0.8], xKind: 'epoch' } });
    assert.deepEqual(sum.loss, { final: 0.6, best: 0.5, bestX: 2, points: 3, xKind: 'epoch', goal: 'min' });
    assert.equal(sum.acc.best, 0.8);
  });
  it('names losses and errors as lower-is-better', () => {
    assert.equal(lowerIsBetter('valid/loss'), true);
    assert.equal(lowerIsBetter('accuracy'), false);
  });
  it('thins a long series to the first, last and evenly spaced points', () => {
    const xs = Array.from({ length: 10_000 }, (_, i) => i);
    const t = thin({ xs, ys: xs, xKind: 'step' }, 100);
    assert.equal(t.xs.length, 100);
    assert.equal(t.xs[0], 0);
    assert.equal(t.xs[99], 9999);
  });
});
