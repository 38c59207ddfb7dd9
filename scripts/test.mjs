// The project's test command (`npm test`): runs every tier in order, each as a child process
// with its output streamed, then prints a table and, as the very last line, the plain
// `tests: <P> passed, <F> failed` line CI reads.
//
//   node scripts/test.mjs                 all tiers
//   node scripts/test.mjs --only unit,engine
//   node scripts/test.mjs --skip ui,host  (--skip may repeat)
//   node scripts/test.mjs --bail          stop at the first failing tier
//
// Before the tiers it sets up what the selected tiers need, with the same idempotent scripts
// as the demo (scripts/setup/*.sh: Docker engine, local base images, code-server + Chromium),
// so `npm test` works first on a bare machine (it runs `npm ci` too when node_modules is
// missing); it stops the dockerd it started when it ends.
// MLLAB_TEST_SETUP=0 skips the set-up (everything is known to be there).
//
// Exit code: non-zero when any tier failed, or when a tier that runs tests ran none.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @type {{name: string, cmd: string, args: string[], counts: boolean, needs?: string[]}[]}
 * counts: the tier runs tests and must run at least one; needs: set-up scripts it depends on
 */
const tiers = [
  { name: 'lint', cmd: 'npx', args: ['eslint', 'src', 'test', 'scripts', 'bench'], counts: false },
  { name: 'typecheck', cmd: 'npx', args: ['tsc', '-p', '.', '--noEmit'], counts: false },
  { name: 'build', cmd: 'node', args: ['scripts/build.mjs'], counts: false },
  { name: 'unit', cmd: 'node', args: ['--test', '--test-reporter=spec', 'out/test/unit/'], counts: true },
  { name: 'engine', cmd: 'node', args: ['--test', '--test-concurrency=1', '--test-reporter=spec', 'out/test/engine/'], counts: true, needs: ['engine', 'base-images', 'remote'] },
  { name: 'package', cmd: 'npm', args: ['run', 'package'], counts: false },
  { name: 'host', cmd: 'node', args: ['scripts/run-host-tests.mjs'], counts: true, needs: ['engine', 'base-images', 'vscode'] },
  { name: 'ui', cmd: 'node', args: ['--test', '--test-concurrency=1', '--test-reporter=spec', 'out/test/ui/'], counts: true, needs: ['engine', 'base-images', 'vscode'] },
];

const { values: opts } = parseArgs({
  options: {
    only: { type: 'string' },
    skip: { type: 'string', multiple: true },
    bail: { type: 'boolean', default: false },
  },
});
const names = tiers.map((t) => t.name);
const split = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
const only = opts.only ? split(opts.only) : null;
const skip = (opts.skip ?? []).flatMap(split);
for (const n of [...(only ?? []), ...skip]) {
  if (!names.includes(n)) {
    console.error(`[test] unknown tier '${n}'; tiers are: ${names.join(', ')}`);
    process.exit(2);
  }
}
const selected = tiers.filter((t) => (!only || only.includes(t.name)) && !skip.includes(t.name));

// ANSI colour codes would break the count patterns.
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

