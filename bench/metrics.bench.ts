/**
 * Log metrics parsing against the plain log terminal (`npm run bench -- metrics`; prints
 * figures, asserts nothing).
 *
 *  (a) in memory: lines/s of the parser alone (MetricStream on a mix of every form and plain
 *      lines), of the log terminal's own per-chunk work (src/ui/shared/
 *      logsTerminal.ts: CRLF rewrite + URL detection per line);
 *  (b) on the engine, at full speed: a busybox container's MLLAB_BENCH_LINES (default 100,000)
 *      metric lines read by the terminal's consumer alone; with the parser on the same stream
 *      (what src/ui/shared/runHistory.ts does: the parser mostly waits while text keeps coming, then
 *      catches up, so the figure also says how much was left to parse when the logs ended and
 *      how long that took); with a second log stream (what it does not do); median of 7 rounds,
 *      and the median of each round's own ratio (robust to the load of other processes drifting);
 *  (c) on the engine, live: a container printing 100,000 lines a minute (MLLAB_BENCH_RATE
 *      lines/s for MLLAB_BENCH_SECONDS s): lines/s the terminal shows with and without the
 *      parser, CPU used, and how long after the last line the parser is done.
 *
 * MLLAB_BENCH_PARTS=a runs (a) alone (no engine needed).
 *
 * The goal: a container printing 100,000 lines a minute (1,667 lines/s) is parsed live, and
 * the terminal shows as many lines per second with the parser running as without.
 */
import { cpus, loadavg } from 'node:os';
import { detectUrls } from '../src/core/logs/urls';
import { MetricStream } from '../src/core/logs/metrics';
import { testEngine } from '../test/support/fixtures';
import type { Engine } from '../src/engine/engine';

const LINES = Number(process.env.MLLAB_BENCH_LINES ?? 100_000);
const LABEL = 'org.mllab.bench';
/** rounds of (b); each round reads alone, shared and with two streams in turn (MLLAB_BENCH_ROUNDS, default 7) */
const ROUNDS = Number(process.env.MLLAB_BENCH_ROUNDS ?? 7);

/** A training log: metric lines of every form mixed with plain lines, as real runs interleave them. */
function sampleLog(n: number): string[] {
  const forms = [
    (i: number) => `epoch ${i} loss ${(1 / i).toFixed(4)}`,
    (i: number) => `${i % 32}/32 [==============================] - 0s 2ms/step - kloss: ${(1 / i).toFixed(4)} - accuracy: 0.8100`,
    (i: number) => `step=${i} sloss=${(1 / i).toFixed(4)} lr=0.001`,
    (i: number) => `{"step": ${i}, "jloss": ${(1 / i).toFixed(4)}}`,
    (i: number) => `{'hloss': ${(1 / i).toFixed(4)}, 'learning_rate': 5e-05, 'epoch': ${(i / 100).toFixed(2)}}`,
    (i: number) => `Epoch ${i % 10}:  45%|████▌     | 45/100 [00:12<00:15,  3.60it/s, ploss=${(1 / i).toFixed(3)}, v_num=0]`,
    () => 'INFO Loading checkpoint shards from /models/base',
    () => 'WARNING: The given NumPy array is not writable, and PyTorch does not support non-writable tensors.',
  ];
  return Array.from({ length: n }, (_, i) => forms[i % forms.length](i + 1));
}

/** The log terminal's work per chunk: CRLF rewrite, then split into lines and look for URLs (logsTerminal.ts). */
function terminalConsumer(): { push(text: string): void; lines(): number } {
  let partial = '';
  let written = 0;
  let sink = 0;
  return {
    push(text: string) {
      const out = text.replace(/\r?\n/g, '\r\n');
      sink += out.length;
      const lines = (partial + text).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const l of lines) {
        if (detectUrls(l, []).length) sink++;
        written++;
      }
    },
    lines: () => written + (sink < 0 ? 1 : 0),
  };
}

function chunks(lines: string[], perChunk = 200): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += perChunk) out.push(`${lines.slice(i, i + perChunk).join('\n')}\n`);
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = (n: number) => Math.round(n).toLocaleString('en-US');

