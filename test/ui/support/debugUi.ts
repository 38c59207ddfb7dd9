/**
 * The workbench's debugger as a person uses it: breakpoints from the editor, the debug toolbar's
 * actions through the palette, and what the Call Stack and Variables views show (read from
 * the DOM of the Run and Debug side bar).
 */
import { waitFor, type Workbench } from './workbench';

export interface PausedAt {
  /** file name of the top stack frame, e.g. train.py */
  file: string;
  /** 1-based line of the top stack frame */
  line: number;
}

export function debugUi(w: Workbench) {
  const page = w.page;
  const topFrame = async (): Promise<PausedAt | undefined> => {
    const frame = page.locator('.debug-call-stack .monaco-list-row .stack-frame').first();
    if (!(await frame.count())) return undefined;
    const file = ((await frame.locator('.file-name').first().textContent().catch(() => '')) ?? '').trim();
    const lineText = ((await frame.locator('.line-number').first().textContent().catch(() => '')) ?? '').trim();
    const line = Number.parseInt(lineText, 10);
    return file && Number.isFinite(line) ? { file, line } : undefined;
  };
  return {
    /** Puts the cursor on `line` of the active editor and toggles a breakpoint there (`on`: whether one is expected after). */
    async toggleBreakpoint(line: number, on = true): Promise<void> {
      await w.runCommand('Go to Line/Column...');
      const input = w.quickInputBox();
      await input.fill(`:${line}`);
      await page.keyboard.press('Enter');
      await w.runCommand('Debug: Toggle Breakpoint');
      await waitFor(`${on ? 'a' : 'no'} breakpoint glyph on line ${line}`, async () => ((await page.locator('.monaco-editor .codicon-debug-breakpoint').count()) > 0) === on, 10_000);
    },
    /** Waits until the Call Stack view shows a paused top frame (and `ok` accepts it). */
    async waitForPause(timeoutMs: number, ok: (p: PausedAt) => boolean = () => true): Promise<PausedAt> {
      return waitFor('the debugger to pause (Call Stack view)', async () => {
        const p = await topFrame();
        return p && ok(p) ? p : undefined;
      }, timeoutMs, 100);
    },
    /** The Variables view's visible rows: name -> value as shown. */
    async variables(): Promise<Map<string, string>> {
      const rows = page.locator('.debug-variables .monaco-list-row');
      // the first scope (Locals) is not always expanded by itself
      const locals = rows.filter({ hasText: /^Locals$/ }).first();
      await locals.waitFor({ timeout: 15_000 });
      if ((await locals.getAttribute('aria-expanded')) === 'false') await locals.click();
      await waitFor('the Variables view to list variables', async () => (await page.locator('.debug-variables .monaco-list-row .expression .name').count()) > 0, 15_000);
      const out = new Map<string, string>();
      for (const r of await rows.all()) {
        const n = ((await r.locator('.expression .name').first().textContent().catch(() => null)) ?? '').trim().replace(/\s*[:=]$/, '');
        // the value may carry its separator (`= 1`), depending on the VS Code version
        const v = ((await r.locator('.expression .value').first().textContent().catch(() => null)) ?? '').trim().replace(/^[:=]\s*/, '');
        if (n) out.set(n, v);
      }
      return out;
    },
    stepOver: () => w.runCommand('Debug: Step Over'),
    continue: () => w.runCommand('Debug: Continue'),
    /** The toolbar's stop action: Disconnect, as VS Code attaches to debugpy (ML Lab stops the container). */
    stop: () => w.runCommand('Debug: Disconnect'),
    /** Whether a debug session runs (the debug toolbar is shown). */
    async sessionActive(): Promise<boolean> {
      return page.locator('.debug-toolbar').first().isVisible().catch(() => false);
    },
  };
}
