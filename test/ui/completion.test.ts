/**
 * Completion scenario: a person opens a new Dockerfile, types the prefix of the
 * extension's ML training snippet, accepts the suggestion and gets the snippet with its first
 * placeholder selected (typing replaces it).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { workbenchScenario, sleep, waitFor } from './support/workbench';

const prefix = 'ml-train';
const firstLine = /^ARG BASE_IMAGE=/;
// In a folder of its own, so the lab's own Dockerfile stays the only one at the root.
const file = 'scratch/Dockerfile';

const { wb, step } = workbenchScenario({
  name: 'completion', lab: 'flask-app',
  prepare: (ws) => { mkdirSync(join(ws, 'scratch'), { recursive: true }); writeFileSync(join(ws, file), ''); },
});

void test(`completes the '${prefix}' snippet in a new Dockerfile with its first placeholder selected`, { timeout: 120_000 }, () => step(async () => {
  const w = wb();
  const page = w.page;
  await w.openFile(file);
  const editor = w.activeEditor();
  await editor.click();
  await page.keyboard.type(prefix, { delay: 30 });
  // Suggestions open while typing; ask explicitly too in case quick suggestions are slow.
  const suggest = page.locator('.editor-widget.suggest-widget');
  if (!(await suggest.isVisible())) await page.keyboard.press('Control+Space');
  const item = suggest.locator('.monaco-list-row').filter({ hasText: prefix }).first();
  await item.waitFor({ state: 'visible', timeout: 20_000 }).catch(async () => {
    const offered = await suggest.locator('.monaco-list-row').allTextContents().catch(() => []);
    throw new Error(`no '${prefix}' suggestion; offered: ${offered.join(' | ') || 'nothing'}`);
  });
  // Focus the snippet's row, then accept it with Enter.
  await item.click();
  if (await suggest.isVisible()) await page.keyboard.press('Enter');
  await sleep(500);

  const lines = await w.editorLines();
  assert.match(lines[0] ?? '', firstLine, `the first line is the snippet's: ${JSON.stringify(lines.slice(0, 3))}`);
  assert.ok(!lines.some((l) => l.includes(prefix)), 'the typed prefix was replaced by the snippet');
  // The status bar tells a person what is selected: the first placeholder, on line 1.
  const selection = await waitFor('the status bar to show a selection', async () => {
    const t = ((await page.locator('[id="status.editor.selection"]').first().textContent().catch(() => '')) ?? '').trim();
    return /\(\d+ selected\)/.test(t) ? t : undefined;
  }, 10_000);
  const selected = Number(/\((\d+) selected\)/.exec(selection)?.[1]);
  assert.match(selection, /^Ln 1, Col \d+/, `the selection is on line 1: ${selection}`);
  assert.equal(selected, (lines[0] ?? '').length - 'ARG BASE_IMAGE='.length,
    `the whole default after 'ARG BASE_IMAGE=' is selected: ${selection}, line 1 ${JSON.stringify(lines[0])}`);
  await w.screenshot('completion-snippet');

  // The first placeholder is selected: typing replaces exactly it.
  const marker = 'mllab-placeholder-check';
  await page.keyboard.type(marker);
  const after = await waitFor('the typed text to show in the editor', async () => {
    const now = await w.editorLines();
    return now.some((l) => l.includes(marker)) ? now : undefined;
  }, 10_000);
  const i = after.findIndex((l) => l.includes(marker));
  assert.equal(i, 0, `the first placeholder is on the snippet's first line: ${JSON.stringify(after.slice(0, 3))}`);
  const [head, tail] = after[i].split(marker);
  const original = lines[i] ?? '';
  assert.ok(original.startsWith(head) && original.endsWith(tail) && original.length > head.length + tail.length,
    `the marker replaced a non-empty placeholder on line ${i + 1}: before ${JSON.stringify(original)}, after ${JSON.stringify(after[i])}`);
  assert.equal(after.filter((l) => l.includes(marker)).length, 1, 'only one placeholder (or its mirrors on one line) changed');
  // Close the word suggestions the typing opened, so the screenshot shows the text.
  for (let i = 0; i < 3 && await suggest.isVisible(); i++) {
    await page.keyboard.press('Escape');
    await sleep(300);
  }
  await w.screenshot('completion-placeholder-replaced');
}));
