/**
 * Keystroke to suggest widget, in the real workbench (`npm run bench -- languageDom`): the
 * packaged .vsix in code-server + headless Chromium. In a Dockerfile, types the last character
 * of a completion trigger (`RUN --mo` + `u`, `COPY --from` + `=`, `FROM ` after `FROM`) and a
 * poller in the page times from the key event to the suggest widget showing a row. Prints
 * median and p95 with the load average; asserts nothing.
 */
import { loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, Workbench } from '../test/ui/support/workbench';

const RUNS = Number(process.env.MLLAB_BENCH_RUNS ?? 15);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], p: number) => sorted(xs)[Math.min(xs.length - 1, Math.ceil(xs.length * p) - 1)];

async function main(): Promise<void> {
  console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(', ')}`);
  const wb = await Workbench.start({
    name: 'bench-language-dom', lab: 'iris-train', userSettings: { 'editor.wordBasedSuggestions': 'off' },
    prepare: (ws) => { mkdirSync(join(ws, 'edit'), { recursive: true }); writeFileSync(join(ws, 'edit', 'bench.Dockerfile'), 'FROM python:3.12-slim AS build\nFROM build\n'); },
  });
  try {
    await wb.openFile('edit/bench.Dockerfile');
    await wb.activeEditor().click();
    const times: Record<string, number[]> = {};
    for (const [prefix, last] of [['RUN --mo', 'u'], ['COPY --from', '='], ['FROM', ' ']] as const) {
      times[prefix + last] = [];
      for (let i = 0; i < RUNS; i++) {
        await wb.page.keyboard.press('ControlOrMeta+End');
        await wb.page.keyboard.type(prefix, { delay: 20 });
        await sleep(400);
        await wb.page.keyboard.press('Escape');
        // The poller starts at the key event (in the page, so no round trip is counted).
        const timing = wb.page.evaluate(`new Promise((resolve) => {
          let t0 = 0;
          document.addEventListener('keydown', () => { t0 = performance.now(); }, { capture: true, once: true });
          const poll = () => {
            const w = document.querySelector('.editor-widget.suggest-widget.visible .monaco-list-row');
            if (t0 && w) resolve(performance.now() - t0);
            else if (t0 && performance.now() - t0 > 10000) resolve(-1);
            else requestAnimationFrame(poll);
          };
          requestAnimationFrame(poll);
        })`) as Promise<number>;
        await sleep(100);
        await wb.page.keyboard.type(last);
        const ms = await timing;
        if (ms >= 0) times[prefix + last].push(ms);
        await wb.page.keyboard.press('Escape');
        // Remove the typed line.
        await wb.page.keyboard.press('Home');
        await wb.page.keyboard.press('Shift+End');
        await wb.page.keyboard.press('Delete');
        await sleep(200);
      }
    }
    for (const [k, xs] of Object.entries(times)) {
      console.log(`keystroke '${k.slice(-1)}' after '${k.slice(0, -1)}' -> suggest widget: ${xs.length ? `median ${pct(xs, 0.5).toFixed(0)} ms, p95 ${pct(xs, 0.95).toFixed(0)} ms (n=${xs.length})` : 'never shown'}`);
    }
  } finally {
    await wb.stop();
    console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(', ')}`);
  }
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
