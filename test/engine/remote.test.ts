/**
 * Engine tier: the same Engine against a second machine made by the test (a dockerd
 * in a network namespace, test/support/remoteEngine.ts), over TCP+TLS and over SSH
 * (`docker system dial-stdio` on one shared SSH connection), with host-key checks.
 * Traffic goes only to the namespace's address. Everything is removed with the namespace.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as net from 'node:net';
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
  /** ~/.ssh/config with the gpu-box alias and `extra` option lines for it (OpenSSH's syntax), run `fn`, then the plain alias again. */
  const withConfig = async (extra: string[], fn: () => Promise<void>, identityFile = remote.ssh!.identityFile) => {
    const write = (lines: string[], key: string) => writeFileSync(path.join(home, '.ssh', 'config'), [`Host gpu-box`, `  HostName ${remote.address}`, '  User root', `  IdentityFile ${key}`, ...lines.map((l) => `  ${l}`), ''].join('\n'));
    write(extra, identityFile);
    try {
      await fn();
    } finally {
      write([], remote.ssh!.identityFile);
    }
  };
  /** Whether something accepts TCP connections at `host:port`. */
  const answers = (host: string, port: number) => new Promise<boolean>((resolve) => {
    const c = net.connect({ host, port, timeout: 1000 });
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
    c.once('timeout', () => (c.destroy(), resolve(false)));
  });
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
    // a yes is remembered in the first UserKnownHostsFile (default ~/.ssh/known_hosts), as ssh does
    const knownHosts = path.join(home, '.ssh', 'known_hosts');
    assert.equal(readFileSync(knownHosts, 'utf8'), `${remote.ssh!.knownHostsLine}\n`);
    rmSync(knownHosts);
    const silent = sshEngine({ knownHosts: '' });
    await assert.rejects(silent.ping(), /not in known_hosts/);
  });

  it('two views refreshing at once on a new host: one question, one known_hosts line (in the UserKnownHostsFile the config names)', async () => {
    const file = path.join(home, 'lab_known_hosts');
    writeFileSync(path.join(home, '.ssh', 'config'), `Host gpu-box\n  HostName ${remote.address}\n  User root\n  IdentityFile ${remote.ssh!.identityFile}\n  UserKnownHostsFile ${file} ~/.ssh/other_known_hosts\n`);
    try {
      const questions: HostKeyQuestion[] = [];
      const ask = async (q: HostKeyQuestion) => {
        questions.push(q);
        await new Promise((r) => setTimeout(r, 300)); // a person reading the fingerprint
        return true;
      };
      const [a, b] = [sshEngine({ knownHosts: '', ask }), sshEngine({ knownHosts: '', ask })];
      await Promise.all([a.listContainers(), b.listContainers(), a.listImages(), b.listImages()]);
      assert.equal(questions.length, 1, 'one question');
      assert.equal(questions[0].knownHostsFile, file);
      assert.equal(readFileSync(file, 'utf8'), `${remote.ssh!.knownHostsLine}\n`, 'one line');
      // the next connection finds it there: no question
      const c = sshEngine({ knownHosts: '', ask });
      await c.ping();
      assert.equal(questions.length, 1);
    } finally {
      writeFileSync(path.join(home, '.ssh', 'config'), `Host gpu-box\n  HostName ${remote.address}\n  User root\n  IdentityFile ${remote.ssh!.identityFile}\n`);
    }
  });

  it('a wrong key is refused with what to do', async () => {
    writeFileSync(path.join(home, '.ssh', 'config'), `Host gpu-box\n  HostName ${remote.address}\n  User root\n  IdentityFile ${path.join(home, 'no-such-key')}\n`);
    try {
      await assert.rejects(sshEngine().ping(), /refused every key offered.*ssh-add/);
    } finally {
      writeFileSync(path.join(home, '.ssh', 'config'), `Host gpu-box\n  HostName ${remote.address}\n  User root\n  IdentityFile ${remote.ssh!.identityFile}\n`);
    }
  });

  describe('ssh_config options that decide trust', () => {
    const fresh = () => path.join(mkdtempSync(path.join(tmpdir(), 'mllab-kh-')), 'known_hosts');
    const asked: HostKeyQuestion[] = [];
    const ask = async (q: HostKeyQuestion) => (asked.push(q), true);

    it('StrictHostKeyChecking yes: an unknown host is refused without a question, naming the setting', async () => {
      const kh = fresh();
      asked.length = 0;
      await withConfig([`UserKnownHostsFile ${kh}`, 'StrictHostKeyChecking yes'], async () => {
        await assert.rejects(sshEngine({ knownHosts: '', ask }).ping(), /StrictHostKeyChecking yes, so it is never asked about/);
      });
      assert.equal(asked.length, 0);
      assert.equal(existsSync(kh), false, 'nothing written');
    });
    it('StrictHostKeyChecking accept-new: added without a question', async () => {
      const kh = fresh();
      asked.length = 0;
      await withConfig([`UserKnownHostsFile ${kh}`, 'StrictHostKeyChecking accept-new'], async () => {
        await sshEngine({ knownHosts: '', ask }).ping();
      });
      assert.equal(asked.length, 0);
      assert.equal(readFileSync(kh, 'utf8'), `${remote.ssh!.knownHostsLine}\n`);
    });
    it('StrictHostKeyChecking no: added without a question, with one warning per host', async () => {
      const kh = fresh();
      const warnings: string[] = [];
      await withConfig([`UserKnownHostsFile ${kh}`, 'StrictHostKeyChecking no'], async () => {
        const e = new Engine({ address: { kind: 'ssh', host: 'gpu-box' }, source: 'setting', describe: 'ssh://gpu-box (test)' }, 20_000, { home, localUser: 'nobody', agentSocket: '', knownHostsText: '', onWarning: (m) => warnings.push(m) });
        engines.push(e);
        await e.ping();
        e.close();
        rmSync(kh);
        await e.ping(); // unknown again: added again, no second warning
      });
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /StrictHostKeyChecking no/);
      assert.equal(readFileSync(kh, 'utf8'), `${remote.ssh!.knownHostsLine}\n`);
    });
    it('StrictHostKeyChecking no still refuses a changed key', async () => {
      await withConfig(['StrictHostKeyChecking no'], async () => {
        await assert.rejects(sshEngine({ knownHosts: remote.ssh!.wrongKnownHostsLine }).ping(), /differs from the one in known_hosts/);
      });
    });
    it('GlobalKnownHostsFile is read: a key there is trusted without a question', async () => {
      const global = fresh();
      writeFileSync(global, `${remote.ssh!.knownHostsLine}\n`);
      asked.length = 0;
      await withConfig([`UserKnownHostsFile ${fresh()}`, `GlobalKnownHostsFile ${global}`], async () => {
        await sshEngine({ knownHosts: '', ask }).ping();
      });
      assert.equal(asked.length, 0);
    });
    it('HostKeyAlias: known_hosts is read under the alias, not the address', async () => {
      const kh = fresh();
      writeFileSync(kh, `gpu-cluster ${remote.ssh!.knownHostsLine.split(' ').slice(1).join(' ')}\n`);
      asked.length = 0;
      await withConfig([`UserKnownHostsFile ${kh}`, 'HostKeyAlias gpu-cluster', 'StrictHostKeyChecking yes'], async () => {
        await sshEngine({ knownHosts: '', ask }).ping();
      });
      assert.equal(asked.length, 0);
    });
    it('ConnectTimeout: a host that does not answer is given up after that many seconds, saying so', async () => {
      remote.setLink(false);
      try {
        await withConfig(['ConnectTimeout 2'], async () => {
          const started = Date.now();
          await assert.rejects(sshEngine().ping(), /no answer within 2 s \(ConnectTimeout in ~\/\.ssh\/config\)/);
          assert.ok(Date.now() - started < 10_000, `gave up after ${Date.now() - started} ms`);
        });
      } finally {
        remote.setLink(true);
        // the neighbour entry failed while the link was down: wait until sshd answers again
        for (let i = 0; i < 40 && !(await answers(remote.address, 22)); i++) await new Promise((r) => setTimeout(r, 250));
      }
    });
  });

  describe('ssh_config options that decide the keys', () => {
    let agent: { sock: string; pid: number } | undefined;
    before(() => {
      const sock = path.join(mkdtempSync(path.join(tmpdir(), 'mllab-agent-')), 'agent.sock');
      const out = spawnSync('ssh-agent', ['-a', sock, '-s'], { encoding: 'utf8' }).stdout;
      agent = { sock, pid: Number(/SSH_AGENT_PID=(\d+)/.exec(out)?.[1]) };
      const add = spawnSync('ssh-add', [remote.ssh!.identityFile], { env: { ...process.env, SSH_AUTH_SOCK: sock }, encoding: 'utf8' });
      assert.equal(add.status, 0, add.stderr);
    });
    after(() => {
      if (agent?.pid) process.kill(agent.pid);
    });
    it('IdentityAgent: the key comes from the agent the config names (the IdentityFile does not exist)', async () => {
      await withConfig([`IdentityAgent ${agent!.sock}`], async () => {
        await sshEngine().ping();
      }, path.join(home, 'no-such-key'));
    });
    it('IdentityAgent none: the agent is not asked', async () => {
      await withConfig(['IdentityAgent none'], async () => {
        await assert.rejects(sshEngine().ping(), /refused every key offered/);
      }, path.join(home, 'no-such-key'));
    });
    it('IdentitiesOnly yes: the agent offers only the keys IdentityFile names', async () => {
      const other = path.join(mkdtempSync(path.join(tmpdir(), 'mllab-key-')), 'id_other');
      spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
      await withConfig([`IdentityAgent ${agent!.sock}`, 'IdentitiesOnly yes'], async () => {
        await assert.rejects(sshEngine().ping(), /refused every key offered .*IdentitiesOnly yes/);
      }, other);
      // the agent's key named by IdentityFile (only its .pub here): offered
      const pubOnly = path.join(mkdtempSync(path.join(tmpdir(), 'mllab-key-')), 'id_agent');
      writeFileSync(`${pubOnly}.pub`, readFileSync(`${remote.ssh!.identityFile}.pub`));
      await withConfig([`IdentityAgent ${agent!.sock}`, 'IdentitiesOnly yes'], async () => {
        await sshEngine().ping();
      }, pubOnly);
    });
  });
});