async function inMemory(): Promise<void> {
  const text = chunks(sampleLog(LINES));
  // parser alone
  const parseRates: number[] = [];
  const parseCpuRates: number[] = [];
  for (let r = 0; r < 5; r++) {
    const s = new MetricStream();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (const c of text) s.push(c);
    s.flush();
    const cpu = process.cpuUsage(c0);
    parseRates.push(LINES / ((performance.now() - t0) / 1000));
    parseCpuRates.push(LINES / ((cpu.user + cpu.system) / 1e6));
  }
  // terminal alone
  const termRates: number[] = [];
  for (let r = 0; r < 5; r++) {
    const term = terminalConsumer();
    const t0 = performance.now();
    for (const c of text) term.push(c);
    termRates.push(term.lines() / ((performance.now() - t0) / 1000));
  }
  console.log(`(a) in memory, ${f(LINES)} lines of mixed forms, median of 5:`);
  console.log(`    parser alone:                        ${f(median(parseRates))} lines/s (${(median(parseRates) / (100_000 / 60)).toFixed(0)}x the 1,667 lines/s of 100,000 lines/min)`);
  console.log(`    parser alone, per CPU second:        ${f(median(parseCpuRates))} lines/s (the same work counted in this process's CPU time, so other processes' load weighs less; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`);
  console.log(`    terminal's work alone (one loop):    ${f(median(termRates))} lines/s`);
}

/** Terminal lines/s reading a container's logs: alone, with the parser on the same stream (what the extension does), with a second stream. */
async function burst(engine: Engine, id: string): Promise<void> {
  const alone: number[] = [];
  const shared: number[] = [];
  const twoStreams: number[] = [];
  const backlogAtEnd: number[] = [];
  // this process's CPU during the read (ms): unlike lines/s, other processes' load hardly moves it
  const cpuAlone: number[] = [];
  const cpuShared: number[] = [];
  const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
  const parseDoneAfter: number[] = [];
  let parsed = 0;
  for (let r = 0; r < ROUNDS; r++) {
    {
      const term = terminalConsumer();
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await engine.logs(id, (t) => term.push(t), { follow: true });
      cpuAlone.push(cpuMs(process.cpuUsage(c0)));
      alone.push(term.lines() / ((performance.now() - t0) / 1000));
    }
    {
      const term = terminalConsumer();
      const s = new MetricStream();
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await engine.logs(id, (t) => {
        term.push(t);
        s.push(t);
      }, { follow: true });
      cpuShared.push(cpuMs(process.cpuUsage(c0)));
      const t1 = performance.now();
      shared.push(term.lines() / ((t1 - t0) / 1000));
      backlogAtEnd.push(s.backlog);
      s.end();
      parseDoneAfter.push(performance.now() - t1);
      parsed = s.series.get('loss')?.xs.length ?? 0;
    }
    {
      const term = terminalConsumer();
      const t0 = performance.now();
      const termDone = engine.logs(id, (t) => term.push(t), { follow: true }).then(() => performance.now());
      const other = engine.logs(id, () => undefined, { follow: true });
      const t1 = await termDone;
      await other;
      twoStreams.push(term.lines() / ((t1 - t0) / 1000));
    }
  }
  console.log(`(b) a finished container's ${f(LINES)} log lines read at full speed, median of ${ROUNDS} rounds (load average ${(loadavg()[0]).toFixed(1)} on ${cpus().length} cores):`);
  console.log(`    terminal alone:                                  ${f(median(alone))} lines/s`);
  const paired = shared.map((x, i) => x / alone[i]);
  console.log(`    terminal + parser on the same stream (shipped):  ${f(median(shared))} lines/s (${((median(shared) / median(alone)) * 100).toFixed(0)}% of alone; each round's own ratio: median ${(median(paired) * 100).toFixed(0)}%, ${paired.map((p) => (p * 100).toFixed(0)).join('/')}); loss points recorded: ${f(parsed)} of ${f(LINES)}`);
  console.log(`      left to parse when the logs ended: ${f(median(backlogAtEnd))} characters (median); all parsed ${median(parseDoneAfter).toFixed(0)} ms after the end (median)`);
  console.log(`      this process's CPU during the read (median): alone ${f(median(cpuAlone))} ms, with the parser ${f(median(cpuShared))} ms (${((median(cpuShared) / median(cpuAlone) - 1) * 100).toFixed(0)}% more)`);
  console.log(`    terminal + a second log stream (not shipped):    ${f(median(twoStreams))} lines/s (${((median(twoStreams) / median(alone)) * 100).toFixed(0)}%)`);
}

