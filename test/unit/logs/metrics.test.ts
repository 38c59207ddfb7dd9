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
    // prose before a key is cut at the exclamation ("Yayy! New best EMA pseudo Dice: 0.82" reads as Dice)
    'v2-epoch-lines': { missing: ['EMA pseudo Dice'], spurious: /^Dice$/, pointsOff: 1 },
    // a clock that counts from the start of the run ("Time: 14003.7") reads as a metric, as a per-iteration time would
    'siastegnet-train-test': { spurious: /^Time$/ },
    // "Iteration 77000/77776" after epoch 1 reads as a global counter until epoch 2 restarts it,
    // so the validation line after it goes at step 77000, not at epoch 1
    'lua-epoch-iteration-semicolons': { pointsOff: 1 },
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

describe('MetricLineParser: forms of the second held-out batch', () => {
  it('strips torchrun, Open MPI, loguru, logger file:line and Java logger prefixes', () => {
    assert.deepEqual(run(['[rank0]:[titan] 2025-05-28 21:13:37,816 - root - INFO - step:  1  loss: -1.0000  memory: 36.90GiB(46.63%)  tps: 4']), { loss: [[1, -1]], tps: [[1, 4]] });
    assert.deepEqual(run(['[1,mpirank:0,algo-1]<stdout>:Epoch 0:  50% 1/2 [00:00<00:00,  6.54it/s, loss=2.29, v_num=0]']), { loss: [[1, 2.29]] });
    assert.deepEqual(run(['2021-10-11 14:38:12 | INFO     | yolox.core.trainer:246 - epoch: 1/80, iter: 2/57, mem: 6736Mb, total_loss: 14.9, lr: 2.462e-07']), { total_loss: [[2, 14.9]], lr: [[2, 2.462e-7]] });
    assert.deepEqual(run(['INFO 2021-12-02 18:52:20,806 log_hooks.py: 277: Rank: 0; [ep: 0] iter: 57; lr: 0.71785; loss: 2.94718;']), { lr: [[57, 0.71785]], loss: [[57, 2.94718]] });
    assert.deepEqual(run([' 2020-10-26 13:24:36.%f train.py:215[27649] INFO Train epoch: 17 [600/1000]\tAccuracy: 49.44%\tLoss: 0.722369']), { 'train/Accuracy': [[16600, 49.44]], 'train/Loss': [[16600, 0.722369]] });
    assert.deepEqual(run(['[07/08 15:10:24] test.py - L221: | Epoch: [1][101/530] | Time: 0.025 | Visual Views Seen: 40417 | Visual Loss: 5.1348 |']), { Time: [[101, 0.025]], 'Visual Loss': [[101, 5.1348]] });
  });
  it('reads syslog-escaped control characters (#015 as a bar redraw, #033 as an escape)', () => {
    const r = run(['[1,mpirank:0,algo-1]<stdout>:#015Validation DataLoader 0: 100% 1/1 [00:00<00:00, 1113.73it/s]#033[A', '[1,mpirank:0,algo-1]<stdout>:#015Epoch 0: 100% 2/2 [00:00<00:00, 12.10it/s, loss=2.29, v_num=0, val_acc=0.166]']);
    assert.deepEqual(r, { loss: [[0, 2.29]], val_acc: [[0, 0.166]] });
  });
  it('splits a line where a redrawn record follows the last one', () => {
    assert.deepEqual(run(['Epoch... (2/116 | Loss: 0.43)                       Epoch... (3/116 | Loss: 0.26)    ']), { Loss: [[2, 0.43], [3, 0.26]] });
  });
  it('takes "k/N (epoch e)", DeepSpeed\'s "e/s," timer and "X at iteration N is V" as counters', () => {
    assert.deepEqual(run(['168/446 (epoch 0), train_loss = 2.304, time/batch = 0.160']), { train_loss: [[168, 2.304]], 'time/batch': [[168, 0.16]] });
    assert.deepEqual(run(['[2021-01-26 21:57:06,613] [INFO] [timer.py:166:stop] 0/130, SamplesPerSec=36.81']), { SamplesPerSec: [[130, 36.81]] });
    assert.deepEqual(run(['o.d.o.l.ScoreIterationListener - Score at iteration 3 is 4088.19']), { Score: [[3, 4088.19]] });
  });
  it('reads hyperparameter trials: the trial as the step, the value, no parameters or best-so-far', () => {
    assert.deepEqual(run(["[I 2026-08-20 19:25:09,783] Trial 59 finished with value: 1.56 and parameters: {'x': 0.74}. Best is trial 53 with value: 0.0001."]), { value: [[59, 1.56]] });
    assert.deepEqual(run(["[I 2019-09-26 16:57:38,318] Finished trial#2 resulted in value: 0.84. Current best value is 0.84 with parameters: {'batch_size': 251, 'epochs': 46}."]), { value: [[2, 0.84]] });
    const df = run([' number  value  params_w[2]  params_w[3]     state', '      0  0.225           32          172  COMPLETE', '      1  0.362            0          172  COMPLETE']);
    assert.deepEqual(df, { value: [[0, 0.225], [1, 0.362]] });
  });
  it('reads a Ray Tune status table by its iter column, without clocks or trial names', () => {
    const r = run(['| Trial name               | status   |   iter |   total time (s) |   reward |', '|--------------------------+----------+--------+------------------+----------|', '| SAC_Pendulum-v0_79dcd0fe | RUNNING  |     66 |          163.499 | -1105.85 |']);
    assert.deepEqual(r, { reward: [[66, -1105.85]] });
  });
  it('reads a Markdown table without outer bars', () => {
    const r = run(['epoch|mem|mloss0|targets|imgsize|map|', '-|-|-|-|-|-', '0/299|7.17G| 3.28|    5|  576|0.623|', '1/299|7.35G| 3.46|    5|  512|0.647|']);
    assert.deepEqual(r, { mloss0: [[0, 3.28], [1, 3.46]], map: [[0, 0.623], [1, 0.647]] });
  });
  it('reads YOLO tables whose bars have no blocks, and metric names holding a range', () => {
    const r = run(['     Epoch   gpu_mem       box       obj   targets  img_size', '      3/49     11.9G   0.02173     0.035        13       448: 100% 1626/1626 [22:53<00:00,  1.18it/s]', '               Class      Images        Targets            P         mAP@.5   mAP@.5:.95: 100% 350/350 [04:06<00:00,  1.42it/s]', '                   all      3.14e+04    3.28e+04       0.603       0.829       0.574']);
    assert.deepEqual(r, { box: [[3, 0.02173]], obj: [[3, 0.035]], P: [[3, 0.603]], 'mAP@.5': [[3, 0.829]], 'mAP@.5:.95': [[3, 0.574]] });
    assert.deepEqual(run(['Epoch: 0 | mAP@0.5: 0.12 | mAP@0.50:0.95: 0.05']), { 'mAP@0.5': [[0, 0.12]], 'mAP@0.50:0.95': [[0, 0.05]] });
    assert.deepEqual(run(['wandb:           metrics/mAP_0.5:0.95 0.26096']), { 'metrics/mAP_0.5:0.95': [[1, 0.26096]] });
  });
  it('reads a row label with a colon, a one-value list and a sentence\'s full stop', () => {
    assert.deepEqual(run(['Evaluating the model on sts-dev dataset after epoch 0:', '2021-12-08 16:07:58 - Cosine-Similarity :       Pearson: 1.0000 Spearman: 0.8165']), { 'Cosine-Similarity Pearson': [[0, 1]], 'Cosine-Similarity Spearman': [[0, 0.8165]] });
    assert.deepEqual(run(['Epoch 195', '2024-04-23 15:23:41.869548: Pseudo dice [0.8399]']), { 'Pseudo dice': [[195, 0.8399]] });
    assert.deepEqual(run(['Epoch 71: train loss 1.678 train acc: 0.293, val loss: 1.902 val acc 0.140.']), { 'train/acc': [[71, 0.293]], 'valid/loss': [[71, 1.902]], 'train/loss': [[71, 1.678]], 'valid/acc': [[71, 0.14]] });
  });
  it('rejects status lines, settings in prose, totals and printed dicts', () => {
    assert.deepEqual(run(['21/01/20 22:12:00 INFO lightgbm.LightGBMClassifier: LightGBM running iteration: 0 with result: 0 and is finished: false', '21/01/20 22:12:00 INFO lightgbm.LightGBMClassifier: Valid auc=0.88']), { 'valid/auc': [[0, 0.88]] });
    assert.deepEqual(run(['Trainer is initialized with local batch size 2, global batch size 2, sequence length 4096, total steps 10 (warmup 2).']), {});
    assert.deepEqual(run(["This movie sucked {'POSITIVE': 1.0}"]), {});
    assert.deepEqual(run(['Best accuracy: 0.503']), {});
  });
});

