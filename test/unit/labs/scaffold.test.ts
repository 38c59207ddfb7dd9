import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LAB_TEMPLATES, nodeLabFs, planScaffold, writeScaffold, type LabFs } from '../../../src/core/labs/scaffold';
import { nodeIO, runCli } from '../../../src/cli/lint';
import { parseProfiles } from '../../../src/core/run/profile';

const ROOT = path.resolve(__dirname, '../../../..');
const TEMPLATES = path.join(ROOT, 'templates');

function memoryFs(files: Record<string, string>): LabFs & { files: Record<string, string> } {
  const enc = new TextEncoder();
  const fs = {
    files: { ...files },
    listFiles: async (dir: string) => Object.keys(fs.files).filter((f) => f.startsWith(dir + '/')).map((f) => f.slice(dir.length + 1)),
    readFile: async (f: string) => enc.encode(fs.files[f]),
    exists: async (f: string) => f in fs.files,
    writeFile: async (f: string, d: Uint8Array) => {
      fs.files[f] = new TextDecoder().decode(d);
    },
  };
  return fs;
}

void test('every template folder exists with its Dockerfile, requirements.txt, .dockerignore and profile', () => {
  assert.deepEqual(readdirSync(TEMPLATES).sort(), LAB_TEMPLATES.map((t) => t.id).sort());
  for (const t of LAB_TEMPLATES) {
    for (const f of [t.dockerfile, 'requirements.txt', '.dockerignore', '.vscode/mllab.yaml']) {
      assert.ok(existsSync(path.join(TEMPLATES, t.id, f)), `${t.id}/${f}`);
    }
  }
  assert.ok(existsSync(path.join(TEMPLATES, 'training', 'train.py')));
});

void test('every template is lint-clean at --fail-level hint', async () => {
  let out = '';
  const io = { ...nodeIO, stdout: (t: string) => (out += t) };
  const files = LAB_TEMPLATES.flatMap((t) => [path.join(TEMPLATES, t.id, t.dockerfile), path.join(TEMPLATES, t.id, 'requirements.txt')]);
  assert.equal(await runCli(['--fail-level', 'hint', ...files], io), 0, out);
  assert.equal(out, '');
  // and the same linter does fail on an unpinned requirement at that level (the check can fail)
  const dir = mkdtempSync(path.join(tmpdir(), 'mllab-lint-'));
  writeFileSync(path.join(dir, 'requirements.txt'), 'flask\n');
  assert.equal(await runCli(['--fail-level', 'hint', path.join(dir, 'requirements.txt')], { ...nodeIO, stdout: () => undefined }), 1);
});

void test("every template's profile parses and builds its own Dockerfile; serving templates declare their app", () => {
  for (const t of LAB_TEMPLATES) {
    const { profiles, errors } = parseProfiles(readFileSync(path.join(TEMPLATES, t.id, '.vscode/mllab.yaml'), 'utf8'), { workspaceFolder: '/lab' });
    assert.deepEqual(errors, [], t.id);
    assert.equal(profiles[0].build?.dockerfile, path.join('/lab', t.dockerfile));
    if (t.port) assert.deepEqual(profiles[0].apps?.map((a) => a.port), [t.port], t.id);
  }
});

void test('planScaffold lists the template files and writeScaffold copies them', async () => {
  const fs = memoryFs({ '/t/training/train.py': 'print()', '/t/training/.vscode/mllab.yaml': 'version: 1', '/work/lab/notes.md': 'mine' });
  const plan = await planScaffold(fs, '/t', 'training', '/work/lab');
  assert.deepEqual(plan.files.map((f) => f.to), ['/work/lab/.vscode/mllab.yaml', '/work/lab/train.py']);
  await writeScaffold(fs, plan);
  assert.equal(fs.files['/work/lab/train.py'], 'print()');
  assert.equal(fs.files['/work/lab/notes.md'], 'mine');
});

void test('planScaffold refuses to overwrite, naming the files that exist', async () => {
  const fs = memoryFs({ '/t/training/train.py': 'new', '/t/training/requirements.txt': 'x', '/work/lab/train.py': 'mine' });
  await assert.rejects(planScaffold(fs, '/t', 'training', '/work/lab'), /\/work\/lab already has train\.py: a new lab never overwrites files/);
  assert.equal(fs.files['/work/lab/train.py'], 'mine');
  await assert.rejects(planScaffold(fs, '/t', 'nope', '/work/lab'), /no lab template "nope". Templates: training, serving-flask/);
});

void test('nodeLabFs scaffolds a real template with its dot files, and a second run refuses', async () => {
  const target = mkdtempSync(path.join(tmpdir(), 'mllab-newlab-'));
  const fs = nodeLabFs();
  const written = await writeScaffold(fs, await planScaffold(fs, TEMPLATES, 'serving-flask', target));
  assert.deepEqual(written.map((f) => path.relative(target, f)).sort(), ['.dockerignore', '.vscode/mllab.yaml', 'Dockerfile', 'app.py', 'requirements.txt']);
  assert.equal(readFileSync(path.join(target, 'app.py'), 'utf8'), readFileSync(path.join(TEMPLATES, 'serving-flask', 'app.py'), 'utf8'));
  await assert.rejects(planScaffold(fs, TEMPLATES, 'serving-flask', target), /already has \.dockerignore, \.vscode\/mllab\.yaml, Dockerfile, app\.py, requirements\.txt/);
});
