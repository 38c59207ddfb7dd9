/**
 * Quick-fix scenario: a person types a Dockerfile with a shell-form CMD, sees the lab
 * guidance warning (ML006) on it, opens the quick-fix menu (Ctrl+.) on that line, applies
 * "Rewrite as CMD [...]" and reads the corrected line.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Workbench, workbenchScenario, sleep, waitFor } from './support/workbench';

// In a folder of its own, so the lab's own Dockerfile stays the only one at the root.
const file = 'quickfix/Dockerfile';
const typed = ['FROM python:3.12-slim', 'CMD python app.py'];
const fixed = 'CMD ["python", "app.py"]';
const fixTitle = `Rewrite as ${fixed}`; // ML006's fix title: `Rewrite as ${keyword} ${exec form}`

const { wb, step } = workbenchScenario({
  name: 'quickfix', lab: 'flask-app',
  prepare: (ws) => { mkdirSync(join(ws, 'quickfix'), { recursive: true }); writeFileSync(join(ws, file), ''); },
});

/** The vertical position of each rendered line with a warning squiggle, as line texts. */
async function warnedLines(w: Workbench): Promise<string[]> {
  return w.activeEditor().evaluate((node) => {
    type El = { textContent: string | null; style: { top: string }; parentElement: El | null; querySelectorAll(s: string): ArrayLike<El> };
    const root = node as unknown as El;
    const tops = new Set(Array.from(root.querySelectorAll('.view-overlays .squiggly-warning')).map((s) => s.parentElement?.style.top ?? ''));
    return Array.from(root.querySelectorAll('.view-lines > .view-line'))
      .filter((l) => tops.has(l.style.top))
      .map((l) => (l.textContent ?? '').replace(/\u00a0/g, ' '));
  });
}

void test('applies the ML006 quick fix on a shell-form CMD and the line becomes the exec form', { timeout: 120_000 }, () => step(async () => {
  const w = wb();
  const page = w.page;
  await w.openFile(file);
  const editor = w.activeEditor();
  await editor.click();
  for (const [i, line] of typed.entries()) {
    await page.keyboard.type(line, { delay: 20 });
    await sleep(300);
    await page.keyboard.press('Escape'); // close word suggestions, so Enter is a new line
    if (i < typed.length - 1) await page.keyboard.press('Enter');
  }
  assert.deepEqual((await w.editorLines()).slice(0, 2), typed, 'the editor shows what was typed');

  // The warning: a squiggle under the CMD line, and an entry in the Problems view.
  await waitFor('a warning squiggle on the CMD line', async () => (await warnedLines(w)).includes(typed[1]), 30_000)
    .catch(async (e: unknown) => { throw new Error(`${String(e)}; squiggles on: ${JSON.stringify(await warnedLines(w))}`); });
  await page.keyboard.press('ControlOrMeta+Shift+M');
  const problem = await waitFor('the Problems view to list ML006', async () => {
    const rows = await page.locator('.markers-panel .monaco-list-row').allTextContents();
    return rows.find((r) => /ML006/.test(r));
  }, 20_000).catch(async (e: unknown) => {
    throw new Error(`${String(e)}; the Problems view lists: ${(await page.locator('.markers-panel .monaco-list-row').allTextContents()).join(' | ')}`);
  });
  assert.match(problem, /CMD in shell form/, `the problem explains itself: ${problem}`);
  assert.match(problem, /ML Container Lab/, `the problem's source is the extension: ${problem}`);
  await w.screenshot('quickfix-warning');

  // Cursor on the CMD line, then Ctrl+. and the fix.
  await editor.locator('.view-line', { hasText: typed[1] }).first().click();
  const offered = await w.applyQuickFix(fixTitle);
  assert.ok(offered.includes('Ignore ML006 here'), `the menu also offers to ignore the rule: ${offered.join(' | ')}`);

  const lines = await waitFor('the CMD line to be rewritten', async () => {
    const now = await w.editorLines();
    return now[1] === fixed ? now : undefined;
  }, 10_000).catch(async (e: unknown) => { throw new Error(`${String(e)}; the editor shows: ${JSON.stringify(await w.editorLines())}`); });
  assert.equal(lines[0], typed[0], 'the FROM line is unchanged');
  assert.equal(lines[1], fixed);
  await waitFor('the squiggle on the CMD line to go away', async () => !(await warnedLines(w)).some((l) => l.startsWith('CMD')), 15_000);
  await waitFor('the Problems view to drop ML006', async () =>
    !(await page.locator('.markers-panel .monaco-list-row').allTextContents()).some((r) => /ML006/.test(r)), 15_000);
  await w.screenshot('quickfix-applied');
}));
