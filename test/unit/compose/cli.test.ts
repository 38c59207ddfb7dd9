import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chooseComposeCli, commandLine, composeArgs, composeEnv, detectComposeCli, parseComposeVersion, type ComposeCli } from '../../../src/core/compose/cli';
import { UserError } from '../../../src/core/errors';
import type { ResolvedConnection } from '../../../src/core/connection';

const V1: ComposeCli = { command: 'docker-compose', prefix: [], version: '1.29.2', generation: 'v1', label: 'docker-compose 1.29.2 (Compose v1)' };
const V2: ComposeCli = { command: 'docker', prefix: ['compose'], version: '2.24.5', generation: 'v2', label: 'docker compose 2.24.5 (Compose v2 plugin)' };

describe('parseComposeVersion', () => {
  const cases: Array<{ input: string; expected: string | undefined }> = [
    { input: 'Docker Compose version v2.24.5\n', expected: '2.24.5' },
    { input: 'Docker Compose version 2.29.1-desktop.1', expected: '2.29.1-desktop.1' },
    { input: 'docker-compose version 1.29.2, build unknown\ndocker-py version: 5.0.3\n', expected: '1.29.2' },
    { input: '1.29.2\n', expected: '1.29.2' },
    { input: "docker: 'compose' is not a docker command.\nSee 'docker --help'", expected: undefined },
    { input: '', expected: undefined },
  ];
  for (const c of cases) it(`${JSON.stringify(c.input)} -> ${c.expected}`, () => assert.equal(parseComposeVersion(c.input), c.expected));
});

describe('chooseComposeCli', () => {
  const ok = (stdout: string) => ({ code: 0, stdout, stderr: '' });
  it('prefers the v2 plugin when it answers', () => assert.deepEqual(chooseComposeCli(ok('Docker Compose version v2.24.5'), ok('docker-compose version 1.29.2, build x')), V2));
  it('falls back to docker-compose v1 when docker has no compose command', () => {
    assert.deepEqual(chooseComposeCli({ code: 1, stdout: '', stderr: "docker: 'compose' is not a docker command." }, ok('docker-compose version 1.29.2, build unknown')), V1);
  });
  it('takes a standalone docker-compose v2 binary as v2', () => assert.equal(chooseComposeCli({ missing: true }, ok('Docker Compose version v2.20.0'))?.generation, 'v2'));
  it('returns undefined when neither exists', () => assert.equal(chooseComposeCli({ missing: true }, { missing: true }), undefined));
});

describe('detectComposeCli on a real PATH', () => {
  it('says how to install Compose when PATH has neither docker compose nor docker-compose', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mllab-nocompose-'));
    try {
      // a PATH with only the Docker CLI (no compose plugin on this machine), or nothing at all
      for (const docker of ['/usr/local/bin/docker', '/usr/bin/docker']) {
        if (existsSync(docker)) {
          symlinkSync(docker, path.join(dir, 'docker'));
          break;
        }
      }
      await assert.rejects(detectComposeCli({ PATH: dir, HOME: dir }), (e: unknown) => {
        assert.ok(e instanceof UserError);
        assert.match(e.message, /Docker Compose was not found/);
        assert.match(e.hint ?? '', /apt-get install docker-compose-plugin/);
        assert.match(e.hint ?? '', /apt-get install docker-compose`\)/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('composeArgs', () => {
  const f = ['/w/lab/compose.yaml'];
  const cases: Array<{ name: string; cli: ComposeCli; action: Parameters<typeof composeArgs>[2]; project?: string; expected: string[] }> = [
    { name: 'up, v1', cli: V1, action: { kind: 'up' }, expected: ['--ansi', 'always', '-f', f[0], 'up', '-d'] },
    { name: 'up with build, v2', cli: V2, action: { kind: 'up', build: true }, expected: ['compose', '--ansi', 'always', '-f', f[0], 'up', '-d', '--build'] },
    { name: 'up selected services', cli: V1, action: { kind: 'up', services: ['web'] }, expected: ['--ansi', 'always', '-f', f[0], 'up', '-d', 'web'] },
    { name: 'up with profiles: --profile before up, one per profile', cli: V2, action: { kind: 'up', profiles: ['gpu', 'debug'] }, expected: ['compose', '--ansi', 'always', '-f', f[0], '--profile', 'gpu', '--profile', 'debug', 'up', '-d'] },
    { name: 'down', cli: V1, action: { kind: 'down' }, expected: ['--ansi', 'always', '-f', f[0], 'down'] },
    { name: 'down with volumes and project', cli: V1, action: { kind: 'down', volumes: true }, project: 'iris', expected: ['--ansi', 'always', '-f', f[0], '-p', 'iris', 'down', '--volumes'] },
    { name: 'down selected services', cli: V2, action: { kind: 'downServices', services: ['model', 'web'] }, expected: ['compose', '--ansi', 'always', '-f', f[0], 'rm', '-s', '-f', 'model', 'web'] },
    { name: 'build', cli: V1, action: { kind: 'build' }, expected: ['--ansi', 'always', '-f', f[0], 'build'] },
    { name: 'restart', cli: V1, action: { kind: 'restart' }, expected: ['--ansi', 'always', '-f', f[0], 'restart'] },
    { name: 'logs', cli: V1, action: { kind: 'logs' }, expected: ['--ansi', 'always', '-f', f[0], 'logs', '--follow', '--tail=200'] },
    { name: 'no --ansi before Compose 1.28', cli: { ...V1, version: '1.25.0' }, action: { kind: 'build' }, expected: ['-f', f[0], 'build'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(composeArgs(c.cli, f, c.action, c.project), c.expected));
  it('passes every file in order', () => assert.deepEqual(composeArgs(V1, ['/a.yml', '/b.yml'], { kind: 'build' }).slice(2, 6), ['-f', '/a.yml', '-f', '/b.yml']));
  it('refuses no file', () => assert.throws(() => composeArgs(V1, [], { kind: 'up' }), /No Compose file/));
  it('refuses down of no service', () => assert.throws(() => composeArgs(V1, f, { kind: 'downServices', services: [] }), /at least one service/));
  it('shows a short command line', () => assert.equal(commandLine(V1, composeArgs(V1, f, { kind: 'up' })), 'docker-compose --ansi always -f compose.yaml up -d'));
});

describe('composeEnv', () => {
  const socket: ResolvedConnection = { address: { kind: 'socket', socketPath: '/run/x.sock' }, source: 'setting', describe: '' };
  it('points Compose at the extension engine and drops DOCKER_CONTEXT', () => {
    const env = composeEnv(socket, { PATH: '/bin', DOCKER_CONTEXT: 'remote', DOCKER_HOST: 'tcp://elsewhere:2375' });
    assert.deepEqual(env, { PATH: '/bin', DOCKER_HOST: 'unix:///run/x.sock' });
  });
  it('passes TLS verification and the certificate folder of a TLS engine', () => {
    const tls: ResolvedConnection = {
      address: { kind: 'tcp', host: '10.0.0.2', port: 2376, tls: { caPath: '/certs/ca.pem', certPath: '/certs/cert.pem', keyPath: '/certs/key.pem', verify: true } },
      source: 'DOCKER_HOST',
      describe: '',
    };
    assert.deepEqual(composeEnv(tls, {}), { DOCKER_HOST: 'tcp://10.0.0.2:2376', DOCKER_CERT_PATH: '/certs', DOCKER_TLS_VERIFY: '1' });
  });
});