/** Counts from the runners' summaries: node --test (spec `ℹ pass N`, TAP `# pass N`) and mocha. */
function parseCounts(text) {
  const clean = stripAnsi(text);
  const last = (re) => {
    let m, v = null;
    const g = new RegExp(re.source, 'gm');
    while ((m = g.exec(clean))) v = Number(m[1]);
    return v;
  };
  let passed = 0, failed = 0, found = false;
  const nodePass = last(/^\s*(?:ℹ|#) pass (\d+)\s*$/);
  const nodeFail = last(/^\s*(?:ℹ|#) fail (\d+)\s*$/);
  // A test node cancels (a hook failed, a promise never settled) did not pass: count it failed.
  const nodeCancelled = last(/^\s*(?:ℹ|#) cancelled (\d+)\s*$/);
  if (nodePass !== null || nodeFail !== null) {
    found = true; passed += nodePass ?? 0; failed += (nodeFail ?? 0) + (nodeCancelled ?? 0);
  }
  // mocha: "  12 passing (1s)", "  1 failing"; summed because a run may print one per suite run.
  for (const m of clean.matchAll(/^\s*(\d+) passing\b/gm)) { found = true; passed += Number(m[1]); }
  for (const m of clean.matchAll(/^\s*(\d+) failing\s*$/gm)) { found = true; failed += Number(m[1]); }
  return { passed, failed, found };
}

function runTier(t) {
  return new Promise((resolveTier) => {
    const started = Date.now();
    let captured = '';
    console.log(`\n[test] ===== ${t.name}: ${t.cmd} ${t.args.join(' ')}`);
    const child = spawn(t.cmd, t.args, {
      cwd: repo, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    const take = (stream, out) => stream.on('data', (d) => {
      out.write(d);
      if (captured.length < 20_000_000) captured += d.toString();
    });
    take(child.stdout, process.stdout);
    take(child.stderr, process.stderr);
    child.on('error', (e) => { captured += `\n${e.message}`; });
    child.on('close', (code, signal) => {
      const seconds = (Date.now() - started) / 1000;
      const counts = parseCounts(captured);
      let ok = code === 0;
      let note = code === 0 ? '' : `exit ${code ?? signal}`;
      if (t.counts && ok && counts.passed + counts.failed === 0) {
        ok = false;
        note = 'ran 0 tests';
      }
      if (t.counts && ok && counts.failed > 0) {
        ok = false;
        note = `${counts.failed} failed`;
      }
      resolveTier({ ...t, ok, code, seconds, note, ...counts });
    });
  });
}

/**
 * Runs the set-up scripts the selected tiers need, in order (engine before base images).
 * Returns a function that stops the dockerd this run started (engine.sh writes its pid file
 * only when it starts one). Exits at once, naming the command to run, when a script fails.
 */
function setUp() {
  const order = ['engine', 'base-images', 'remote', 'vscode'];
  const wanted = new Set(selected.flatMap((t) => t.needs ?? []));
  const pidFile = join(repo, '.cache', 'engine', 'dockerd.pid');
  const hadEngine = existsSync(pidFile);
  // A fresh clone: the tiers need the project's own dependencies (eslint, tsc, esbuild, ...).
  if (!existsSync(join(repo, 'node_modules'))) {
    console.log('[test] ===== setup: npm ci (no node_modules yet)');
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: repo, stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`[test] ERROR: set-up failed: 'npm ci' exited ${r.status ?? r.signal}; run it yourself, then 'npm test' again`);
      process.exit(1);
    }
  }
  for (const name of order.filter((n) => wanted.has(n))) {
    const started = Date.now();
    console.log(`[test] ===== setup: bash scripts/setup/${name}.sh`);
    const r = spawnSync('bash', [`scripts/setup/${name}.sh`], { cwd: repo, stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`[test] ERROR: set-up failed: 'bash scripts/setup/${name}.sh' exited ${r.status ?? r.signal}; fix what it says above and run it yourself (as root where it installs packages), then 'npm test' again`);
      process.exit(1);
    }
    console.log(`[test] ===== setup: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return () => {
    if (hadEngine || !existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    console.log(`[test] stopping the dockerd this run started (pid ${pid})`);
    try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
    for (let i = 0; i < 30; i++) {
      try { process.kill(pid, 0); } catch { break; }
      spawnSync('sleep', ['1']);
    }
    rmSync(pidFile, { force: true });
  };
}

const stopStarted = process.env.MLLAB_TEST_SETUP === '0' ? () => undefined : setUp();
const results = [];
const started = Date.now();
for (const t of selected) {
  const r = await runTier(t);
  results.push(r);
  console.log(`[test] ===== ${t.name}: ${r.ok ? 'ok' : `FAILED (${r.note})`} in ${r.seconds.toFixed(1)} s`);
  if (!r.ok && opts.bail) break;
}

const pad = (s, n) => String(s).padEnd(n);
const padL = (s, n) => String(s).padStart(n);
console.log('\n[test] summary');
console.log(`  ${pad('tier', 10)} ${padL('passed', 7)} ${padL('failed', 7)} ${padL('seconds', 8)}  result`);
for (const r of results) {
  const p = r.counts ? r.passed : '-';
  const f = r.counts ? r.failed : (r.ok ? '-' : 'x');
  console.log(`  ${pad(r.name, 10)} ${padL(p, 7)} ${padL(f, 7)} ${padL(r.seconds.toFixed(1), 8)}  ${r.ok ? 'ok' : `FAILED (${r.note})`}`);
}
for (const t of tiers.filter((x) => !selected.includes(x))) console.log(`  ${pad(t.name, 10)} ${padL('', 7)} ${padL('', 7)} ${padL('', 8)}  skipped`);
console.log(`  total ${((Date.now() - started) / 1000).toFixed(1)} s`);
const failedTiers = results.filter((r) => !r.ok);
if (failedTiers.length) console.log(`[test] failed tiers: ${failedTiers.map((r) => r.name).join(', ')}`);
const P = results.reduce((a, r) => a + (r.counts ? r.passed : 0), 0);
// A tier that failed without a test count (lint, build, a crashed runner) counts as one failure,
// so the closing line never reads "0 failed" on a failing run.
const F = results.reduce((a, r) => a + (r.counts ? r.failed : 0) + (!r.ok && (!r.counts || r.failed === 0) ? 1 : 0), 0);
console.log(`tests: ${P} passed, ${F} failed`);
stopStarted();
process.exitCode = failedTiers.length ? 1 : 0;
