import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { nodeIO, parseArgs, runCli, type CliIO } from '../../../src/cli/lint';

const ROOT = path.resolve(__dirname, '../../../..');
const FIX = path.join(ROOT, 'test/fixtures/dockerfiles');

function memoryIO(files: Record<string, string>): CliIO & { out: string; err: string; files: Record<string, string> } {
  const io = {
    out: '',
    err: '',
    files: { ...files },
    readFile: async (f: string) => {
      if (!(f in io.files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return io.files[f];
    },
    writeFile: async (f: string, t: string) => {
      io.files[f] = t;
    },
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
    exists: async (f: string) => f in io.files,
  };
  return io;
}

test('clean Dockerfile and requirements: exit 0, no output', async () => {
  const io = { ...nodeIO, stdout: (t: string) => assert.fail(`unexpected output ${t}`) };
  assert.equal(await runCli([path.join(FIX, 'clean/Dockerfile'), path.join(FIX, 'clean/requirements.txt')], io), 0);
});

test('text format: path:line:col: severity RULE message, exit 1', async () => {
  const io = memoryIO({ Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nCMD python app.py\n' });
  assert.equal(await runCli(['Dockerfile'], io), 1);
  assert.match(io.out, /^Dockerfile:3:1: warning ML006 /m);
});

test('json format has file, line, column, end line, end column, rule, severity, message', async () => {
  const io = memoryIO({ 'requirements.txt': 'numpy\nsklearn\n' });
  assert.equal(await runCli(['--format', 'json', 'requirements.txt'], io), 1);
  const arr = JSON.parse(io.out) as Array<Record<string, unknown>>;
  assert.deepEqual(arr[0], { file: 'requirements.txt', line: 1, column: 1, endLine: 1, endColumn: 6, rule: 'ML028', severity: 'warning', message: arr[0].message });
  assert.equal(arr[1].rule, 'ML013');
  assert.equal(arr[1].severity, 'error');
});

test('fail level: information findings pass at the default level and fail at information', async () => {
  const text = 'FROM python:3.12-slim\nWORKDIR /app\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nUSER 1000\n';
  assert.equal(await runCli(['Dockerfile'], memoryIO({ Dockerfile: text })), 0);
  assert.equal(await runCli(['--fail-level=information', 'Dockerfile'], memoryIO({ Dockerfile: text })), 1);
  assert.equal(await runCli(['--fail-level', 'error', '--format=json', 'Dockerfile'], memoryIO({ Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nUSER 1000\nCMD python a.py\n' })), 0);
});

test('ML024 uses the .dockerignore next to the Dockerfile', async () => {
  const text = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n';
  const a = memoryIO({ 'p/Dockerfile': text });
  await runCli(['p/Dockerfile'], a);
  assert.match(a.out, /ML024/);
  const b = memoryIO({ 'p/Dockerfile': text, 'p/.dockerignore': '.git\n' });
  await runCli(['p/Dockerfile'], b);
  assert.doesNotMatch(b.out, /ML024/);
});

test('usage errors and unreadable files exit 2 with a message', async () => {
  for (const argv of [[], ['--format', 'xml', 'Dockerfile'], ['--bogus', 'Dockerfile'], ['--fail-level']]) {
    const io = memoryIO({ Dockerfile: 'FROM python:3.12-slim\n' });
    assert.equal(await runCli(argv, io), 2, argv.join(' '));
    assert.match(io.err, /mllab-lint: .*\n\nUsage:/);
  }
  const io = memoryIO({ Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nCMD python a.py\n' });
  assert.equal(await runCli(['missing/Dockerfile', 'Dockerfile'], io), 2);
  assert.match(io.err, /cannot read missing\/Dockerfile: no such file/);
  assert.match(io.out, /ML006/, 'readable files are still reported');
});

test('--help prints usage and exits 0', async () => {
  const io = memoryIO({});
  assert.equal(await runCli(['--help'], io), 0);
  assert.match(io.out, /^Usage: mllab-lint/);
});

test('parseArgs: -- ends options', () => {
  assert.deepEqual(parseArgs(['--fix', '--', '--weird-name']).files, ['--weird-name']);
});

test('--fix applies safe fixes in place and reports what remains', async () => {
  const original = readFileSync(path.join(FIX, 'messy/Dockerfile'), 'utf8');
  const io = memoryIO({ Dockerfile: original, 'requirements.txt': 'numpy\nsklearn\n' });
  const code = await runCli(['--fix', 'Dockerfile', 'requirements.txt'], io);
  const fixed = io.files.Dockerfile;
  assert.notEqual(fixed, original);
  assert.match(fixed, /^FROM python:3\.12 AS build$/m);
  assert.match(fixed, /apt-get install/);
  assert.match(fixed, /scikit-learn==1\.4\.0/);
  assert.match(fixed, /^ENV MODEL_DIR=\/models$/m);
  assert.match(fixed, /^COPY app\.py \/app\/$/m);
  assert.match(fixed, /^EXPOSE 5000$/m);
  assert.match(fixed, /^CMD \["flask", "run", "--host=0.0.0.0", "--port", "5000"\]$/m);
  assert.equal(io.files['requirements.txt'], 'numpy\nscikit-learn\n');
  for (const r of ['ML006', 'ML008', 'ML012', 'ML013', 'ML015', 'ML016', 'ML017', 'ML030']) assert.doesNotMatch(io.out, new RegExp(r), r);
  assert.match(io.out, /ML028/); // no installed versions known: a placeholder is not safe
  assert.equal(code, 1);
});

test('the built CLI runs (dist/cli/mllab-lint.js)', { skip: !existsSync(path.join(ROOT, 'dist/cli/mllab-lint.js')) }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mllab-'));
  cpSync(path.join(FIX, 'messy'), dir, { recursive: true });
  writeFileSync(path.join(dir, 'ok.dockerfile'), readFileSync(path.join(FIX, 'clean/Dockerfile')));
  const cli = path.join(ROOT, 'dist/cli/mllab-lint.js');
  const bad = spawnSync(process.execPath, [cli, '--format', 'json', path.join(dir, 'Dockerfile')], { encoding: 'utf8' });
  assert.equal(bad.status, 1, bad.stderr);
  assert.ok((JSON.parse(bad.stdout) as unknown[]).length > 5);
  const usage = spawnSync(process.execPath, [cli], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /Usage: mllab-lint/);
});
