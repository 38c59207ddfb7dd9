/**
 * Drives a real VS Code workbench (code-server in headless Chromium) for the UI tests, the way a
 * person does: the activity bar, the command palette (F1), quick inputs, tree rows, context
 * menus, dialogs and the notification center.
 *
 * The extension under test is the packaged `dist/ml-container-lab.vsix` (what users install),
 * installed into a throw-away code-server with `--install-extension`. The server runs without
 * the smoke-test driver, so toasts are shown as for a person; readNotifications() reads the
 * notification center, which holds toasts too.
 *
 * A scenario:
 *   const wb = await Workbench.start({ name: 'palette', lab: 'flask-app' });
 *   try { await wb.runCommand('ML Lab: Build Image...'); ... } catch (e) { await wb.saveFailure(); throw e; } finally { await wb.stop(); }
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, cpSync, readdirSync, readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before } from 'node:test';
import type { BrowserContext, Frame, Locator, Page } from 'playwright-core';

/** The repo root: the nearest folder above this file with a package.json (works from test/ and out/test/). */
export const repoRoot = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'scripts', 'lib', 'codeServer.mjs'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
})();

export const resultsDir = join(repoRoot, 'test-results', 'ui');
/** Where the labs are (MLLAB_UI_LABS_DIR overrides, for trying scenarios against other labs). */
export const labsDir = process.env.MLLAB_UI_LABS_DIR ?? join(repoRoot, 'test', 'fixtures', 'labs');
/** The packaged extension (MLLAB_VSIX overrides). */
export const vsixPath = process.env.MLLAB_VSIX ?? join(repoRoot, 'dist', 'ml-container-lab.vsix');
/** Label on every container the UI tests make (through the extension's mlLab.run.labels or by hand). */
export const testLabel = { key: 'org.mllab.test', value: 'ui' };

/** The part of scripts/lib/codeServer.mjs used here (plain ESM JS, loaded at run time). */
interface CodeServerLib {
  startCodeServer(o: {
    runDir: string; smokeTestDriver?: boolean; installExtensions?: string[];
    userSettings?: Record<string, unknown>; env?: Record<string, string>; wrap?: string[]; log?: (l: string) => void;
  }): Promise<{ url: string; logFile: string; userDataDir: string; stop(): Promise<void> }>;
  launchChromium(o: { profileDir: string }): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }>;
  copyWorkspace(src: string, dest: string, settings?: Record<string, unknown>): string;
  testWorkspaceSettings(labelValue?: string): Record<string, unknown>;
}

async function codeServerLib(): Promise<CodeServerLib> {
  // A real dynamic import (esbuild keeps it when not bundling): the library is ESM.
  return (await import(pathToFileURL(join(repoRoot, 'scripts', 'lib', 'codeServer.mjs')).href)) as CodeServerLib;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls fn until it returns a truthy value; throws `what` after timeoutMs. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { lastError = e; }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await sleep(everyMs);
  }
}

/** Runs the docker CLI; returns stdout. Throws with stderr on failure unless allowFail. */
export function docker(args: string[], allowFail = false): string {
  const r = spawnSync('docker', args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0 && !allowFail) throw new Error(`docker ${args.join(' ')} failed (exit ${r.status}): ${r.stderr}`);
  return (r.stdout ?? '').trim();
}

/** A short id that makes the names and tags of one test run unique. */
export const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/**
 * Interrupted (SIGINT, SIGTERM: Ctrl-C, the runner's timeout), a UI test's `after` does not
 * run: remove what this run made, found by the run id in its name (containers, volumes and
 * networks also carry the UI test label) or in its image tag, then exit (the code-server
 * process group is killed on exit by scripts/lib/codeServer.mjs).
 */
