/**
 * Engine tier, issue 11: the same Engine against a second machine made by the test (a dockerd
 * in a network namespace, test/support/remoteEngine.ts), over TCP+TLS and over SSH
 * (`docker system dial-stdio` on one shared SSH connection), with host-key checks.
 * Traffic goes only to the namespace's address. Everything is removed with the namespace.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Engine, EngineError } from '../../src/engine/engine';
import type { ResolvedConnection } from '../../src/core/connection';
import type { HostKeyQuestion } from '../../src/engine/ssh';
import { makeSshHome, startRemoteEngine, type RemoteEngine } from '../support/remoteEngine';
import { TEST_LABEL, runId } from '../support/fixtures';

const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const RUN = runId('remote');
const labels = { [TEST_LABEL]: RUN };

const canMakeMachines = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

describe('remote engines: a second dockerd in a network namespace', { skip: !canMakeMachines && 'needs root and iproute2 (scripts/setup/remote.sh)' }, () => {
  let remote: RemoteEngine;
  let home: string;
  const engines: Engine[] = [];
  const sshEngine = (o: { knownHosts?: string; ask?: (q: HostKeyQuestion) => Promise<boolean> } = {}) => {
    const connection: ResolvedConnection = { address: { kind: 'ssh', host: 'gpu-box' }, source: 'setting', describe: 'ssh://gpu-box (test)' };
    const e = new Engine(connection, 20_000, { home, localUser: 'nobody', agentSocket: '', knownHostsText: o.knownHosts ?? remote.ssh!.knownHostsLine, askHostKey: o.ask });
    engines.push(e);
    return e;
  };
  /** Established TCP connections to the namespace's sshd. */
  const sshConnections = () => spawnSync('nsenter', [`--net=/var/run/netns/${remote.ns}`, 'ss', '-Htn', 'state', 'established', '( sport = :22 )'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).length;

  before(async () => {
    remote = await startRemoteEngine('eng', { ssh: true });
    remote.loadImage(TINY);
    // A home with ~/.ssh/config as a user would write it: an alias for the GPU box.
    home = makeSshHome(remote, 'remote');
  });
  after(async () => {
    for (const e of engines) e.close();
    await remote?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('over TCP+TLS: version, and a container run there with its logs', async () => {
    const e = new Engine({
      address: { kind: 'tcp', host: remote.address, port: 2376, tls: { caPath: path.join(remote.certDir, 'ca.pem'), certPath: path.join(remote.certDir, 'cert.pem'), keyPath: path.join(remote.certDir, 'key.pem'), verify: true } },
      source: 'setting', describe: `${remote.tlsHost} TLS (test)`,
    });
    const v = await e.version();
    assert.match(v.version, /^\d+\.\d+/);
    const r = await e.runToCompletion(TINY, ['sh', '-c', 'echo tls-$((6*7)); hostname'], 60_000);
    assert.equal(r.exitCode, 0);
    assert.match(r.stdout, /^tls-42$/m);
    // runToCompletion removed its container from the namespace engine.
    assert.deepEqual(remote.docker(['ps', '-aq', '--filter', `label=${TEST_LABEL}=${RUN}`]), '');
  });

  it('over SSH through ~/.ssh/config: version, lists, a container with exec, on ONE shared SSH connection', async () => {
    const e = sshEngine();
    await e.ping();
    const info = await e.version();
    assert.match(info.version, /^\d+\.\d+/);
    const { id } = await e.runContainer({ image: TINY, name: `mllab-enginetest-remote-${RUN}`, cmd: ['sleep', '120'], ports: [], mounts: [], labels, bindAddress: '127.0.0.1' });
    try {
      const listed = await e.listContainers({ label: [`${TEST_LABEL}=${RUN}`] });
      assert.deepEqual(listed.map((c) => c.id), [id]);
      const ex = await e.execCollect(id, ['sh', '-c', 'echo ssh-$((6*7))']);
      assert.equal(ex.exitCode, 0);
      assert.match(ex.output, /ssh-42/);
      assert.ok(remote.docker(['ps', '-q', '--no-trunc']).includes(id), 'the container runs on the namespace engine');
      await Promise.all([e.listContainers(), e.listImages(), e.listVolumes(), e.version()]);
      assert.equal(sshConnections(), 1, 'every call shares one SSH connection');
    } finally {
      await e.removeContainer(id, { force: true });
    }
  });

  it('reconnects after the SSH connection drops', async () => {
    const e = sshEngine();
    await e.ping();
    e.close();
    await e.ping();
    await e.listContainers();
  });

  it('refuses a host whose key differs from known_hosts, naming the line and what to do', async () => {
    const e = sshEngine({ knownHosts: remote.ssh!.wrongKnownHostsLine });
    await assert.rejects(e.listContainers(), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.kind, 'unreachable');
      assert.match(err.message, /differs from the one in known_hosts/);
      assert.match(err.message, /ssh-keygen -R/);
      return true;
    });
  });

  it('an unknown host key is asked about with its fingerprint; refused, nothing connects; accepted, it works', async () => {
    const questions: HostKeyQuestion[] = [];
    const no = sshEngine({ knownHosts: '', ask: async (q) => { questions.push(q); return false; } });
    await assert.rejects(no.ping(), /was not trusted; nothing was sent/);
    assert.equal(questions.length, 1);
    // The fingerprint is the one ssh-keygen shows for the namespace's host key.
    const keyFile = path.join(mkdtempSync(path.join(tmpdir(), 'mllab-kh-')), 'key.pub');
    writeFileSync(keyFile, `${remote.ssh!.knownHostsLine.split(' ').slice(1).join(' ')}\n`);
    const lf = spawnSync('ssh-keygen', ['-lf', keyFile], { encoding: 'utf8' }).stdout;
    assert.ok(lf.includes(questions[0].fingerprint), `${questions[0].fingerprint} in ${lf}`);
    assert.equal(questions[0].keyType, 'ssh-ed25519');
    const yes = sshEngine({ knownHosts: '', ask: async () => true });
    await yes.ping();
    const silent = sshEngine({ knownHosts: '' });
    await assert.rejects(silent.ping(), /not in known_hosts/);
  });

  it('a wrong key is refused with what to do', async () => {
    writeFileSync(path.join(home, '.ssh', 'config'), `Host gpu-box\n  HostName ${remote.address}\n  User root\n  IdentityFile ${path.join(home, 'no-such-key')}\n`);
    try {
      await assert.rejects(sshEngine().ping(), /refused every key offered.*ssh-add/);
    } finally {
      writeFileSync(path.join(home, '.ssh', 'config'), `Host gpu-box\n  HostName ${remote.address}\n  User root\n  IdentityFile ${remote.ssh!.identityFile}\n`);
    }
  });
});
