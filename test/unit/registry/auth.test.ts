/** Credential lookup from Docker config files and credential helpers (src/core/registry/auth.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  configuredRegistries,
  dockerConfigDir,
  encodeRegistryAuth,
  lookupCredentials,
  readDockerConfig,
  type DockerConfigFile,
  type HelperRunner,
} from '../../../src/core/registry/auth';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const fakeHelper = (answers: Record<string, Record<string, { Username: string; Secret: string }>>, calls: string[] = []): HelperRunner =>
  async (helper, server) => {
    calls.push(`${helper} ${server}`);
    return answers[helper]?.[server];
  };

describe('dockerConfigDir', () => {
  it('honours DOCKER_CONFIG', () => assert.equal(dockerConfigDir({ DOCKER_CONFIG: '/tmp/dc' }, '/home/u'), '/tmp/dc'));
  it('defaults to ~/.docker', () => assert.equal(dockerConfigDir({}, '/home/u'), '/home/u/.docker'));
});

describe('readDockerConfig', () => {
  it('reads config.json and returns {} when there is none', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mllab-dc-'));
    assert.deepEqual(readDockerConfig(dir), {});
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ credsStore: 'pass' }));
    assert.deepEqual(readDockerConfig(dir), { credsStore: 'pass' });
  });
  it('names the file when it is not JSON, without quoting its content', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mllab-dc-'));
    writeFileSync(path.join(dir, 'config.json'), '{"auths": {"x": {"auth": "c2VjcmV0"}');
    assert.throws(() => readDockerConfig(dir), (e: Error) => e.message.includes('config.json is not valid JSON') && !e.message.includes('c2VjcmV0'));
  });
});

describe('lookupCredentials', () => {
  const cases: Array<{ name: string; registry: string; config: DockerConfigFile; helper?: HelperRunner; expected: { username?: string; password?: string; identityToken?: string } | undefined }> = [
    { name: 'decodes a base64 auth entry', registry: '127.0.0.1:5000', config: { auths: { '127.0.0.1:5000': { auth: b64('ann:pa:ss') } } }, expected: { username: 'ann', password: 'pa:ss' } },
    { name: 'finds Docker Hub under https://index.docker.io/v1/', registry: 'docker.io', config: { auths: { 'https://index.docker.io/v1/': { auth: b64('hub:pw') } } }, expected: { username: 'hub', password: 'pw' } },
    { name: 'finds Docker Hub from the alias index.docker.io', registry: 'index.docker.io', config: { auths: { 'https://index.docker.io/v1/': { auth: b64('hub:pw') } } }, expected: { username: 'hub', password: 'pw' } },
    { name: 'matches an auths key written as a URL', registry: 'ghcr.io', config: { auths: { 'https://ghcr.io': { username: 'u', password: 'p' } } }, expected: { username: 'u', password: 'p' } },
    { name: 'reads an identity token', registry: 'docker.io', config: { auths: { 'docker.io': { identitytoken: 'tok' } } }, expected: { identityToken: 'tok' } },
    { name: 'returns nothing for an unknown registry', registry: 'other:5000', config: { auths: { '127.0.0.1:5000': { auth: b64('a:b') } } }, expected: undefined },
    { name: 'returns nothing for an entry that only marks a creds store', registry: '127.0.0.1:5000', config: { auths: { '127.0.0.1:5000': {} } }, expected: undefined },
    {
      name: 'prefers credHelpers over auths',
      registry: '127.0.0.1:5000',
      config: { credHelpers: { '127.0.0.1:5000': 'fake' }, auths: { '127.0.0.1:5000': { auth: b64('old:old') } } },
      helper: fakeHelper({ fake: { '127.0.0.1:5000': { Username: 'helper', Secret: 's1' } } }),
      expected: { username: 'helper', password: 's1' },
    },
    {
      name: 'asks credsStore with the Docker Hub index URL',
      registry: 'docker.io',
      config: { credsStore: 'desktop', auths: { 'https://index.docker.io/v1/': {} } },
      helper: fakeHelper({ desktop: { 'https://index.docker.io/v1/': { Username: 'hubby', Secret: 's2' } } }),
      expected: { username: 'hubby', password: 's2' },
    },
    {
      name: 'falls back to auths when the creds store has nothing',
      registry: '127.0.0.1:5000',
      config: { credsStore: 'desktop', auths: { '127.0.0.1:5000': { auth: b64('a:b') } } },
      helper: fakeHelper({}),
      expected: { username: 'a', password: 'b' },
    },
    {
      name: 'turns a helper answer with user <token> into an identity token',
      registry: 'docker.io',
      config: { credsStore: 'desktop' },
      helper: fakeHelper({ desktop: { 'https://index.docker.io/v1/': { Username: '<token>', Secret: 'refresh' } } }),
      expected: { identityToken: 'refresh' },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await lookupCredentials(c.registry, { config: c.config, configDir: '/nonexistent', runHelper: c.helper ?? fakeHelper({}) });
      if (!c.expected) return assert.equal(r, undefined);
      assert.ok(r);
      assert.equal(r.username, c.expected.username);
      assert.equal(r.password, c.expected.password);
      assert.equal(r.identityToken, c.expected.identityToken);
    });
  }
  it('looks in our secret storage first and runs no helper then', async () => {
    const calls: string[] = [];
    const r = await lookupCredentials('127.0.0.1:5000', {
      config: { credsStore: 'desktop' },
      runHelper: fakeHelper({}, calls),
      secretStore: async (h) => (h === '127.0.0.1:5000' ? { username: 'mine', password: 'x', source: 'VS Code secret storage' } : undefined),
    });
    assert.equal(r?.username, 'mine');
    assert.deepEqual(calls, []);
  });
  it('reads config.json from the config folder', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mllab-dc-'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { 'localhost:5000': { auth: b64('f:g') } } }));
    const r = await lookupCredentials('localhost:5000', { configDir: dir, runHelper: fakeHelper({}) });
    assert.equal(r?.username, 'f');
    assert.equal(r?.source, path.join(dir, 'config.json'));
  });
});

describe('configuredRegistries and encodeRegistryAuth', () => {
  it('lists auths and credHelpers keys, normalised and once each', () => {
    assert.deepEqual(configuredRegistries({ auths: { 'https://index.docker.io/v1/': {}, 'ghcr.io': {} }, credHelpers: { 'ghcr.io': 'gh', '127.0.0.1:5000': 'x' } }), ['docker.io', 'ghcr.io', '127.0.0.1:5000']);
  });
  it('encodes X-Registry-Auth as base64url JSON with the server address', () => {
    const v = encodeRegistryAuth({ username: 'u', password: 'p?>', source: 't' }, 'docker.io');
    assert.ok(!/[+/]/.test(v));
    assert.deepEqual(JSON.parse(Buffer.from(v, 'base64url').toString()), { username: 'u', password: 'p?>', serveraddress: 'https://index.docker.io/v1/' });
    assert.deepEqual(JSON.parse(Buffer.from(encodeRegistryAuth(undefined, 'x:1'), 'base64url').toString()), {});
    assert.deepEqual(JSON.parse(Buffer.from(encodeRegistryAuth({ identityToken: 't', source: 's' }, 'x:1'), 'base64url').toString()), { identitytoken: 't', serveraddress: 'x:1' });
  });
});
