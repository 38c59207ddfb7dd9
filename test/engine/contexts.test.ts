/**
 * Engine tier: a context written by Add Engine is one the Docker CLI itself reads
 * (`docker context ls` / `inspect`), and one it removes is gone for the CLI too. Uses a throw-away
 * DOCKER_CONFIG folder, never the user's ~/.docker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { contextDir, removeDockerContext, writeDockerContext } from '../../src/core/contexts';

const cli = (configDir: string, args: string[]) => spawnSync('docker', ['--config', configDir, ...args], { encoding: 'utf8' });

test('Add Engine writes contexts the Docker CLI lists and inspects; Remove Engine removes them for the CLI too', () => {
  const configDir = mkdtempSync(path.join(tmpdir(), 'mllab-ctx-cli-'));
  const tls = mkdtempSync(path.join(tmpdir(), 'mllab-ctx-tls-'));
  try {
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(tls, f), `${f}\n`);
    const exists = (n: string) => existsSync(path.join(configDir, 'contexts', 'meta', contextDir(n)));
    writeDockerContext(configDir, { name: 'gpu-box', host: 'ssh://me@gpu-box:2222', description: 'lab GPU server' }, exists);
    writeDockerContext(configDir, { name: 'cloud', host: 'tcp://10.0.0.7:2376', tlsDir: tls }, exists);
    const ls = cli(configDir, ['context', 'ls', '--format', '{{.Name}} {{.DockerEndpoint}} {{.Description}}']);
    assert.equal(ls.status, 0, ls.stderr);
    assert.match(ls.stdout, /^gpu-box ssh:\/\/me@gpu-box:2222 lab GPU server$/m);
    assert.match(ls.stdout, /^cloud tcp:\/\/10\.0\.0\.7:2376/m);
    const inspect = cli(configDir, ['context', 'inspect', 'cloud', '--format', '{{json .TLSMaterial}}']);
    assert.equal(inspect.status, 0, inspect.stderr);
    assert.match(inspect.stdout, /ca\.pem.*cert\.pem.*key\.pem/);
    removeDockerContext(configDir, 'gpu-box');
    const after = cli(configDir, ['context', 'ls', '--format', '{{.Name}}']);
    assert.doesNotMatch(after.stdout, /gpu-box/);
    assert.match(after.stdout, /cloud/);
  } finally {
    rmSync(configDir, { recursive: true, force: true });
    rmSync(tls, { recursive: true, force: true });
  }
});
