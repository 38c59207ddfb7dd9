/**
 * scripts/lib/sharedBundle.mjs splits the extension into dist/extension.js and dist/features.js
 * (loaded on first use) without running any module with state twice. A small project built the
 * same way checks the behaviour (one counter, seen from both bundles; the second bundle not loaded
 * before it is required); the real sources check that the modules with state that matter are shared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = path.resolve(__dirname, '..', '..', '..', '..');

interface Metafile { inputs: Record<string, unknown>; outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> }
interface SharedBundleLib {
  buildSharedBundles(base: object, outdir: string): Promise<{ shared: string[]; extension: Metafile; features: Metafile }>;
  isStateful(file: string): boolean;
  jsOutput(meta: Metafile): Metafile['outputs'][string];
}
const lib = async () => (await import(pathToFileURL(path.join(repo, 'scripts', 'lib', 'sharedBundle.mjs')).href)) as SharedBundleLib;

const project: Record<string, string> = {
  // state: a counter and a class (instanceof must hold across the bundles)
  'src/state.ts': `export let count = 0;
export function bump(): number { return ++count; }
export class Oops extends Error {}
`,
  // stateless: may be copied into both
  'src/pure.ts': `export const twice = (n: number) => n * 2;
export const unusedByExtension = (s: string) => s.toUpperCase();
`,
  'src/features.ts': `import { bump, count, Oops } from './state';
import { twice, unusedByExtension } from './pure';
export function feature(): { bumped: number; seen: number; twice: number; shout: string } {
  const bumped = bump();
  return { bumped, seen: count, twice: twice(bumped), shout: unusedByExtension('x') };
}
export function fail(): never { throw new Oops('from features'); }
`,
  'src/extension.ts': `import { bump, count, Oops } from './state';
import { twice } from './pure';
import type * as Features from './features';
const loaded = () => Object.keys(require.cache).map((f) => f.split(/[\\\\/]/).pop()).sort();
export function activate() {
  bump();
  const before = loaded();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const f = require('./features') as typeof Features;
  const r = f.feature();
  let oopsIsShared = false;
  try { f.fail(); } catch (err) { oopsIsShared = err instanceof Oops; }
  return { before, after: loaded(), ...r, countHere: count, twiceHere: twice(3), oopsIsShared };
}
`,
};

test('two bundles share their modules with state: one counter, one class, the second bundle loaded only when required', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mllab-shared-'));
  try {
    for (const [f, text] of Object.entries(project)) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), text);
    }
    // the library resolves sources relative to the working directory, as scripts/build.mjs runs it;
    // with source maps, as the development build (the metafile then lists each .map too)
    const script = `
const { buildSharedBundles, jsOutput } = await import(${JSON.stringify(pathToFileURL(path.join(repo, 'scripts', 'lib', 'sharedBundle.mjs')).href)});
const r = await buildSharedBundles({ bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent', sourcemap: true }, 'dist');
process.stdout.write(JSON.stringify({ shared: r.shared, features: Object.keys(jsOutput(r.features).inputs) }));`;
    const built = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    const b = JSON.parse(built.stdout) as { shared: string[]; features: string[] };
    assert.deepEqual(b.shared, ['src/state.ts']);
    assert.ok(b.features.includes('shared-module:src/state.ts'));
    assert.ok(!b.features.includes('src/state.ts'), 'the features bundle holds no copy of the module with state');
    const run = spawnSync(process.execPath, ['-e', `process.stdout.write(JSON.stringify(require('./dist/extension.js').activate()))`], { cwd: dir, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const r = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.ok(!(r.before as string[]).includes('features.js'), 'dist/features.js is not loaded before it is required');
    assert.ok((r.after as string[]).includes('features.js'));
    assert.equal(r.bumped, 2, 'the features bundle bumped the counter the extension bundle had bumped');
    assert.equal(r.seen, 2, 'a `let` export is seen live from the features bundle');
    assert.equal(r.countHere, 2);
    assert.equal(r.twice, 4);
    assert.equal(r.twiceHere, 6);
    assert.equal(r.shout, 'X');
    assert.equal(r.oopsIsShared, true, 'an error class thrown in one bundle is instanceof in the other');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the extension: the log, the engine session and the stores exist once; the command implementations stay out of dist/extension.js', async () => {
  const { buildSharedBundles, jsOutput } = await lib();
  const { lazyVendorPlugin } = (await import(pathToFileURL(path.join(repo, 'scripts', 'lib', 'lazyVendor.mjs')).href)) as { lazyVendorPlugin(): unknown };
  const { profileValidatorPlugin } = (await import(pathToFileURL(path.join(repo, 'scripts', 'lib', 'profileValidator.mjs')).href)) as { profileValidatorPlugin(): unknown };
  const cwd = process.cwd();
  process.chdir(repo);
  try {
    const r = await buildSharedBundles({
      bundle: true, platform: 'node', format: 'cjs', target: 'node18', write: false, logLevel: 'silent', sourcemap: true,
      external: ['vscode', 'cpu-features', '*.node'], plugins: [lazyVendorPlugin(), profileValidatorPlugin()],
    }, path.join(tmpdir(), 'mllab-shared-unused'));
    const ext = jsOutput(r.extension).inputs;
    const feat = jsOutput(r.features).inputs;
    for (const m of ['src/ui/base/log.ts', 'src/ui/base/session.ts', 'src/core/errors.ts', 'src/engine/connection.ts', 'src/ui/shared/profileStore.ts']) {
      assert.ok(r.shared.includes(m), `${m} is shared`);
      assert.ok(!(m in feat), `dist/features.js holds no copy of ${m}`);
    }
    for (const m of ['src/ui/commands/registry.ts', 'src/ui/language/index.ts', 'src/core/dockerfile/rules/index.ts']) {
      assert.ok(!ext[m]?.bytesInOutput, `${m} is not in dist/extension.js`);
      assert.ok(feat[m]?.bytesInOutput, `${m} is in dist/features.js`);
    }
  } finally {
    process.chdir(cwd);
  }
});

test('isStateful: `let`, classes and objects made empty are state; functions and constant tables are not', async () => {
  const { isStateful } = await lib();
  const cwd = process.cwd();
  process.chdir(repo);
  try {
    assert.equal(isStateful('src/ui/base/log.ts'), true); // let channel
    assert.equal(isStateful('src/core/errors.ts'), true); // class UserError
    assert.equal(isStateful('src/core/format.ts'), false);
  } finally {
    process.chdir(cwd);
  }
});
