// Runs the extension's host tests inside a real VS Code extension host: code-server (VS Code
// for the browser) started with the smoke-test driver, opened in headless Chromium with an
// extension-development payload. The extension host `require`s the tests module and calls its
// `run()`; console output comes back through window.codeAutomationLog and the exit code through
// window.codeAutomationExit (the mechanism VS Code's own browser integration tests use).
//
//   node scripts/run-host-tests.mjs [--workspace <dir>] [--tests <module without .js>]
//                                   [--extension <dir>] [--timeout-ms <ms>] [--keep]
//
// Defaults: extension = repo root, tests = <repo>/out/test/host/index (built by
// `node scripts/build.mjs`), workspace = a temp copy of test/fixtures/labs/iris-train.
// Exit code: the one the tests report; 1 on timeout or harness failure. On failure a
// screenshot and the logs land in test-results/host/.
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { format, parseArgs } from 'node:util';
import { checkTools, copyWorkspace, launchChromium, repoRoot, startCodeServer } from './lib/codeServer.mjs';

const { values: opts } = parseArgs({
  options: {
    workspace: { type: 'string' },
    tests: { type: 'string' },
    extension: { type: 'string' },
    'timeout-ms': { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const timeoutMs = Number(opts['timeout-ms'] ?? process.env.MLLAB_HOST_TEST_TIMEOUT_MS ?? 600_000);
const extensionPath = resolve(opts.extension ?? repoRoot);
const testsPath = resolve(opts.tests ?? join(repoRoot, 'out', 'test', 'host', 'index')).replace(/\.js$/, '');
const resultsDir = join(repoRoot, 'test-results', 'host');
const say = (m) => console.log(`[host-tests] ${m}`);

function fail(message) {
  console.error(`[host-tests] ERROR: ${message}`);
  process.exit(1);
}

try { checkTools(); } catch (e) { fail(e.message); }
if (!existsSync(`${testsPath}.js`)) {
  fail(`${testsPath}.js does not exist: run 'node scripts/build.mjs' (it compiles test/host/index.ts)`);
}
if (!existsSync(join(extensionPath, 'package.json'))) fail(`${extensionPath} has no package.json`);

const started = Date.now();
const runDir = mkdtempSync(join(tmpdir(), 'mllab-host-'));
const workspaceSrc = resolve(opts.workspace ?? join(repoRoot, 'test', 'fixtures', 'labs', 'iris-train'));
const workspace = join(runDir, 'workspace', workspaceSrc.split('/').pop());
mkdirSync(join(runDir, 'workspace'), { recursive: true });
try { copyWorkspace(workspaceSrc, workspace); } catch (e) { fail(`${e.message} (pass --workspace <dir>)`); }
rmSync(resultsDir, { recursive: true, force: true });

let server;
let browser;
const consoleLines = [];
let exitCode = 1;
try {
  server = await startCodeServer({ runDir, smokeTestDriver: true, log: (l) => say(`code-server ${l}`) });
  browser = await launchChromium({ profileDir: join(runDir, 'chromium') });
  const { page } = browser;
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.stack ?? e}`));

  let settle;
  const exited = new Promise((r) => { settle = r; });
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = format(...(Array.isArray(args) ? args : [args]));
    (type === 'error' || type === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
  });
  await page.exposeFunction('codeAutomationExit', (code) => settle(Number(code)));

  // The remote authority the workbench uses for files on the server (it is `remote` today).
  await page.goto(server.url, { waitUntil: 'domcontentloaded' });
  const authority = await page.evaluate(() => {
    const meta = document.querySelector('meta[id="vscode-workbench-web-configuration"]');
    const settings = meta && meta.getAttribute('data-settings');
    return settings ? JSON.parse(settings).remoteAuthority : undefined;
  }) ?? 'remote';
  const remote = (p) => `vscode-remote://${authority}${p}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(extensionPath)],
    ['extensionTestsPath', remote(testsPath)],
    ['skipWelcome', 'true'],
  ]);
  say(`extension ${extensionPath}`);
  say(`tests     ${testsPath}`);
  say(`workspace ${workspace}`);
  await page.goto(`${server.url}?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);

  let timer;
  const timedOut = new Promise((r) => { timer = setTimeout(() => r('timeout'), timeoutMs); });
  const result = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') {
    console.error(`[host-tests] ERROR: no exit code from the extension host within ${timeoutMs / 1000} s. ` +
      'Either run() never settled, or the extension host did not start the tests ' +
      '(check test-results/host/ for the screenshot and logs).');
    exitCode = 1;
  } else {
    exitCode = result;
  }
  if (exitCode !== 0) await saveFailure(page);
} catch (e) {
  console.error(`[host-tests] ERROR: ${e.stack ?? e}`);
  exitCode = 1;
  if (browser) await saveFailure(browser.page).catch(() => undefined);
} finally {
  await browser?.close();
  await server?.stop();
  if (exitCode !== 0 && server) saveLogs();
  if (!opts.keep) rmSync(runDir, { recursive: true, force: true });
  else say(`kept ${runDir}`);
}
say(`exit ${exitCode} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(exitCode);

async function saveFailure(page) {
  mkdirSync(resultsDir, { recursive: true });
  try {
    await page.screenshot({ path: join(resultsDir, 'failure.png'), timeout: 10_000 });
  } catch (e) { console.error(`[host-tests] could not take a screenshot: ${e.message}`); }
}

function saveLogs() {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'browser-console.log'), consoleLines.join('\n'));
  try { cpSync(server.logFile, join(resultsDir, 'code-server.log')); } catch { /* none */ }
  // The workbench's own logs: extension host, renderer, remote agent.
  const logs = join(server.userDataDir, 'logs');
  if (existsSync(logs) && readdirSync(logs).length) cpSync(logs, join(resultsDir, 'vscode-logs'), { recursive: true });
  say(`screenshot and logs saved in ${resultsDir}`);
}
