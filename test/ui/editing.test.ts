/**
 * Editing help in a real workbench (code-server + Chromium): a person types in Dockerfiles and
 * a compose file and gets the language service's completion, hover, definition and formatting,
 * and the ML-aware completion from the engine and a real local registry.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Workbench, cleanupDocker, docker, runId, sleep, waitFor } from './support/workbench';
import { startLocalRegistry, type LocalRegistry } from '../support/localRegistry';

const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const FILES: Record<string, string> = {
  'edit/run.Dockerfile': `FROM ${TINY}\n`,
  'edit/copy.Dockerfile': `FROM ${TINY} AS build\nRUN echo built > /out\nFROM ${TINY}\n`,
  'edit/hover.Dockerfile': `FROM ${TINY}\nHEALTHCHECK CMD true\n`,
  'edit/stages.Dockerfile': `FROM ${TINY} AS builder\nRUN echo hi\nFROM builder\n`,
  'edit/format.Dockerfile': `FROM ${TINY}\n      RUN echo hi\n`,
  'edit/from.Dockerfile': '',
  'edit/tags.Dockerfile': '',
  'edit/compose.yaml': 'services:\n  web:\n    image: web:1\n    depends_on:\n      - \n  db:\n    image: postgres:16\n  cache:\n    image: redis:7\n',
};

let wb: Workbench | undefined;
let registry: LocalRegistry | undefined;
let repository = '';
let failed = false;
const pushed: string[] = [];

before(async () => {
  registry = await startLocalRegistry(`ui-editing-${process.pid}`);
  repository = `${registry.host}/lab/model`;
  for (const t of [`v1-${runId}`, `v2-${runId}`]) {
    const ref = `${repository}:${t}`;
    docker(['tag', TINY, ref]);
    pushed.push(ref);
    docker(['push', ref]);
  }
  wb = await Workbench.start({
    name: 'editing', lab: 'iris-train',
    // Word suggestions would mix into the lists under test.
    userSettings: { 'editor.wordBasedSuggestions': 'off' },
    prepare: (ws) => {
      for (const [f, text] of Object.entries(FILES)) {
        mkdirSync(join(ws, 'edit'), { recursive: true });
        writeFileSync(join(ws, f), text);
      }
    },
  });
});

after(async () => {
  if (wb) {
    if (failed) await wb.saveFailure();
    await wb.stop();
  }
  cleanupDocker({ images: pushed });
  await registry?.stop();
});

async function step<T>(fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (e) { failed = true; throw e; }
}

/**
 * Opens a workspace file through Quick Open, accepting the first result with Enter (a click can
 * land while the list re-renders on a busy machine); tries three times.
 */
async function open(file: string): Promise<void> {
  const page = wb!.page;
  const base = file.split('/').pop()!;
  const tab = page.locator(`.tabs-container .tab[aria-label^="${base}"]`).first();
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('Escape');
      await page.keyboard.press('ControlOrMeta+P');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill(file);
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: base }).first().waitFor({ timeout: 20_000 });
      await sleep(300);
      await page.keyboard.press('Enter');
      await tab.waitFor({ timeout: 15_000 });
      await wb!.activeEditor().waitFor({ timeout: 15_000 });
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

/** Opens a file, puts the cursor at its end and types `text` there. */
async function typeAtEnd(file: string, text: string): Promise<void> {
  const w = wb!;
  await open(file);
  await w.activeEditor().click();
  await w.page.keyboard.press('ControlOrMeta+End');
  if (text) await w.page.keyboard.type(text, { delay: 40 });
}

/** The suggest widget's row labels once one matches `want` (asks with Ctrl+Space when typing did not open it). */
async function suggestionsWith(want: string | RegExp, timeoutMs = 20_000): Promise<string[]> {
  const page = wb!.page;
  const widget = page.locator('.editor-widget.suggest-widget');
  await sleep(800);
  if (!(await widget.isVisible())) await page.keyboard.press('Control+Space');
  const rows = widget.locator('.monaco-list-row');
  return waitFor(`a suggestion ${String(want)}`, async () => {
    const labels = (await rows.locator('.label-name').allTextContents().catch(() => [])).map((l) => l.trim());
    return labels.some((l) => (typeof want === 'string' ? l === want : want.test(l))) ? labels : undefined;
  }, timeoutMs).catch(async (e: unknown) => {
    const offered = await rows.allTextContents().catch(() => []);
    throw new Error(`${String(e)}; offered: ${offered.join(' | ') || 'nothing'}`);
  });
}

async function closeSuggestions(): Promise<void> {
  for (let i = 0; i < 3 && await wb!.page.locator('.editor-widget.suggest-widget').isVisible(); i++) await wb!.page.keyboard.press('Escape');
}