describe('MetricLineParser: forms of the third held-out batch', () => {
  it('reads ESPnet2 batch ranges as progress inside the epoch', () => {
    assert.deepEqual(run(['[gpu01:0/2] 2020-07-19 08:49:04,080 (trainer:464) INFO: 1epoch:train:1-682batch: iter_time=2.878e-04, loss=123.963', '[gpu01:0/2] 2020-07-19 08:54:09,601 (trainer:464) INFO: 1epoch:train:683-1364batch: iter_time=5.862e-05, loss=68.722']), { 'train/iter_time': [[682, 2.878e-4], [1364, 5.862e-5]], 'train/loss': [[682, 123.963], [1364, 68.722]] });
  });
  it('reads "Iteration k/N" after an epoch as progress once it restarts, and "Learning rate" as a name', () => {
    const r = run(['Epoch 1 ; Iteration 77000/77776 ; Learning rate 1.0000 ; Perplexity 14.37', 'Epoch 2 ; Iteration 1000/77776 ; Learning rate 1.0000 ; Perplexity 8.29']);
    assert.deepEqual(r, { 'Learning rate': [[77000, 1], [78776, 1]], Perplexity: [[77000, 14.37], [78776, 8.29]] });
  });
  it('reads Stable-Baselines2 DQN blocks: a % in a key, steps as the x', () => {
    const r = run(['--------------------------------------', '| % time spent exploring  | 2        |', '| episodes                | 100      |', '| mean 100 episode reward | -59.7    |', '| steps                   | 1841     |', '--------------------------------------']);
    assert.deepEqual(r, { '% time spent exploring': [[1841, 2]], 'mean 100 episode reward': [[1841, -59.7]] });
  });
  it('reads one dict of a printed list over several lines, with a nested dict inside', () => {
    const r = run(["[{'mean_loss': 1.92,", "  'done': False,", "  'training_iteration': 1,", "  'time_this_iter_s': 2.56,", "  'time_total_s': 2.56,", "  'config': {'lr': 0.001},", "  'iterations_since_restore': 1},"]);
    assert.deepEqual(r, { mean_loss: [[1, 1.92]], time_this_iter_s: [[1, 2.56]] });
  });
  it('keeps the learning rate of an evaluation record out of the evaluation phase', () => {
    assert.deepEqual(run(['{"mode": "val", "epoch": 5, "iter": 12000, "lr": 0.00444, "mIoU": 0.18724}']), { lr: [[12000, 0.00444]], 'valid/mIoU': [[12000, 0.18724]] });
  });
  it('reads "loss nan" after a counter, and rejects assignments printed before any counter', () => {
    assert.deepEqual(run(['iter 3010: loss nan, time 1019.95ms, mfu 14.12%']), { loss: [[3010, Number.NaN]], mfu: [[3010, 14.12]] });
    assert.deepEqual(run(['learningRate = 1.0E-4', 'maxIterations = 67000', 'step 0: train loss 4.33, val loss 4.33']), { 'train/loss': [[0, 4.33]], 'valid/loss': [[0, 4.33]] });
  });
});

