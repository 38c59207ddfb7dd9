/**
 * scripts/lib/lazyVendor.mjs keeps dockerode, yaml, dockerfile-ast, tar-stream and
 * @balena/dockerignore out of dist/extension.js and loads each on first use (activation). These tests bundle a small module the way scripts/build.mjs bundles the
 * extension, load it in a child Node, and check that nothing is loaded before first use and that
 * every import form the extension uses (named, namespace, default function, require + new)
 * behaves as the real package.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = path.resolve(__dirname, '..', '..', '..', '..');

interface LazyVendorLib {
  lazyPackages: string[];
  lazyVendorPlugin(): unknown;
  vendorBuilds(outdir: string, o?: { production?: boolean }): object[];
}

const entry = `
import { parseDocument, isMap } from 'yaml';
import { DockerfileParser } from 'dockerfile-ast';
import * as tar from 'tar-stream';
import ignore from '@balena/dockerignore';
const vendorLoaded = () => Object.keys(require.cache).filter((f) => f.includes('/vendor/')).map((f) => f.split('/').pop()).sort();
const before = vendorLoaded();
const doc = parseDocument('a: 1');
const Dockerode = require('dockerode');
const docker = new Dockerode({ socketPath: '/nonexistent.sock' });
const result = {
  before,
  yamlIsMap: isMap(doc.contents),
  instructions: DockerfileParser.parse('FROM x\\nRUN y').getInstructions().map((i) => i.getKeyword()),
  packHasFinalize: typeof tar.pack().finalize,
  ignores: ignore().add(['data/']).ignores('data/x.csv'),
  dockerodeInstance: docker instanceof Dockerode && typeof docker.listContainers,
  sshClient: typeof new (require('ssh2').Client)().exec,
  sshParseKey: typeof require('ssh2').utils.parseKey,
  after: vendorLoaded(),
};
process.stdout.write(JSON.stringify(result));
`;

test('the lazy packages load only on first use, and behave as the real packages', async () => {
  const esbuild = await import('esbuild');
  const lib = (await import(pathToFileURL(path.join(repo, 'scripts', 'lib', 'lazyVendor.mjs')).href)) as LazyVendorLib;
  const dir = mkdtempSync(path.join(tmpdir(), 'mllab-lazy-'));
  try {
    await esbuild.build({
      stdin: { contents: entry, resolveDir: repo, loader: 'ts' },
      bundle: true, platform: 'node', format: 'cjs', outfile: path.join(dir, 'main.js'), logLevel: 'silent',
      external: ['cpu-features', '*.node'],
      plugins: [lib.lazyVendorPlugin() as never],
    });
    await Promise.all(lib.vendorBuilds(dir).map((o) => esbuild.build({ ...o, logLevel: 'silent' })));
    // main.js holds none of the packages' code: only the stubs.
    const size = (await import('node:fs')).statSync(path.join(dir, 'main.js')).size;
    assert.ok(size < 20_000, `main.js is ${size} bytes: a lazy package was bundled into it`);
    const r = spawnSync(process.execPath, [path.join(dir, 'main.js')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(out.before, []);
    assert.equal(out.yamlIsMap, true);
    assert.deepEqual(out.instructions, ['FROM', 'RUN']);
    assert.equal(out.packHasFinalize, 'function');
    assert.equal(out.ignores, true);
    assert.equal(out.dockerodeInstance, 'function');
    assert.equal(out.sshClient, 'function');
    assert.equal(out.sshParseKey, 'function');
    const used = ['@balena/dockerignore', 'dockerfile-ast', 'dockerode', 'ssh2', 'tar-stream', 'yaml'];
    assert.ok(used.every((p) => lib.lazyPackages.includes(p)));
    assert.deepEqual(out.after, used.map((p) => `${p.replace(/^@/, '').replace('/', '-')}.js`).sort());
    // ssh2 ships once: dockerode's bundle requires dist/vendor/ssh2.js (docker-modem's SSH
    // transport), and holds neither ssh2's code nor the gRPC/protobuf code of dockerode's own
    // BuildKit session, which the extension never runs.
    const dockerodeJs = readFileSync(path.join(dir, 'vendor', 'dockerode.js'), 'utf8');
    assert.match(dockerodeJs, /require\("\.\/ssh2\.js"\)/);
    assert.doesNotMatch(dockerodeJs, /node_modules\/(ssh2|@grpc|protobufjs)\//);
    // ssh2's bundle is the client: its SSH server, key generation and SFTP are stubs.
    const ssh2Js = readFileSync(path.join(dir, 'vendor', 'ssh2.js'), 'utf8');
    assert.match(ssh2Js, /node_modules\/ssh2\/lib\/client\.js/);
    assert.doesNotMatch(ssh2Js, /node_modules\/ssh2\/lib\/(server|keygen|protocol\/SFTP)\.js/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