function sweepThisRun(): void {
  const lines = (args: string[]) => docker(args, true).split('\n').filter(Boolean);
  const label = ['--filter', `label=${testLabel.key}=${testLabel.value}`];
  const containers = lines(['ps', '-a', ...label, '--format', '{{.ID}} {{.Names}}']).filter((l) => l.includes(runId)).map((l) => l.split(' ')[0]);
  if (containers.length) docker(['rm', '-f', ...containers], true);
  const tags = lines(['images', '--format', '{{.Repository}}:{{.Tag}}']).filter((t) => t.includes(runId));
  if (tags.length) docker(['rmi', ...tags], true);
  const volumes = lines(['volume', 'ls', '-q', ...label]).filter((v) => v.includes(runId));
  if (volumes.length) docker(['volume', 'rm', ...volumes], true);
  const networks = lines(['network', 'ls', ...label, '--format', '{{.Name}}']).filter((n) => n.includes(runId));
  if (networks.length) docker(['network', 'rm', ...networks], true);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    sweepThisRun();
    if (process.listenerCount(signal) === 1) process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

export interface StartOptions {
  /** scenario name: names the run folder and the screenshots */
  name: string;
  /** lab under test/fixtures/labs to copy as the workspace */
  lab: string;
  /** extra workspace settings (merged over the test ones) */
  workspaceSettings?: Record<string, unknown>;
  /** prepare the workspace copy before the workbench opens it */
  prepare?: (workspace: string) => void;
  /** extra user settings (merged over the quiet defaults of scripts/lib/codeServer.mjs) */
  userSettings?: Record<string, unknown>;
  /** extra environment for code-server and its extension host (e.g. DOCKER_CONFIG) */
  env?: Record<string, string>;
  /** a command that runs code-server (scripts/lib/codeServer.mjs `wrap`), e.g. setpriv with fewer capabilities */
  wrap?: string[];
}

export class Workbench {
  private consoleLines: string[] = [];

  private constructor(
    readonly name: string,
    readonly page: Page,
    readonly workspace: string,
    private readonly runDir: string,
    private readonly server: { url: string; logFile: string; userDataDir: string; stop(): Promise<void> },
    private readonly browser: { close(): Promise<void> },
  ) {
    page.on('console', (m) => this.consoleLines.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => this.consoleLines.push(`[pageerror] ${e.stack ?? String(e)}`));
  }

  /** Starts code-server with the packaged extension, opens a copy of the lab, waits for the activity-bar item. */
  static async start(o: StartOptions): Promise<Workbench> {
    if (!existsSync(vsixPath)) throw new Error(`${vsixPath} is missing: run 'npm run package' first`);
    const lib = await codeServerLib();
    const runDir = mkdtempSync(join(tmpdir(), `mllab-ui-${o.name}-`));
    const workspace = join(runDir, 'workspace', o.lab);
    mkdirSync(dirname(workspace), { recursive: true });
    lib.copyWorkspace(join(labsDir, o.lab), workspace,
      { ...lib.testWorkspaceSettings(testLabel.value), ...(o.workspaceSettings ?? {}) });
    o.prepare?.(workspace);
    const server = await lib.startCodeServer({
      runDir, installExtensions: [vsixPath], userSettings: o.userSettings, env: o.env, wrap: o.wrap,
      log: (l) => console.log(`[code-server] ${l}`),
    });
    let browser: Awaited<ReturnType<CodeServerLib['launchChromium']>> | undefined;
    try {
      browser = await lib.launchChromium({ profileDir: join(runDir, 'chromium') });
      const wb = new Workbench(o.name, browser.page, workspace, runDir, server, browser);
      await browser.page.goto(`${server.url}?folder=${encodeURIComponent(workspace)}`);
      await wb.waitForWorkbench();
      await wb.widenSidebar(720);
      return wb;
    } catch (e) {
      if (browser) {
        mkdirSync(resultsDir, { recursive: true });
        await browser.page.screenshot({ path: join(resultsDir, `${o.name}-start-failure.png`) }).catch(() => undefined);
        await browser.close();
      }
      await server.stop();
      throw e;
    }
  }

  /** The workbench is up and the extension's activity-bar item is there (its commands are registered by then). */
  async waitForWorkbench(timeoutMs = 90_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: timeoutMs });
    await this.activityBarItem().waitFor({ timeout: timeoutMs });
  }

  /** Drags the side bar's edge so rows and their descriptions are readable in screenshots. */
  async widenSidebar(widthPx: number): Promise<void> {
    const box = await this.page.locator('.part.sidebar').boundingBox().catch(() => null);
    if (!box || box.width >= widthPx) return;
    const y = box.y + box.height / 2;
    const edge = box.x + box.width + 2; // the sash straddles the border
    await this.page.mouse.move(edge, y);
    await this.page.mouse.down();
    await this.page.mouse.move(edge + (widthPx - box.width) / 2, y, { steps: 5 });
    await this.page.mouse.move(box.x + widthPx, y, { steps: 5 });
    await this.page.mouse.up();
    await this.page.mouse.move(box.x + widthPx + 300, y); // no hover left on a row
  }

  activityBarItem(title = 'ML Container Lab'): Locator {
    // The tab's own aria-label is empty in 1.139; its link carries the title.
    return this.page.locator(`.part.activitybar li.action-item:has(> a.action-label[aria-label^="${title}"])`).first();
  }

  /** Opens the extension's side bar (clicks the activity-bar item unless it is already selected). */
  async openSidebar(title = 'ML Container Lab'): Promise<void> {
    const item = this.activityBarItem(title);
    if ((await item.getAttribute('aria-selected')) !== 'true') await item.click();
    await waitFor(`the ${title} side bar to open`, async () => (await item.getAttribute('aria-selected')) === 'true', 15_000);
  }

  /** F1, type the command's title, run it. */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.quickInputBox();
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(`>${title}`);
    const paletteState = await this.quickInputState();
    const row = this.quickInputRows().filter({ hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 }).catch(() => {
      throw new Error(`the command palette lists no command '${title}'`);
    });
    // The exact title, not a longer one that merely contains it.
    const rows = await this.quickInputRows().all();
    for (const r of rows) {
      const label = (await r.getAttribute('aria-label')) ?? '';
      if (label === title || label.startsWith(`${title},`) || label.startsWith(`${title} `)) {
        await r.click();
        await this.quickInputChanged(paletteState);
        return;
      }
    }
    await row.click();
    await this.quickInputChanged(paletteState);
  }

  /** What identifies the quick input on screen now ('' when none is shown). */
  private async quickInputState(): Promise<string> {
    if (!(await this.quickInputBox().isVisible().catch(() => false))) return '';
    const w = this.quickInputWidget();
    const parts = await Promise.all([
      w.locator('.quick-input-title').first().textContent().catch(() => ''),
      w.locator('.quick-input-message').first().textContent().catch(() => ''),
      this.quickInputBox().getAttribute('placeholder').catch(() => ''),
      this.quickInputBox().getAttribute('aria-label').catch(() => ''),
    ]);
    return parts.map((x) => x ?? '').join('|') || 'shown';
  }

  /** After answering: waits until that quick input is gone or replaced by the next prompt. */
  private async quickInputChanged(before: string, timeoutMs = 10_000): Promise<void> {
    await waitFor('the quick input to move on', async () => (await this.quickInputState()) !== before, timeoutMs, 100).catch(() => undefined);
  }

  /** Waits for a quick input; on timeout the error carries the notifications (a failing command shows one). */
  private async expectQuickInput(timeoutMs: number): Promise<void> {
    try {
      await this.quickInputBox().waitFor({ state: 'visible', timeout: timeoutMs });
    } catch {
      const notes = await this.readNotifications().catch(() => []);
      throw new Error(`no quick input appeared within ${timeoutMs / 1000} s; notifications: ${notes.length ? notes.join(' | ') : 'none'}`);
    }
  }

  quickInputWidget(): Locator { return this.page.locator('.quick-input-widget'); }
  quickInputBox(): Locator { return this.page.locator('.quick-input-widget .quick-input-box input'); }
  quickInputRows(): Locator { return this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row'); }

  /** Waits for a quick input and returns what it shows: its title/prompt, value, and item labels (empty for an input box). */
  async readQuickInput(timeoutMs = 30_000): Promise<{ title: string; message: string; value: string; placeholder: string; items: string[] }> {
    await this.expectQuickInput(timeoutMs);
    await sleep(300); // the list renders in the next frame
    const w = this.quickInputWidget();
    const text = async (sel: string) => (await w.locator(sel).first().textContent().catch(() => '')) ?? '';
    const items: string[] = [];
    for (const r of await this.quickInputRows().all()) {
      if (await r.isVisible()) items.push((await r.locator('.label-name').first().textContent().catch(() => null)) ?? (await r.getAttribute('aria-label')) ?? '');
    }
    return {
      title: await text('.quick-input-title'),
      message: await text('.quick-input-message'),
      value: await this.quickInputBox().inputValue(),
      placeholder: (await this.quickInputBox().getAttribute('placeholder')) ?? '',
      items,
    };
  }

  /** Answers an input box: replaces its value (select all + type) and presses Enter. '' accepts it empty. */
  async answerQuickInput(text: string): Promise<void> {
    const input = this.quickInputBox();
    await this.expectQuickInput(30_000);
    const before = await this.quickInputState();
    await input.click();
    await this.page.keyboard.press('ControlOrMeta+A');
    if (text) await this.page.keyboard.type(text, { delay: 10 });
    else await this.page.keyboard.press('Delete');
    await this.page.keyboard.press('Enter');
    await this.quickInputChanged(before);
  }

  /**
   * Answers "Run Container..."'s prompts by what each asks: port bindings, volume mounts and,
   * when given, environment get these answers; any other prompt the run flow grows (GPUs, shared
   * memory, an environment not answered here) is accepted as offered, as a hurried person would.
   * The command, container name and run mode are answered when given (`mode` is the label of
   * the item to pick, e.g. 'Interactive'), else accepted as offered.
   * @returns what was asked, in order: 'ports', 'volumes', 'env', 'command', 'name',
   *   'mode: <first item offered>', 'pick: <title>', 'input: <title>'
   */
  async answerRunPrompts(answers: { ports: string; mounts: string; env?: string; command?: string; name?: string; mode?: string }): Promise<string[]> {
    const asked: string[] = [];
    for (let i = 0; i < 10; i++) {
      const prompt = await this.readQuickInput(i === 0 ? 30_000 : 5_000).catch(() => undefined);
      if (!prompt) break;
      const text = `${prompt.title} ${prompt.message} ${prompt.placeholder}`;
      // These steps are told apart by their titles first: their prompts quote the image's command,
      // which may well say --port or --volume.
      if (/command and arguments/i.test(prompt.title)) {
        asked.push('command');
        await this.answerQuickInput(answers.command ?? prompt.value);
      } else if (/container name/i.test(prompt.title)) {
        asked.push('name');
        await this.answerQuickInput(answers.name ?? prompt.value);
      } else if (/detached or interactive/i.test(prompt.title)) {
        asked.push(`mode: ${prompt.items[0] ?? ''}`);
        if (answers.mode !== undefined) await this.pickQuickInputItem(answers.mode);
        else await this.page.keyboard.press('Enter');
      } else if (/port/i.test(text)) {
        asked.push('ports');
        await this.answerQuickInput(answers.ports);
      } else if (/volume|mount/i.test(text)) {
        asked.push('volumes');
        await this.answerQuickInput(answers.mounts);
      } else if (answers.env !== undefined && /environment/i.test(text)) {
        asked.push('env');
        await this.answerQuickInput(answers.env);
      } else if (prompt.items.length) {
        asked.push(`pick: ${prompt.title}`);
        await this.page.keyboard.press('Enter');
      } else {
        asked.push(`input: ${prompt.title}`);
        await this.answerQuickInput(prompt.value);
      }
    }
    return asked;
  }

  /** Picks the quick-pick item whose label is `label` (typed to filter, then clicked). */
  async pickQuickInputItem(label: string | RegExp, timeoutMs = 30_000): Promise<void> {
    const input = this.quickInputBox();
    await this.expectQuickInput(timeoutMs);
    const before = await this.quickInputState();
    if (typeof label === 'string') await input.fill(label);
    const row = await waitFor(`a quick-pick item '${String(label)}'`, async () => {
      for (const r of await this.quickInputRows().all()) {
        const text = (await r.locator('.label-name').first().textContent().catch(() => null)) ?? '';
        if (typeof label === 'string' ? text.trim() === label : label.test(text)) return r;
      }
      return undefined;
    }, timeoutMs);
    await row.click();
    await this.quickInputChanged(before);
  }

  /** The view pane (e.g. 'Containers'), expanded if it was collapsed. */
  async view(viewName: string): Promise<Locator> {
    await this.openSidebar();
    const pane = this.page.locator('.part.sidebar .pane')
      .filter({ has: this.page.locator('.pane-header h3.title', { hasText: new RegExp(`^${escapeRe(viewName)}$`, 'i') }) }).first();
    const header = pane.locator('.pane-header').first();
    await header.waitFor({ timeout: 15_000 });
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    return pane;
  }

  /**
   * The tree row with this label in the view, waiting until it shows up. `label` may be a path
   * (`['mllab-test/python-ml', 'bookworm']`): each parent is expanded on the way. The tree is
   * virtualised (only rows on screen are in the DOM), so the list is scrolled through from the
   * top, a page at a time, as a person would. The locator matches the row by label and depth,
   * not by position, so a refresh that reorders the rows cannot make it point at another one.
   */
  async findTreeRow(viewName: string, label: string | RegExp | string[], timeoutMs = 30_000): Promise<Locator> {
    const path = Array.isArray(label) ? label : [label];
    const pane = await this.view(viewName);
    return waitFor(`a row '${path.map(String).join(' > ')}' in the ${viewName} view`, async () => {
      let parentIndex = -1;
      for (let depth = 0; depth < path.length; depth++) {
        const want = path[depth];
        const level = depth + 1;
        const hit = await this.scanRows(pane, (r) => r.level === level && r.index > parentIndex && labelMatches(r.label, want));
        if (!hit) return undefined;
        const row = this.rowLocator(pane, hit.label, level);
        if (depth === path.length - 1) return row;
        if (hit.expanded === 'false') {
          await row.locator('.monaco-tl-twistie').click();
          await waitFor(`${hit.label} to expand`, async () => (await row.getAttribute('aria-expanded')) === 'true', 10_000);
        }
        parentIndex = hit.index;
      }
      return undefined;
    }, timeoutMs, 500);
  }

  /** The row with this label (or path), or undefined when the view has none: one pass over the whole list. */
  async treeRowOrUndefined(viewName: string, label: string | RegExp): Promise<Locator | undefined> {
    const pane = await this.view(viewName);
    const hit = await this.scanRows(pane, (r) => labelMatches(r.label, label));
    return hit ? this.rowLocator(pane, hit.label, hit.level) : undefined;
  }

  private rowLocator(pane: Locator, label: string, level: number): Locator {
    return pane.locator(`.monaco-list-row[aria-level="${level}"]`)
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRe(label)}\\s*$`) }) }).first();
  }

  /** Scrolls the view's list from the top until a row matches; undefined at the end of the list. */
  private async scanRows(pane: Locator, match: (r: RowInfo) => boolean): Promise<RowInfo | undefined> {
    const list = pane.locator('.monaco-list').first();
    if (!(await list.count())) return undefined;
    const rows = () => pane.evaluate((node) => Array.from((node as unknown as DomNode).querySelectorAll('.monaco-list-row')).map((r) => ({
      index: Number(r.getAttribute('data-index')),
      level: Number(r.getAttribute('aria-level') ?? '1'),
      expanded: r.getAttribute('aria-expanded'),
      label: (r.querySelector('.label-name')?.textContent ?? '').trim(),
      description: (r.querySelector('.label-description')?.textContent ?? '').trim(),
    })));
    const first = await rows();
    const hitNow = first.find(match);
    if (hitNow) return hitNow;
    // An empty tree hides its list (the view shows a message instead): nothing to scroll.
    if (first.length === 0 || !(await list.isVisible())) return undefined;
    await list.hover({ timeout: 5_000 });
    await this.page.mouse.wheel(0, -1_000_000);
    await sleep(150);
    let lastMax = -2;
    for (let i = 0; i < 1000; i++) {
      const infos = await rows();
      const hit = infos.find(match);
      if (hit) return hit;
      const max = Math.max(-1, ...infos.map((r) => r.index));
      if (max === lastMax) return undefined;
      lastMax = max;
      const height = await list.evaluate((el) => (el as unknown as DomNode).clientHeight);
      await this.page.mouse.wheel(0, Math.max(44, height - 44));
      await sleep(150);
    }
    return undefined;
  }

  /** A row's description (the grey text after its label). */
  async rowDescription(row: Locator): Promise<string> {
    return ((await row.locator('.label-description').first().textContent().catch(() => '')) ?? '').trim();
  }

  /**
   * Right-clicks the row and chooses the context-menu item. The item is chosen with the arrow
   * keys and Enter, as a keyboard user would: the menu (in a shadow root) does not always take
   * synthetic clicks. `holdMs` keeps the menu open that long before choosing (the view may
   * refresh meanwhile). `expectRow`: the label of the row the menu must belong to (the row VS
   * Code focused on the right-click); when the list moved under the pointer and another row got
   * the click, the menu is closed and `MenuOnOtherRowError` thrown.
   */
  async contextMenu(row: Locator, item: string, options: { holdMs?: number; expectRow?: string } = {}): Promise<void> {
    await row.click({ button: 'right', ...(options.expectRow !== undefined ? { timeout: 5_000 } : {}) });
    const menu = this.page.locator('.context-view .monaco-menu').first();
    await menu.waitFor({ state: 'visible', timeout: 10_000 });
    if (options.expectRow !== undefined) {
      const list = row.locator('xpath=ancestor::div[contains(concat(" ", @class, " "), " monaco-list ")][1]');
      const focused = ((await list.locator('.monaco-list-row.focused .label-name').first().textContent().catch(() => '')) ?? '').trim();
      if (focused !== options.expectRow) {
        await this.page.keyboard.press('Escape');
        throw new MenuOnOtherRowError(focused);
      }
    }
    if (options.holdMs) {
      await sleep(options.holdMs);
      if (!(await menu.isVisible())) throw new Error(`the context menu closed within ${options.holdMs} ms`);
    }
    const labels = (await menu.locator('.action-item .action-label').allTextContents()).map((s) => s.trim()).filter(Boolean);
    if (!labels.includes(item)) {
      await this.page.keyboard.press('Escape');
      throw new Error(`the context menu has no '${item}'; it offers: ${labels.join(' | ')}`);
    }
    for (let i = 0; i < labels.length + 2; i++) {
      await this.page.keyboard.press('ArrowDown');
      const focused = ((await menu.locator('.action-item.focused .action-label').first().textContent().catch(() => '')) ?? '').trim();
      if (focused === item) {
        await this.page.keyboard.press('Enter');
        await menu.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
        return;
      }
    }
    await this.page.keyboard.press('Escape');
    throw new Error(`could not focus '${item}' in the context menu (${labels.join(' | ')})`);
  }

  /** Clicks a button of the modal dialog (e.g. 'Remove'); returns the dialog's message. */
  async confirmDialog(button: string, timeoutMs = 15_000): Promise<string> {
    return (await this.answerDialog(button, timeoutMs)).message;
  }

  /** Clicks a button of the modal dialog; returns its message and its detail text (the lines under it). */
  async answerDialog(button: string, timeoutMs = 15_000): Promise<{ message: string; detail: string }> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: timeoutMs });
    const text = async (sel: string) => ((await dialog.locator(sel).first().textContent().catch(() => '')) ?? '').trim();
    const [message, detail] = [await text('.dialog-message'), await text('.dialog-message-detail')];
    await dialog.getByRole('button', { name: button, exact: true }).click();
    await dialog.waitFor({ state: 'hidden', timeout: timeoutMs });
    return { message, detail };
  }

  /** The messages in the notification center (toasts included), newest first. */
  async readNotifications(): Promise<string[]> {
    const center = this.page.locator('.notifications-center');
    const wasVisible = await center.isVisible().catch(() => false);
    if (!wasVisible) {
      await this.runCommandById('notifications.showList', 'Notifications: Show Notifications');
      await center.waitFor({ state: 'visible', timeout: 10_000 });
    }
    await sleep(200);
    const messages = (await center.locator('.notification-list-item-message').allTextContents()).map((s) => s.trim());
    if (!wasVisible) {
      // No palette entry hides it: the status bar's bell toggles the center.
      await this.page.locator('[id="status.notifications"]').first().click().catch(() => undefined);
      await center.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => this.page.keyboard.press('Escape'));
    }
    return messages;
  }

  /** Runs a workbench command by its palette title (`id` is for the error message). */
  private async runCommandById(id: string, title: string): Promise<void> {
    try { await this.runCommand(title); } catch (e) { throw new Error(`could not run ${id}: ${String(e)}`); }
  }

  /** Opens a workspace file by its relative path through Quick Open (Ctrl+P). */
  async openFile(relativePath: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('ControlOrMeta+P');
    const input = this.quickInputBox();
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(relativePath);
    const base = relativePath.split('/').pop() ?? relativePath;
    await waitFor(`Quick Open to list ${relativePath}`, async () => {
      for (const r of await this.quickInputRows().all()) {
        const name = ((await r.locator('.label-name').first().textContent().catch(() => null)) ?? '').trim();
        const desc = ((await r.locator('.label-description').first().textContent().catch(() => null)) ?? '').trim();
        if (name === base && (relativePath === base || relativePath.startsWith(`${desc}/`) || desc.endsWith(dirname(relativePath)))) return r;
      }
      return undefined;
    }, 20_000).then((r) => r.click());
    await this.page.locator(`.tabs-container .tab[aria-label^="${base}"]`).first().waitFor({ timeout: 15_000 });
    await this.activeEditor().waitFor({ timeout: 15_000 });
  }

  activeEditor(): Locator { return this.page.locator('.editor-group-container.active .monaco-editor').first(); }

  /** The visible lines of the active editor as text (Monaco renders spaces as U+00A0). */
  async editorLines(): Promise<string[]> {
    const editor = this.activeEditor();
    return editor.locator('.view-lines').evaluate((node) => {
      const lines = Array.from((node as unknown as DomNode).querySelectorAll('.view-line'));
      // Rendered in any order: sort by their vertical position.
      lines.sort((a, b) => parseFloat(a.style.top || '0') - parseFloat(b.style.top || '0'));
      return lines.map((l) => (l.textContent ?? '').replace(/\u00a0/g, ' '));
    });
  }

  /**
   * The whole text of the active editor, as shown: the editor is virtualised like the tree
   * (only lines on screen are in the DOM), so it is scrolled from the top a page at a time and
   * the lines are keyed by their line numbers. The cursor does not move.
   */
  async editorText(): Promise<string> {
    const editor = this.activeEditor();
    await editor.waitFor({ timeout: 15_000 });
    const visible = () => editor.evaluate((node) => {
      const root = node as unknown as DomNode;
      const numberAt = new Map<string, number>();
      for (const d of Array.from(root.querySelectorAll('.margin-view-overlays > div'))) {
        const n = Number((d.querySelector('.line-numbers')?.textContent ?? '').trim());
        if (n > 0) numberAt.set(d.style.top, n);
      }
      return Array.from(root.querySelectorAll('.view-lines > .view-line'))
        .map((l) => ({ n: numberAt.get(l.style.top) ?? 0, text: (l.textContent ?? '').replace(/\u00a0/g, ' ') }))
        .filter((l) => l.n > 0);
    });
    const lines = new Map<number, string>();
    const lines0 = await visible();
    if (lines0.length === 0) return (await this.editorLines()).join('\n'); // no line numbers shown
    const box = await editor.boundingBox();
    if (box) {
      await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      for (let i = 0; i < 200 && !(await visible()).some((l) => l.n === 1); i++) {
        await this.page.mouse.wheel(0, -(box.height - 60));
        await sleep(100);
      }
    }
    let lastMax = -1;
    let pages = 0;
    for (let i = 0; i < 500; i++) {
      for (const l of await visible()) lines.set(l.n, l.text);
      const max = Math.max(0, ...lines.keys());
      if (max === lastMax || !box) break;
      lastMax = max;
      pages++;
      await this.page.mouse.wheel(0, Math.max(40, box.height - 60));
      await sleep(150);
    }
    // Back to where it was (the top), a page at a time: one huge wheel step is not always taken.
    for (let i = 0; box && i < pages + 1; i++) {
      await this.page.mouse.wheel(0, -(box.height - 60));
      await sleep(100);
    }
    const max = Math.max(0, ...lines.keys());
    return Array.from({ length: max }, (_, i) => lines.get(i + 1) ?? '').join('\n');
  }

  /**
   * The rows of the terminals on screen (the panel's visible terminal), as text. Needs xterm's
   * DOM renderer: start the workbench with `terminal.integrated.gpuAcceleration: 'off'` (the
   * WebGL renderer draws on a canvas, with no text in the DOM).
   */
  async terminalText(): Promise<string> {
    const rows = this.page.locator('.integrated-terminal .xterm-rows');
    const texts: string[] = [];
    for (const r of await rows.all()) {
      if (!(await r.isVisible().catch(() => false))) continue;
      texts.push(await r.evaluate((node) => Array.from((node as unknown as DomNode).querySelectorAll(':scope > div'))
        .map((d) => (d.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()).join('\n')));
    }
    return texts.join('\n');
  }

  /** The texts of the status bar's items (codicons are not text: `$(vm) Docker 20.10` reads `Docker 20.10`). */
  async statusBarTexts(): Promise<string[]> {
    return (await this.page.locator('.part.statusbar .statusbar-item .statusbar-item-label').allTextContents())
      .map((s) => s.replace(/\s+/g, ' ').trim()).filter(Boolean);
  }

  /**
   * Opens the quick-fix menu at the cursor (Ctrl+.) and applies the action with this title,
   * chosen with the arrow keys and Enter. Returns the titles the menu offered.
   */
  async applyQuickFix(title: string): Promise<string[]> {
    await this.page.keyboard.press('ControlOrMeta+.');
    const widget = this.page.locator('.action-widget').first();
    await widget.waitFor({ state: 'visible', timeout: 15_000 }).catch(() => {
      throw new Error('the quick-fix menu did not open (Ctrl+.)');
    });
    const actionRows = widget.locator('.monaco-list-row.action');
    await actionRows.first().waitFor({ timeout: 10_000 });
    const titleOf = async (row: Locator) => ((await row.locator('.title').first().textContent().catch(() => '')) ?? '').trim();
    const offered: string[] = [];
    for (const r of await actionRows.all()) offered.push(await titleOf(r));
    if (!offered.includes(title)) {
      await this.page.keyboard.press('Escape');
      throw new Error(`the quick-fix menu has no '${title}'; it offers: ${offered.join(' | ')}`);
    }
    for (let i = 0; i < offered.length + 2; i++) {
      const focused = widget.locator('.monaco-list-row.action.focused').first();
      if ((await focused.count()) && (await titleOf(focused)) === title) {
        await this.page.keyboard.press('Enter');
        await widget.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
        return offered;
      }
      await this.page.keyboard.press('ArrowDown');
      await sleep(100);
    }
    await this.page.keyboard.press('Escape');
    throw new Error(`could not focus '${title}' in the quick-fix menu (${offered.join(' | ')})`);
  }

  /** Waits until the description of the row (found by label or path) satisfies `ok`; returns it. */
  async waitForRowDescription(viewName: string, label: string | RegExp | string[], ok: (description: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
    let last = '';
    try {
      return await waitFor(what, async () => {
        const row = await this.findTreeRow(viewName, label, 5_000);
        last = await this.rowDescription(row);
        return ok(last) ? last : undefined;
      }, timeoutMs, 500);
    } catch (e) {
      throw new Error(`${String(e)}; the row's description was ${JSON.stringify(last)}`);
    }
  }

  /**
   * The webview frame whose document has `selector` (VS Code nests a webview's page in two
   * iframes; read its DOM through the returned frame).
   */
  async webviewFrame(selector: string, timeoutMs = 30_000): Promise<Frame> {
    return waitFor(`a webview with ${selector}`, async () => {
      for (const f of this.page.frames()) {
        if (f === this.page.mainFrame()) continue;
        if (await f.locator(selector).count().catch(() => 0)) return f;
      }
      return undefined;
    }, timeoutMs, 250);
  }

  /** code-server's user-data folder (User/settings.json, User/workspaceStorage/...). */
  get userDataDir(): string {
    return this.server.userDataDir;
  }

  /** Saves test-results/ui/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** On failure: a screenshot, the browser console, the server log and the workbench's logs. */
  async saveFailure(): Promise<void> {
    const dir = join(resultsDir, `${this.name}-failure`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await this.page.screenshot({ path: join(resultsDir, `${this.name}-failure.png`) }).catch(() => undefined);
    try {
      const notes = await this.readNotifications();
      writeFileSync(join(dir, 'notifications.txt'), notes.join('\n'));
      // What a person would have seen is often the explanation: put it in the test output.
      if (notes.length) console.log(`[ui] notifications at the failure:\n  ${notes.join('\n  ')}`);
    } catch { /* the workbench may be gone */ }
    writeFileSync(join(dir, 'browser-console.log'), this.consoleLines.join('\n'));
    try { cpSync(this.server.logFile, join(dir, 'code-server.log')); } catch { /* none */ }
    const logs = join(this.server.userDataDir, 'logs');
    if (existsSync(logs) && readdirSync(logs).length) {
      cpSync(logs, join(dir, 'vscode-logs'), { recursive: true });
      // CI keeps only the test output: put the extension host's errors and the extension's own
      // last log lines in it.
      for (const file of findFiles(logs, (f) => f.endsWith('remoteexthost.log') || f.endsWith('ML Container Lab.log'))) {
        const lines = readFileSync(file, 'utf8').split('\n');
        const shown = file.endsWith('remoteexthost.log') ? lines.filter((l) => /\[error\]/i.test(l)).slice(-15) : lines.slice(-25);
        if (shown.length) console.log(`[ui] ${file.slice(logs.length + 1)} at the failure:\n  ${shown.join('\n  ')}`);
      }
    }
    console.log(`[ui] failure screenshot and logs: ${dir}`);
  }

  async stop(): Promise<void> {
    await this.browser.close();
    await this.server.stop();
    rmSync(this.runDir, { recursive: true, force: true });
  }
}

