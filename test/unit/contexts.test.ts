import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { nodeConnectionInputs, resolveConnection } from '../../src/core/connection';
import { checkContextName, contextDir, listEngines, removeDockerContext, writeDockerContext } from '../../src/core/contexts';

function withConfig(fn: (configDir: string, inputs: (o?: { setting?: string; context?: string; env?: Record<string, string> }) => ReturnType<typeof nodeConnectionInputs>) => void): void {
  const configDir = mkdtempSync(path.join(tmpdir(), 'mllab-ctx-'));
  try {
    fn(configDir, (o = {}) => ({ ...nodeConnectionInputs(o.setting, o.context), env: { DOCKER_CONFIG: configDir, ...(o.env ?? {}) } }));
  } finally {
    rmSync(configDir, { recursive: true, force: true });
  }
}
const exists = (configDir: string) => (name: string) => existsSync(path.join(configDir, 'contexts', 'meta', contextDir(name)));

describe('Docker contexts in the CLI store, and the Engines list', () => {
  it('the store folder is sha256(name) as the Docker CLI names it', () => {
    // docker/cli uses digest.FromString(name).Encoded(); the engine tier checks `docker context ls` reads what we write.
    assert.match(contextDir('gpu-box'), /^[0-9a-f]{64}$/);
  });

  it('writes an ssh context and a TLS context; lists them with the default engine; marks the current one', () => withConfig((configDir, inputs) => {
    const tls = mkdtempSync(path.join(tmpdir(), 'mllab-tls-'));
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(tls, f), `${f}\n`);
    writeDockerContext(configDir, { name: 'gpu-box', host: 'ssh://me@gpu-box', description: 'lab GPU server' }, exists(configDir));
    writeDockerContext(configDir, { name: 'cloud', host: 'tcp://10.0.0.7:2376', tlsDir: tls }, exists(configDir));
    const meta = JSON.parse(readFileSync(path.join(configDir, 'contexts', 'meta', contextDir('gpu-box'), 'meta.json'), 'utf8'));
    assert.deepEqual(meta, { Name: 'gpu-box', Metadata: { Description: 'lab GPU server' }, Endpoints: { docker: { Host: 'ssh://me@gpu-box', SkipTLSVerify: false } } });
    assert.equal(readFileSync(path.join(configDir, 'contexts', 'tls', contextDir('cloud'), 'docker', 'key.pem'), 'utf8'), 'key.pem\n');

    let engines = listEngines(inputs());
    assert.deepEqual(engines.map((e) => [e.label, e.current, e.description]), [
      ['default', true, 'unix:///var/run/docker.sock'], ['cloud', false, 'tcp://10.0.0.7:2376'], ['gpu-box', false, 'ssh://me@gpu-box'],
    ]);
    engines = listEngines(inputs({ context: 'gpu-box' }));
    assert.deepEqual(engines.filter((e) => e.current).map((e) => e.label), ['gpu-box']);
    const cloud = resolveConnection(inputs({ context: 'cloud' }));
    assert.ok(cloud.address.kind === 'tcp' && cloud.address.tls?.verify && cloud.address.tls.keyPath?.endsWith('key.pem'));
    // The chosen engine beats DOCKER_HOST; "default" skips the CLI's current context.
    assert.equal(resolveConnection(inputs({ context: 'gpu-box', env: { DOCKER_HOST: 'tcp://h:2375' } })).contextName, 'gpu-box');
    writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ currentContext: 'cloud' }));
    assert.equal(resolveConnection(inputs()).contextName, 'cloud');
    assert.equal(resolveConnection(inputs({ context: 'default' })).source, 'default');
    assert.deepEqual(listEngines(inputs()).filter((e) => e.cliCurrent).map((e) => e.label), ['cloud']);
    // The setting wins over everything and is listed first.
    engines = listEngines(inputs({ setting: 'tcp://127.0.0.1:2375', context: 'gpu-box' }));
    assert.deepEqual(engines.map((e) => [e.label, e.current]).slice(0, 2), [['mlLab.engine.dockerHost', true], ['default', false]]);

    assert.equal(removeDockerContext(configDir, 'gpu-box'), true);
    assert.deepEqual(listEngines(inputs()).map((e) => e.label), ['default', 'cloud']);
    rmSync(tls, { recursive: true, force: true });
  }));

  it('refuses bad names, taken names, TLS folders missing a file, TLS for ssh://', () => withConfig((configDir) => {
    assert.match(checkContextName('default') ?? '', /reserved|CLI's own/);
    assert.match(checkContextName('-x') ?? '', /letters, digits/);
    assert.equal(checkContextName('gpu-box.2'), undefined);
    writeDockerContext(configDir, { name: 'a1', host: 'ssh://h' }, exists(configDir));
    assert.throws(() => writeDockerContext(configDir, { name: 'a1', host: 'ssh://h' }, exists(configDir)), /already exists/);
    const tls = mkdtempSync(path.join(tmpdir(), 'mllab-tls-'));
    writeFileSync(path.join(tls, 'ca.pem'), 'x');
    assert.throws(() => writeDockerContext(configDir, { name: 'b1', host: 'tcp://h:2376', tlsDir: tls }, exists(configDir)), /no cert\.pem, key\.pem/);
    assert.throws(() => writeDockerContext(configDir, { name: 'c1', host: 'ssh://h', tlsDir: tls }, exists(configDir)), /tcp:\/\/ engine/);
    assert.throws(() => writeDockerContext(configDir, { name: 'd1', host: 'http://h' }, exists(configDir)), /not a Docker host scheme/);
    rmSync(tls, { recursive: true, force: true });
  }));

  it('a broken context shows as an entry with its error, not a crash', () => withConfig((configDir, inputs) => {
    const dir = path.join(configDir, 'contexts', 'meta', contextDir('broken'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ Name: 'broken', Endpoints: { docker: { Host: 'ftp://x' } } }));
    const e = listEngines(inputs()).find((x) => x.label === 'broken');
    assert.match(e?.error ?? '', /not a Docker host scheme/);
  }));
});
