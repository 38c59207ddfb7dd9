/**
 * scripts/lib/profileValidator.mjs generates the profile validator from the JSON Schema and keeps
 * it out of dist/extension.js: this test bundles parseProfiles the way scripts/build.mjs bundles
 * the extension, runs it in a child Node, and checks that the validator bundle is loaded only
 * when the first profile file is read, and that it reports what the schema says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = path.resolve(__dirname, '..', '..', '..', '..');

interface ProfileValidatorLib {
  PROFILE_VALIDATOR_VENDOR: string;
  profileValidatorPlugin(vendorDir?: string): unknown;
  profileValidatorBuild(outfile: string, o?: { production?: boolean; root?: string }): object;
}
interface LazyVendorLib {
  lazyVendorPlugin(): unknown;
  vendorBuilds(outdir: string, o?: { production?: boolean }): object[];
}

const entry = `
import { parseProfiles } from './src/core/run/profile';
const loaded = () => Object.keys(require.cache).some((f) => f.endsWith('profile-validator.js'));
const before = loaded();
const { errors } = parseProfiles('version: 2\\nprofiles: {}\\n');
process.stdout.write(JSON.stringify({ before, after: loaded(), messages: errors.map((e) => e.message), expected: errors.map((e) => e.expected) }));
`;

test('the generated profile validator loads on the first profile read and checks the schema', async () => {
  const esbuild = await import('esbuild');
  const lib = (await import(pathToFileURL(path.join(repo, 'scripts', 'lib', 'profileValidator.mjs')).href)) as ProfileValidatorLib;
  const lazy = (await import(pathToFileURL(path.join(repo, 'scripts', 'lib', 'lazyVendor.mjs')).href)) as LazyVendorLib;
  const dir = mkdtempSync(path.join(tmpdir(), 'mllab-validator-'));
  try {
    await esbuild.build({
      stdin: { contents: entry, resolveDir: repo, loader: 'ts' },
      bundle: true, platform: 'node', format: 'cjs', outfile: path.join(dir, 'main.js'), logLevel: 'silent',
      external: ['cpu-features', '*.node'],
      plugins: [lazy.lazyVendorPlugin() as never, lib.profileValidatorPlugin() as never],
    });
    await Promise.all([
      ...lazy.vendorBuilds(dir).map((o) => esbuild.build({ ...o, logLevel: 'silent' })),
      esbuild.build({ ...lib.profileValidatorBuild(path.join(dir, lib.PROFILE_VALIDATOR_VENDOR), { root: repo }), logLevel: 'silent' }),
    ]);
    assert.doesNotMatch(readFileSync(path.join(dir, 'main.js'), 'utf8'), /function validate\d+/, 'the generated checks are not in the main bundle');
    const r = spawnSync(process.execPath, [path.join(dir, 'main.js')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { before: boolean; after: boolean; messages: string[]; expected: string[] };
    assert.equal(out.before, false);
    assert.equal(out.after, true);
    assert.deepEqual(out.messages, ['version should be 1, not the number 2: this extension reads version 1 profile files']);
    assert.match(out.expected[0], /^File format version/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