void test('typing RUN --mo offers --mount', { timeout: 120_000 }, () => step(async () => {
  await typeAtEnd('edit/run.Dockerfile', 'RUN --mo');
  const labels = await suggestionsWith('--mount');
  assert.ok(labels.includes('--mount'), labels.join(','));
  await wb!.screenshot('editing-run-mount');
  await closeSuggestions();
}));

void test("COPY --from= offers the file's stages", { timeout: 120_000 }, () => step(async () => {
  await typeAtEnd('edit/copy.Dockerfile', 'COPY --from=');
  const labels = await suggestionsWith('build');
  assert.ok(labels.includes('build'), labels.join(','));
  await closeSuggestions();
}));

void test('hovering HEALTHCHECK shows its documentation', { timeout: 120_000 }, () => step(async () => {
  const w = wb!;
  await open('edit/hover.Dockerfile');
  const word = w.activeEditor().locator('.view-line span', { hasText: 'HEALTHCHECK' }).first();
  await word.hover();
  const hover = w.page.locator('.monaco-hover:visible');
  const text = await waitFor('the hover to show HEALTHCHECK documentation', async () => {
    const t = (await hover.first().textContent().catch(() => '')) ?? '';
    if (/test the container/i.test(t)) return t;
    await word.hover({ position: { x: 10, y: 5 } });
    return undefined;
  }, 20_000);
  assert.match(text, /check that it is still working/i);
  await w.screenshot('editing-hover-healthcheck');
  await w.page.mouse.move(0, 0);
}));

void test('Go to Definition on a stage name jumps to its FROM', { timeout: 120_000 }, () => step(async () => {
  const w = wb!;
  await typeAtEnd('edit/stages.Dockerfile', '');
  // The cursor on "builder" of the last FROM (the end is an empty line after it).
  await w.page.keyboard.press('ArrowUp');
  await w.page.keyboard.press('End');
  await w.page.keyboard.press('ArrowLeft');
  await w.page.keyboard.press('F12');
  const at = await waitFor('the cursor to move to line 1', async () => {
    const t = ((await w.page.locator('[id="status.editor.selection"]').first().textContent().catch(() => '')) ?? '').trim();
    return /^Ln 1, Col \d+/.test(t) ? t : undefined;
  }, 20_000);
  const col = Number(/Col (\d+)/.exec(at)?.[1]);
  const line1 = `FROM ${TINY} AS builder`;
  assert.ok(col > line1.indexOf('builder') && col <= line1.length + 1, `on the stage name of line 1: ${at}`);
}));

void test('Format Document fixes the indentation', { timeout: 120_000 }, () => step(async () => {
  const w = wb!;
  await open('edit/format.Dockerfile');
  await w.activeEditor().click();
  // editor.action.formatDocument's key binding on Linux; the palette when a busy machine drops it.
  await w.page.keyboard.press('Control+Shift+I');
  await sleep(3000);
  if (!(await w.editorLines()).includes('RUN echo hi')) await w.runCommand('Format Document');
  const lines = await waitFor('the RUN line to lose its indentation', async () => {
    const l = await w.editorLines();
    return l.includes('RUN echo hi') ? l : undefined;
  }, 20_000);
  assert.equal(lines[1], 'RUN echo hi');
}));

void test('FROM offers an image present on the engine', { timeout: 120_000 }, () => step(async () => {
  await typeAtEnd('edit/from.Dockerfile', 'FROM mllab-test/bu');
  const labels = await suggestionsWith(TINY);
  assert.ok(labels.includes(TINY), labels.join(','));
  await wb!.screenshot('editing-from-engine-image');
  await closeSuggestions();
}));

void test("FROM <local registry>/lab/model: offers the repository's tags", { timeout: 120_000 }, () => step(async () => {
  await typeAtEnd('edit/tags.Dockerfile', `FROM ${repository}:`);
  const labels = await suggestionsWith(`v2-${runId}`);
  assert.ok(labels.includes(`v1-${runId}`) && labels.includes(`v2-${runId}`), labels.join(','));
  await wb!.screenshot('editing-from-registry-tags');
  await closeSuggestions();
}));

void test("a compose file's depends_on completion offers its services", { timeout: 120_000 }, () => step(async () => {
  const w = wb!;
  await open('edit/compose.yaml');
  await w.activeEditor().click();
  // The cursor after "      - " on line 5.
  await w.page.keyboard.press('ControlOrMeta+Home');
  for (let i = 0; i < 4; i++) await w.page.keyboard.press('ArrowDown');
  await w.page.keyboard.press('End');
  const labels = await suggestionsWith('db');
  assert.ok(labels.includes('db') && labels.includes('cache'), labels.join(','));
  assert.ok(!labels.includes('web'), `a service does not depend on itself: ${labels.join(',')}`);
  await w.screenshot('editing-compose-depends-on');
  await closeSuggestions();
}));
