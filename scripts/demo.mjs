// Serves the packaged extension in VS Code for the browser with a copy of a lab opened, for a
// person to try (`npm run demo`, through scripts/demo.sh which installs what is needed first).
//   node scripts/demo.mjs [--port 8080] [--lab <dir>] [--check]
// --check: start, verify in headless Chromium that the workbench loads and shows the
// "ML Container Lab" activity-bar item, save test-results/demo/demo.png, exit 0 or 1.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { copyWorkspace, launchChromium, repoRoot, startCodeServer, testWorkspaceSettings } from './lib/codeServer.mjs';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.MLLAB_DEMO_PORT ?? '8080' },
    lab: { type: 'string', default: process.env.MLLAB_DEMO_LAB ?? join(repoRoot, 'test', 'fixtures', 'labs', 'iris-train') },
    check: { type: 'boolean', default: process.env.MLLAB_DEMO_CHECK === '1' },
  },
});
const say = (m) => console.log(`[demo] ${m}`);
const die = (m) => { console.error(`[demo] ERROR: ${m}`); process.exit(1); };
const vsix = process.env.MLLAB_VSIX ?? join(repoRoot, 'dist', 'ml-container-lab.vsix');
const lab = resolve(opts.lab);
const port = Number(opts.port);
if (!existsSync(vsix)) die(`${vsix} is missing: run 'npm run package' first`);
if (!existsSync(lab)) die(`the lab ${lab} does not exist (pass --lab <dir>)`);
if (!Number.isInteger(port) || port < 1 || port > 65535) die(`bad port '${opts.port}' (MLLAB_DEMO_PORT or --port)`);

// A fresh state each start: the demo never touches the repo's own lab folder.
const runDir = join(repoRoot, '.cache', 'demo', opts.check ? 'check' : 'run');
rmSync(runDir, { recursive: true, force: true });
mkdirSync(runDir, { recursive: true });
const workspace = copyWorkspace(lab, join(runDir, 'workspace', lab.split('/').pop()), testWorkspaceSettings('demo'));

let server;
try {
  server = await startCodeServer({ runDir, port: opts.check ? undefined : port, installExtensions: [vsix], log: (l) => say(`code-server ${l}`) });
} catch (e) {
  die(`${e.message}\n(is port ${port} taken? set MLLAB_DEMO_PORT)`);
}
const url = `${server.url}?folder=${encodeURIComponent(workspace)}`;

if (opts.check) {
  let ok = false;
  const browser = await launchChromium({ profileDir: join(runDir, 'chromium') });
  const outDir = join(repoRoot, 'test-results', 'demo');
  mkdirSync(outDir, { recursive: true });
  try {
    const { page } = browser;
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    const item = page.locator('.part.activitybar li.action-item:has(> a.action-label[aria-label^="ML Container Lab"])').first();
    await item.waitFor({ timeout: 90_000 });
    await item.click();
    await page.locator('.part.sidebar .pane-header h3.title', { hasText: 'Images' }).first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(2000); // let the views fill
    ok = true;
    say('workbench loaded, "ML Container Lab" is in the activity bar');
  } catch (e) {
    console.error(`[demo] ERROR: ${e.message}`);
  } finally {
    await browser.page.screenshot({ path: join(outDir, 'demo.png') }).catch(() => undefined);
    say(`screenshot: ${join(outDir, 'demo.png')}`);
    await browser.close();
    await server.stop();
  }
  process.exit(ok ? 0 : 1);
}

say(`open ${url}`);
say(`workspace: ${workspace}`);
say('Ctrl-C stops it');
const stop = async (sig) => {
  say(`${sig}: stopping code-server`);
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
setInterval(() => undefined, 1 << 30); // keep running until a signal