/** A live container printing RATE lines/s for SECONDS s: lines/s the terminal got, CPU used, and how far parsing trails the last line. */
async function live(engine: Engine, image: string): Promise<void> {
  const RATE = Number(process.env.MLLAB_BENCH_RATE ?? 100_000 / 60);
  const SECONDS = Number(process.env.MLLAB_BENCH_SECONDS ?? 8);
  const py = `import sys, time\nt0 = time.time()\nn = int(${RATE} * ${SECONDS})\nfor i in range(1, n + 1):\n    d = t0 + i / ${RATE} - time.time()\n    if d > 0: time.sleep(d)\n    sys.stdout.write("step %d loss %.6f\\n" % (i, 1.0 / i))\n    if i % 16 == 0: sys.stdout.flush()\n`;
  for (const withParser of [false, true]) {
    const name = `mllab-bench-live-${process.pid}-${withParser ? 'p' : 't'}`;
    const { id } = await engine.runContainer({ image, name, cmd: ['python3', '-u', '-c', py], ports: [], mounts: [], labels: { [LABEL]: name }, bindAddress: '127.0.0.1' });
    try {
      const term = terminalConsumer();
      const s = new MetricStream();
      let lastText = 0;
      let first = 0;
      let lastPush = 0;
      const lags: number[] = [];
      s.onPoints(() => lags.push(performance.now() - lastPush));
      const cpu0 = process.cpuUsage();
      await engine.logs(id, (t) => {
        if (!first) first = performance.now();
        term.push(t);
        lastText = performance.now();
        if (withParser) {
          lastPush = lastText;
          s.push(t);
        }
      }, { follow: true });
      if (withParser) s.end();
      const cpu = process.cpuUsage(cpu0);
      const secs = (lastText - first) / 1000;
      console.log(`    ${withParser ? 'terminal + parser' : 'terminal alone   '}: ${f(term.lines() / secs)} lines/s shown (${f(term.lines())} lines in ${secs.toFixed(2)} s), extension-side CPU ${((cpu.user + cpu.system) / 1000 / (secs * 1000) * 100).toFixed(1)}%` +
        (withParser ? `, ${f(s.series.get('loss')?.xs.length ?? 0)} points; a chunk is parsed ${median(lags).toFixed(1)} ms (median), ${Math.max(...lags).toFixed(1)} ms (max) after it arrives` : ''));
    } finally {
      await engine.removeContainer(id, { force: true }).catch(() => undefined);
    }
  }
}

async function onEngine(): Promise<void> {
  const engine = testEngine();
  try {
    await engine.ping();
  } catch {
    console.log('(b, c) skipped: no Docker engine');
    return;
  }
  const name = `mllab-bench-metrics-${process.pid}`;
  const prog = `BEGIN { for (i = 1; i <= ${LINES}; i++) printf "epoch %d loss %.4f acc %.4f\\n", i, 1/i, 1-1/i }`;
  const { id } = await engine.runContainer({ image: 'mllab-test/busybox:1', name, cmd: ['awk', prog], ports: [], mounts: [], labels: { [LABEL]: name }, bindAddress: '127.0.0.1' });
  try {
    await engine.waitContainer(id);
    await burst(engine, id);
  } finally {
    await engine.removeContainer(id, { force: true }).catch(() => undefined);
  }
  console.log(`(c) a live container printing ${f(Number(process.env.MLLAB_BENCH_RATE ?? 100_000 / 60))} lines/s (100,000 lines/min):`);
  await live(engine, process.env.MLLAB_BASE_IMAGE ?? 'mllab-test/python-ml:bookworm');
}

// MLLAB_BENCH_PARTS=a runs only (a); default all
const parts = process.env.MLLAB_BENCH_PARTS ?? 'abc';
void (async () => {
  if (parts.includes('a')) await inMemory();
  if (/[bc]/.test(parts)) await onEngine();
})();
