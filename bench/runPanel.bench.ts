/**
 * Training Run panel update latency (`npm run bench -- runPanel`; prints figures, asserts
 * nothing). The packaged .vsix in code-server in headless Chromium: a profile runs a Python
 * container that prints `step=<i> sent_ms=<time.time() in ms>` at MLLAB_BENCH_RATE lines/s
 * (default 1,000) for MLLAB_BENCH_SECONDS (default 20), after MLLAB_BENCH_DELAY s (default 20)
 * in which the panel is opened.
 * Every uPlot draw in the webview notes its time and the last point it drew
 * (window.mllabDraws); the latency of a draw is its time minus the `sent_ms` value of the
 * newest point drawn: from the container writing the line to the point on the chart (one
 * clock: container, extension host and Chromium run on this machine). Goal: under 250 ms.
 * The latency is split into its legs (container -> host post -> message in the webview ->
 * drawn), and a 20 ms timer's lateness shows main-thread stalls of the page. With
 * MLLAB_BENCH_PROFILE=1 it also prints an 8 s CPU profile of the page's main thread (self time
 * by function and by file), which is how the per-point circles were found.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Workbench, docker, sleep, waitFor } from '../test/ui/support/workbench';

const RATE = Number(process.env.MLLAB_BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.MLLAB_BENCH_SECONDS ?? 20);
const IMAGE = process.env.MLLAB_BASE_IMAGE ?? 'mllab-test/python-ml:bookworm';
const NAME = `mllab-bench-panel-${process.pid}`;

// the lines start after DELAY s, so the panel is open before they flow
const DELAY = Number(process.env.MLLAB_BENCH_DELAY ?? 20);
const py = [
  'import sys, time',
  `time.sleep(${DELAY})`,
  't0 = time.time()',
  `for i in range(1, ${RATE * SECONDS} + 1):`,
  `    d = t0 + i / ${RATE} - time.time()`,
  '    if d > 0: time.sleep(d)',
  '    sys.stdout.write("step=%d sent_ms=%.1f\\n" % (i, time.time() * 1000))',
  '    sys.stdout.flush()',
].join('\n');

const profiles = `version: 1
profiles:
  bench-latency:
    image: ${IMAGE}
    run:
      name: ${NAME}
      command: ["python3", "-c", ${JSON.stringify(py)}]
      labels: { org.mllab.bench: "${NAME}" }
`;

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], p: number) => sorted(xs)[Math.min(xs.length - 1, Math.max(0, Math.ceil(xs.length * p) - 1))];

void (async () => {
  const wb = await Workbench.start({
    name: 'bench-panel',
    lab: 'iris-train',
    prepare: (ws) => {
      mkdirSync(join(ws, '.vscode'), { recursive: true });
      writeFileSync(join(ws, '.vscode', 'mllab.yaml'), profiles);
    },
  });
  try {
    await wb.runCommand('ML Lab: Run Profile...');
    await wb.pickQuickInputItem('bench-latency');
    await waitFor(`${NAME} to run`, async () => docker(['inspect', '--format', '{{.State.Running}}', NAME], true) === 'true', 60_000);
    const startedAt = Date.now();
    await wb.runCommand('ML Lab: Open Training Run');
    await wb.pickQuickInputItem(/^bench-latency /);
    if (process.env.MLLAB_BENCH_TERMINAL === '0') await wb.runCommand('Terminal: Kill All Terminals'); // the logs terminal renders in the same page
    const f = await wb.webviewFrame('#app', 60_000);
    const openedAt = Date.now();
    // main-thread stalls: a 20 ms interval timer's lateness, in the workbench page and in the webview
    const lagProbe = `(() => { const w = window; w.mllabLag = []; let t = performance.now(); setInterval(() => { const n = performance.now(); w.mllabLag.push(n - t - 20); t = n; }, 20); })()`;
    await wb.page.evaluate(lagProbe);
    await f.evaluate(lagProbe);
    const profile = process.env.MLLAB_BENCH_PROFILE === '1' ? await wb.page.context().newCDPSession(wb.page) : undefined;
    if (profile) {
      await sleep(Math.max(0, DELAY * 1000 - (Date.now() - startedAt)) + 3000);
      await profile.send('Profiler.enable');
      await profile.send('Profiler.start');
      await sleep(8000);
      const { profile: p } = (await profile.send('Profiler.stop')) as { profile: { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>; samples: number[]; timeDeltas: number[] } };
      const self = new Map<string, number>();
      const byId = new Map(p.nodes.map((n) => [n.id, n]));
      p.samples.forEach((id, i) => {
        const c = byId.get(id)!.callFrame;
        const k = `${c.functionName || '(anon)'} ${c.url.split('/').slice(-2).join('/')}:${c.lineNumber}`;
        self.set(k, (self.get(k) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
      });
      const byFile = new Map<string, number>();
      for (const [k, ms] of self) { const f = k.split(' ')[1]?.split(':')[0] ?? ''; byFile.set(f, (byFile.get(f) ?? 0) + ms); }
      console.log('renderer main-thread profile (8 s), self ms by function:');
      for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${ms.toFixed(0).padStart(6)} ${k}`);
      console.log('by file:');
      for (const [k, ms] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${ms.toFixed(0).padStart(6)} ${k}`);
    }
    await sleep(Math.max(0, DELAY * 1000 - (Date.now() - startedAt)) + Math.max(5, SECONDS - 4) * 1000);
    const draws = (await f.evaluate('window.mllabDraws')) as Array<{ at: number; sentAt?: number; gotAt?: number; ms?: number; last: Record<string, [number, number]> }>;
    const points = Number(await f.locator('section.chart[data-metric="sent_ms"]').getAttribute('data-points'));
    // draws after the first second of the panel: the catch-up of what came before it opened is not live
    const live = draws.filter((d) => d.at > openedAt + 1000 && d.last.sent_ms);
    if (live.length < 2) throw new Error(`too few live draws to measure: ${draws.length} draws in all, the chart has ${points} points; panel opened ${openedAt - startedAt} ms after the run started`);
    const lat = live.map((d) => d.at - d.last.sent_ms[1]);
    const span = live.length > 1 ? (live[live.length - 1].at - live[0].at) / 1000 : 0;
    const gained = live.length > 1 ? live[live.length - 1].last.sent_ms[0] - live[0].last.sent_ms[0] : 0;
    console.log(`Training Run panel at ${RATE.toLocaleString('en-US')} lines/s (code-server 1.139, headless Chromium; logs terminal ${process.env.MLLAB_BENCH_TERMINAL === '0' ? 'closed' : 'open'}; load average ${(await import('node:os')).loadavg()[0].toFixed(1)} on ${(await import('node:os')).cpus().length} cores):`);
    console.log(`  draws measured: ${live.length} over ${span.toFixed(1)} s (${(live.length / Math.max(span, 0.001)).toFixed(1)} draws/s); points drawn per second: ${Math.round(gained / Math.max(span, 0.001)).toLocaleString('en-US')}`);
    console.log(`  line printed -> point on the chart: median ${pct(lat, 0.5).toFixed(0)} ms, p75 ${pct(lat, 0.75).toFixed(0)} ms, p90 ${pct(lat, 0.9).toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms (goal < 250 ms)`);
    const toHost = live.filter((d) => d.sentAt).map((d) => d.sentAt! - d.last.sent_ms[1]);
    const toChart = live.filter((d) => d.sentAt).map((d) => d.at - d.sentAt!);
    console.log(`    of which line printed -> extension host posts it: median ${pct(toHost, 0.5).toFixed(0)} ms, p90 ${pct(toHost, 0.9).toFixed(0)} ms; host post -> drawn: median ${pct(toChart, 0.5).toFixed(0)} ms, p90 ${pct(toChart, 0.9).toFixed(0)} ms`);
    const withGot = live.filter((d) => d.sentAt && d.gotAt);
    if (withGot.length) {
      const post = withGot.map((d) => d.gotAt! - d.sentAt!);
      const wait = withGot.map((d) => d.at - d.gotAt!);
      const ms = withGot.map((d) => d.ms ?? 0);
      console.log(`      host post -> message in the webview: median ${pct(post, 0.5).toFixed(0)} ms, p90 ${pct(post, 0.9).toFixed(0)} ms, max ${Math.max(...post).toFixed(0)} ms; message -> drawn: median ${pct(wait, 0.5).toFixed(0)} ms, p90 ${pct(wait, 0.9).toFixed(0)} ms; one draw takes median ${pct(ms, 0.5).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms`);
    }
    const gaps = live.slice(1).map((d, i) => d.at - live[i].at);
    console.log(`  time between draws: median ${pct(gaps, 0.5).toFixed(0)} ms, p90 ${pct(gaps, 0.9).toFixed(0)} ms, max ${Math.max(...gaps).toFixed(0)} ms`);
    for (const [where, lag] of [['workbench page', (await wb.page.evaluate('window.mllabLag')) as number[]], ['webview', (await f.evaluate('window.mllabLag')) as number[]]] as const) {
      console.log(`  ${where} main thread: timer late by median ${pct(lag, 0.5).toFixed(0)} ms, p90 ${pct(lag, 0.9).toFixed(0)} ms, max ${Math.max(...lag).toFixed(0)} ms; late > 50 ms: ${lag.filter((x) => x > 50).length} of ${lag.length}`);
    }
    console.log(`  chart points when read: ${points.toLocaleString('en-US')}`);
  } finally {
    docker(['rm', '-f', NAME], true);
    await wb.stop();
  }
})().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
