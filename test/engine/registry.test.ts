/**
 * Engine tier: tag, push, remove locally, pull back and run against a real local
 * registry (Debian's docker-registry on 127.0.0.1), and a second registry with htpasswd auth:
 * refused without credentials (our message names the registry), accepted with credentials
 * from a test config.json and from a fake credential helper on PATH. Catalog and tags are
 * listed with and without auth. No credential appears in anything the test printed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import { encodeRegistryAuth, lookupCredentials } from '../../src/core/registry/auth';
import { RegistryClient, RegistryError } from '../../src/core/registry/client';
import { RegistryAuthError } from '../../src/core/registry/errors';
import { TransferProgress } from '../../src/core/registry/progress';
import { runId, testEngine } from '../support/fixtures';
import { startLocalRegistry, type LocalRegistry } from '../support/localRegistry';

const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const RUN = runId('registry');
const USER = 'mllab-student';
const PASSWORD = `pw-${RUN}-Zq9!`;
const repo = (r: LocalRegistry, name: string) => `${r.host}/mllab-enginetest/${name}`;

/** Everything written to stdout/stderr during the run, to assert that no password was printed. */
let captured = '';
function capture(): () => void {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    captured += String(chunk);
    return out(chunk, ...rest);
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    captured += String(chunk);
    return err(chunk, ...rest);
  }) as typeof process.stderr.write;
  return () => {
    process.stdout.write = out;
    process.stderr.write = err;
  };
}

