/**
 * The setup scripts run nested `npm install`s (code-server, Node 24). Under `npm run demo` or
 * `npm test` those inherit npm's lifecycle variables, and code-server's postinstall then read
 * the outer Node's version from `npm_config_user_agent` and refused to install.
 * scripts/setup/lib.sh's `without_npm_env` runs them as from a plain shell. These tests run it
 * under a real `npm run`, with npm's real environment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..', '..', '..', '..');
const lib = path.join(repo, 'scripts', 'setup', 'lib.sh');
const dump = `node -e "process.stdout.write(JSON.stringify(Object.keys(process.env)))"`;

/** Runs `npm run <script>` in a throw-away package whose scripts are given; returns the env names the innermost command saw. */
function envNamesUnderNpmRun(script: string, extraEnv: Record<string, string> = {}): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'mllab-npmenv-'));
  try {
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'probe', private: true, scripts: { probe: script } }));
    const r = spawnSync('npm', ['run', '--silent', 'probe'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...extraEnv }, timeout: 60_000 });
    assert.equal(r.status, 0, `npm run probe failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as string[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('npm run hands its lifecycle variables, npm_config_user_agent among them, to what it runs', () => {
  const names = envNamesUnderNpmRun(dump);
  assert.ok(names.includes('npm_config_user_agent'), `npm run set no npm_config_user_agent: ${names.join(' ')}`);
  assert.ok(names.some((n) => n.startsWith('npm_lifecycle_')));
});

test('without_npm_env runs a nested command with none of them, keeping PATH and upper-case NPM_CONFIG_* settings', () => {
  const names = envNamesUnderNpmRun(`bash -c 'source "${lib}"; without_npm_env ${dump.replace(/'/g, `'\\''`)}'`, { NPM_CONFIG_FUND: 'false' });
  assert.deepEqual(names.filter((n) => n.startsWith('npm_') || n === 'NODE' || n === 'INIT_CWD'), []);
  assert.ok(names.includes('PATH'));
  assert.ok(names.includes('NPM_CONFIG_FUND'));
});

test('without_npm_env passes NAME=value assignments before the command through, as env does', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mllab-npmenv-'));
  try {
    const r = spawnSync('bash', ['-c', `source "${lib}"; npm_config_user_agent="npm/11 node/v20.0.0" without_npm_env MLLAB_X=1 node -e 'process.stdout.write(String(process.env.MLLAB_X) + " " + String(process.env.npm_config_user_agent))'`], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '1 undefined');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