/** Files under `dir` (any depth) whose path passes `keep`. */
function findFiles(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)).filter(keep);
}

/** The right-click landed on another row (the list moved under the pointer): `row` got the menu. */
export class MenuOnOtherRowError extends Error {
  constructor(readonly row: string) {
    super(`the context menu opened on '${row}'`);
  }
}

/** The few DOM members used in page functions (the project compiles without the DOM lib). */
interface DomNode {
  textContent: string | null;
  getAttribute(name: string): string | null;
  style: { top: string };
  clientHeight: number;
  scrollHeight: number;
  querySelector(selector: string): DomNode | null;
  querySelectorAll(selector: string): ArrayLike<DomNode>;
}

interface RowInfo { index: number; level: number; expanded: string | null; label: string; description: string }

function labelMatches(text: string, want: string | RegExp): boolean {
  return typeof want === 'string' ? text === want : want.test(text);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether something listens on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Removes what a UI test made in the engine: containers by name, then image tags, then volumes by name (never prunes). */
export function cleanupDocker(o: { containerNames?: string[]; images?: string[]; volumes?: string[] }): void {
  const names = (o.containerNames ?? []).filter(Boolean);
  if (names.length) docker(['rm', '-f', ...names], true);
  for (const image of o.images ?? []) {
    // Containers this run started from the test image carry the test label; remove those first.
    const ids = docker(['ps', '-aq', '--filter', `label=${testLabel.key}=${testLabel.value}`, '--filter', `ancestor=${image}`], true)
      .split('\n').filter(Boolean);
    if (ids.length) docker(['rm', '-f', ...ids], true);
    // Without --no-prune: the untagged parents a classic build of this image made go with it.
    // The engine keeps any parent that is tagged, has another child or is used by a container.
    docker(['rmi', image], true);
  }
  const volumes = (o.volumes ?? []).filter(Boolean);
  if (volumes.length) docker(['volume', 'rm', ...volumes], true);
}

/** A `prepare` for {@link Workbench.start} that writes `yaml` as the workspace's `.vscode/mllab.yaml`. */
export const writeProfiles = (yaml: string) => (ws: string): void => {
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  writeFileSync(join(ws, '.vscode', 'mllab.yaml'), yaml);
};

/**
 * A scenario file's workbench: started before its tests, stopped after them, with a failure
 * screenshot and logs when a step failed. Wrap each test's body in `step`.
 * @param hooks `before` runs first (checks, engine objects the scenario needs); `cleanup` runs
 *   after the workbench stopped, also when a test failed (remove what the scenario made)
 */
export function workbenchScenario(o: StartOptions, hooks: { before?: () => void | Promise<void>; cleanup?: () => void | Promise<void> } = {}): { wb: () => Workbench; step: <T>(fn: () => Promise<T>) => Promise<T> } {
  let wb: Workbench | undefined;
  let failed = false;
  before(async () => {
    await hooks.before?.();
    wb = await Workbench.start(o);
  });
  after(async () => {
    if (wb) {
      if (failed) await wb.saveFailure();
      await wb.stop();
    }
    await hooks.cleanup?.();
  });
  return {
    wb: () => wb!,
    step: async (fn) => {
      try { return await fn(); } catch (e) { failed = true; throw e; }
    },
  };
}