describe('MetricLineParser: forms of the fourth held-out batch', () => {
  it('reads the rest of a wrapped pipe line at the step of the line it continues, without best_ values', () => {
    const r = run(['| epoch 010 | loss 9.748 | num_updates 11010 | lr 0.000301374 | gnorm 0.58', '0 | clip 0.000 | oom 0.000 | wall 1692 | train_wall 1499', "| epoch 010 | valid on 'valid' subset | loss 11.753 | num_updates 11010 | best_loss 11.0761"]);
    assert.deepEqual(r, { loss: [[11010, 9.748]], lr: [[11010, 0.000301374]], gnorm: [[11010, 0.58]], clip: [[11010, 0]], oom: [[11010, 0]], wall: [[11010, 1692]], train_wall: [[11010, 1499]], 'valid/loss': [[11010, 11.753]] });
  });
  it('takes a value followed by ",digits" as a label, not a number', () => {
    assert.deepEqual(run(['---99---4---,----1---99---66--- => 974294,196          , gt: 974294,196 ', 'Test loss: 0.0086, accuray: 0.9872']), { 'test/loss': [[1, 0.0086]], 'test/accuray': [[1, 0.9872]] });
  });
  it('reads a parenthesised word in a name: "F-score (micro) 0.6971"', () => {
    assert.deepEqual(run(['- F-score (micro) 0.6971', '- Accuracy 0.6971']), { 'F-score (micro)': [[1, 0.6971]], Accuracy: [[2, 0.6971]] });
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
  it('stays in a burst across the reader\'s own waits for the CPU (gaps shorter than quietMs)', async () => {
    // a loaded machine: the burst's chunks come in runs with 60 ms holes between them
    const s = new MetricStream({ trickleMs: 1, trickleEveryMs: 1000 });
    const chunk = Array.from({ length: 256 }, (_, i) => `step=${i} loss=${(1 / (i + 1)).toFixed(5)}\n`).join('');
    let pushed = 0;
    for (let k = 0; k < 40; k++) {
      s.push(chunk);
      pushed += chunk.length;
      await new Promise((r) => setTimeout(r, k % 8 === 7 ? 60 : 2));
    }
    assert.ok(s.backlog > pushed / 2, `most text waits during the burst: ${s.backlog} of ${pushed} characters still queued`);
    s.end();
    assert.equal(s.backlog, 0);
  });
  it('at a live pace (text slower than burstRate), parses each chunk as it comes', async () => {
    const s = new MetricStream();
    let parsedAfterEachPush = 0;
    for (let i = 1; i <= 20; i++) {
      s.push(`step=${i} loss=${1 / i}\n`);
      await new Promise((r) => setTimeout(r, 5));
      // (and one turn of the loop: a push made while the loop was running immediates is
      // parsed in the next turn, which a 5 ms timer may precede)
      await new Promise((r) => setImmediate(r));
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