describe('push and pull through the Engine API against local registries', () => {
  let engine: Engine;
  let open: LocalRegistry;
  let locked: LocalRegistry;
  let restore: () => void = () => undefined;
  const localTags: string[] = [];
  const savedEnv = { DOCKER_CONFIG: process.env.DOCKER_CONFIG, PATH: process.env.PATH };

  before(async () => {
    restore = capture();
    engine = testEngine();
    await engine.ping();
    [open, locked] = await Promise.all([startLocalRegistry(`engine-open-${process.pid}`), startLocalRegistry(`engine-auth-${process.pid}`, { auth: { user: USER, password: PASSWORD } })]);
    // A config folder with nothing in it: the machine's own ~/.docker must not leak into the test.
    process.env.DOCKER_CONFIG = mkdtempSync(path.join(tmpdir(), 'mllab-dockercfg-empty-'));
  });

  after(async () => {
    for (const t of localTags) await engine.removeImage(t, { force: true }).catch(() => undefined);
    await Promise.all([open?.stop(), locked?.stop()]);
    process.env.DOCKER_CONFIG = savedEnv.DOCKER_CONFIG;
    process.env.PATH = savedEnv.PATH;
    restore();
    assert.ok(!captured.includes(PASSWORD), 'the password appears in the test output');
    assert.ok(!captured.includes(Buffer.from(`${USER}:${PASSWORD}`).toString('base64')), 'the base64 credentials appear in the test output');
  });

  async function tagFor(reference: string): Promise<void> {
    const i = reference.lastIndexOf(':');
    await engine.tagImage(TINY, reference.slice(0, i), reference.slice(i + 1));
    localTags.push(reference);
  }

  async function push(reference: string, registry: string) {
    const credentials = await lookupCredentials(registry);
    const progress = new TransferProgress();
    const events: unknown[] = [];
    const result = await engine.pushImage(reference, {
      registryAuth: encodeRegistryAuth(credentials, registry),
      hadCredentials: credentials !== undefined,
      onMessage: (m) => {
        events.push(m);
        progress.add(m);
      },
    });
    return { result, progress, events };
  }

  it('tags busybox for the registry, pushes it with progress and gets the digest', async () => {
    const ref = `${repo(open, 'busybox')}:1`;
    await tagFor(ref);
    const { result, progress, events } = await push(ref, open.host);
    assert.match(result.digest ?? '', /^sha256:[a-f0-9]{64}$/);
    assert.equal(progress.digest, result.digest);
    assert.ok(events.some((e) => (e as { status?: string }).status === 'Pushing'), 'byte progress events were streamed');
    const s = progress.snapshot();
    assert.ok(s.layers >= 1 && s.layersDone === s.layers, `all layers done: ${JSON.stringify(s)}`);
  });

  it('removes the tag locally, pulls it back with progress, and runs it', async () => {
    const ref = `${repo(open, 'busybox')}:1`;
    await engine.removeImage(ref);
    assert.ok(!(await engine.listImages()).some((i) => i.repoTags.includes(ref)));
    const progress = new TransferProgress();
    const result = await engine.pullImage(ref, { registryAuth: encodeRegistryAuth(undefined, open.host), onMessage: (m) => progress.add(m) });
    assert.match(result.digest ?? '', /^sha256:/);
    assert.ok((await engine.listImages()).some((i) => i.repoTags.includes(ref)));
    const run = await engine.runToCompletion(ref, ['echo', `pulled-${RUN}`]);
    assert.equal(run.exitCode, 0);
    assert.equal(run.stdout.trim(), `pulled-${RUN}`);
  });

  it('pulls by digest', async () => {
    const ref = `${repo(open, 'busybox')}:1`;
    const digest = (await engine.listImages()).find((i) => i.repoTags.includes(ref))?.repoDigests[0];
    assert.ok(digest, 'the pulled image has a repo digest');
    const result = await engine.pullImage(digest, { registryAuth: encodeRegistryAuth(undefined, open.host) });
    localTags.push(digest); // the digest reference stays on the image: remove it too
    assert.equal(result.digest, digest.slice(digest.indexOf('@') + 1));
  });

  it('lists the catalog and tags of the open registry without credentials', async () => {
    const client = new RegistryClient(open.host);
    await client.check();
    assert.ok((await client.catalog()).includes('mllab-enginetest/busybox'));
    assert.deepEqual(await client.tags('mllab-enginetest/busybox'), ['1']);
  });

  it('fails a push to the htpasswd registry without credentials, naming the registry', async () => {
    const ref = `${repo(locked, 'busybox')}:anon`;
    await tagFor(ref);
    await assert.rejects(push(ref, locked.host), (e: unknown) => {
      assert.ok(e instanceof RegistryAuthError, `got ${String(e)}`);
      assert.equal(e.registry, locked.host);
      assert.match(e.message, new RegExp(`^${locked.host.replace(/\./g, '\\.')} refused the push: it requires you to log in \\(no basic auth credentials\\)`));
      return true;
    });
  });

  it('pushes to the htpasswd registry with credentials from a test config.json', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mllab-dockercfg-'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { [locked.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }), { mode: 0o600 });
    process.env.DOCKER_CONFIG = dir;
    const ref = `${repo(locked, 'busybox')}:from-config`;
    await tagFor(ref);
    const { result } = await push(ref, locked.host);
    assert.match(result.digest ?? '', /^sha256:/);
  });

  it('refuses wrong credentials with a message that says they were not accepted', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mllab-dockercfg-'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { [locked.host]: { username: USER, password: 'not-it' } } }));
    process.env.DOCKER_CONFIG = dir;
    const ref = `${repo(locked, 'busybox')}:from-config`;
    await assert.rejects(push(ref, locked.host), (e: unknown) => e instanceof RegistryAuthError && /the stored credentials were not accepted/.test(e.message));
  });

  it('pushes to the htpasswd registry with credentials from a credential helper on PATH', async () => {
    const bin = mkdtempSync(path.join(tmpdir(), 'mllab-helper-'));
    const helper = path.join(bin, 'docker-credential-mllabtest');
    // The fake helper answers only for the locked registry, as a real helper would.
    writeFileSync(
      helper,
      `#!/bin/sh\nread server\nif [ "$1" = get ] && [ "$server" = "${locked.host}" ]; then\n  printf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASSWORD}"}' "$server"\nelse\n  echo "credentials not found in native keychain"; exit 1\nfi\n`,
    );
    chmodSync(helper, 0o755);
    process.env.PATH = `${bin}:${savedEnv.PATH}`;
    const dir = mkdtempSync(path.join(tmpdir(), 'mllab-dockercfg-'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ credHelpers: { [locked.host]: 'mllabtest' } }));
    process.env.DOCKER_CONFIG = dir;
    const ref = `${repo(locked, 'busybox')}:from-helper`;
    await tagFor(ref);
    const { result } = await push(ref, locked.host);
    assert.match(result.digest ?? '', /^sha256:/);
    // and credsStore uses the same helper
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ credsStore: 'mllabtest' }));
    assert.equal((await lookupCredentials(locked.host))?.username, USER);
  });

  it('lists the htpasswd registry only with credentials', async () => {
    await assert.rejects(new RegistryClient(locked.host).catalog(), (e: unknown) => e instanceof RegistryError && e.kind === 'unauthorized');
    const client = new RegistryClient(locked.host, { credentials: { username: USER, password: PASSWORD, source: 'test' } });
    assert.deepEqual(await client.catalog(), ['mllab-enginetest/busybox']);
    assert.deepEqual(await client.tags('mllab-enginetest/busybox'), ['from-config', 'from-helper']);
  });
});
