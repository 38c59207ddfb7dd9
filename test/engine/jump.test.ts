/**
 * Engine tier: an ssh:// engine behind a jump host, as university GPU servers are reached
 * through a login node. Two namespaces made by the test (test/support/remoteEngine.ts): `login`
 * (sshd only, joined to this machine) and the GPU box (dockerd + sshd) joined only to the login
 * node, so this machine cannot reach it at all. ~/.ssh/config (a made home) says
 * `ProxyJump login` (and, in one case, a ProxyCommand) as a student would write it; known_hosts
 * lists both hosts' keys under StrictHostKeyChecking yes, so each hop's host key is checked.
 * Traffic goes only to the namespaces' addresses. Everything is removed with the namespaces.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Engine, EngineError } from '../../src/engine/engine';
import type { ResolvedConnection } from '../../src/core/connection';
import { startJumpHost, startRemoteEngine, type JumpHost, type RemoteEngine } from '../support/remoteEngine';
import { TEST_LABEL, runId, waitFor } from '../support/fixtures';

const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const RUN = runId('jump');
const labels = { [TEST_LABEL]: RUN };
const canMakeMachines = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

/** Whether this machine can open a TCP connection to `host:port` within 2 s. */
const reachable = (host: string, port: number) => new Promise<boolean>((resolve) => {
  const c = net.connect({ host, port, timeout: 2000 });
  c.once('connect', () => (c.destroy(), resolve(true)));
  c.once('error', () => resolve(false));
  c.once('timeout', () => (c.destroy(), resolve(false)));
});

/**
 * A home whose ~/.ssh/config reaches `gpu-box` through `login` (`way`: the ProxyJump line, or a
 * ProxyCommand), with both host keys in the known_hosts file it names.
 */
export function writeJumpHome(home: string, login: JumpHost, gpu: RemoteEngine, way = 'ProxyJump login', knownHosts = [login.ssh.knownHostsLine, gpu.ssh!.knownHostsLine]): void {
  mkdirSync(path.join(home, '.ssh'), { recursive: true });
  const kh = path.join(home, '.ssh', 'lab_known_hosts');
  writeFileSync(kh, knownHosts.map((l) => `${l}\n`).join(''));
  writeFileSync(path.join(home, '.ssh', 'config'), [
    'Host login', `  HostName ${login.address}`, '  User root', `  IdentityFile ${login.ssh.identityFile}`, '',
    'Host gpu-box', `  HostName ${gpu.address}`, '  User root', `  IdentityFile ${gpu.ssh!.identityFile}`, `  ${way}`, '',
    // a hop written as user@address matches no alias: the login node's key for every host
    'Host *', `  UserKnownHostsFile ${kh}`, '  StrictHostKeyChecking yes', `  IdentityFile ${login.ssh.identityFile}`, '',
  ].join('\n'));
}

describe('ssh:// engines behind a jump host (ProxyJump, ProxyCommand)', { skip: !canMakeMachines && 'needs root, iproute2 and openssh-server (scripts/setup/remote.sh)' }, () => {
  let login: JumpHost;
  let gpu: RemoteEngine;
  let home: string;
  const engines: Engine[] = [];
  const gpuBox = (): Engine => {
    const connection: ResolvedConnection = { address: { kind: 'ssh', host: 'gpu-box' }, source: 'setting', describe: 'ssh://gpu-box (test)' };
    const e = new Engine(connection, 60_000, { home, localUser: 'root', agentSocket: '' });
    engines.push(e);
    return e;
  };

  before(async () => {
    login = await startJumpHost('login');
    gpu = await startRemoteEngine('jgpu', { ssh: true, bridge: true, via: login });
    gpu.loadImage(TINY);
    home = mkdtempSync(path.join(tmpdir(), 'mllab-jump-home-'));
    writeJumpHome(home, login, gpu);
  });
  after(async () => {
    for (const e of engines) e.close();
    await gpu?.stop();
    await login?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('the GPU box is out of this machine\'s reach; its engine lists, builds, runs, forwards a port and gives back artifacts through ProxyJump login', async () => {
    assert.equal(await reachable(gpu.address, 22), false, 'no route from here to the GPU box');
    const e = gpuBox();
    // list
    const images = await e.listImages();
    assert.ok(images.some((i) => i.repoTags.includes(TINY)), 'the GPU box\'s images');
    // build
    const ctx = mkdtempSync(path.join(tmpdir(), 'mllab-jump-ctx-'));
    const tag = `mllab-enginetest/jump:${RUN}`;
    try {
      writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${TINY}\nCOPY train.sh /train.sh\nLABEL ${TEST_LABEL}=${RUN}\n`);
      writeFileSync(path.join(ctx, 'train.sh'), 'mkdir -p /out && echo "accuracy 0.97" > /out/metrics.txt && echo trained\n');
      const built = await e.build({ contextDir: ctx, dockerfile: path.join(ctx, 'Dockerfile'), tag, builder: 'classic' }, () => undefined);
      assert.match(built.imageId, /^sha256:/);
      assert.ok(gpu.docker(['images', '-q', tag]), 'built on the GPU box');
      // run, wait, logs
      const { id } = await e.runContainer({ image: tag, name: `mllab-enginetest-jump-${RUN}`, labels, bindAddress: '127.0.0.1', mounts: [], ports: [], cmd: ['sh', '/train.sh'] });
      assert.equal((await e.waitContainer(id)).exitCode, 0);
      let text = '';
      await e.logs(id, (t) => (text += t), { follow: false });
      assert.match(text, /trained/);
      // download artifacts
      const out = path.join(ctx, 'artifacts');
      const down = await e.downloadFromContainer(id, '/out', out);
      assert.ok(down && down.files === 1, 'one file downloaded');
      assert.equal(readFileSync(path.join(out, 'metrics.txt'), 'utf8'), 'accuracy 0.97\n');
      await e.removeContainer(id, { force: true });
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
    // forward a port of a container on the GPU box's loopback
    const hostPort = 18_280;
    const web = await e.runContainer({
      image: TINY, name: `mllab-enginetest-jump-web-${RUN}`, labels, bindAddress: '127.0.0.1', mounts: [],
      ports: [{ containerPort: 8080, hostPort, protocol: 'tcp' }],
      cmd: ['sh', '-c', `mkdir -p /w && echo jump-${RUN} > /w/index.html && exec httpd -f -p 8080 -h /w`],
    });
    try {
      // httpd may need a moment to listen: the forward checks that the target answers
      const fwd = await waitFor('a forward to the web container', () => e.openPortForward('127.0.0.1', hostPort).catch(() => undefined), 10_000);
      const body = await (await fetch(`http://127.0.0.1:${fwd.localPort}/index.html`)).text();
      assert.equal(body.trim(), `jump-${RUN}`);
      fwd.close();
      const stats = e.sshPoolStats();
      assert.ok(stats && stats.jumpConnections === 1, `one connection to the jump host: ${JSON.stringify(stats)}`);
    } finally {
      await e.removeContainer(web.id, { force: true });
      e.close();
      gpu.docker(['rmi', '-f', tag]);
    }
  });

  it('a ProxyCommand (here: ssh -W through the login node) carries the connection the same way', async () => {
    const config = path.join(home, '.ssh', 'config');
    writeJumpHome(home, login, gpu, `ProxyCommand ssh -F ${config} -W %h:%p login`);
    try {
      const e = gpuBox();
      const v = await e.version();
      assert.match(v.version, /^\d+\.\d+/);
      e.close();
    } finally {
      writeJumpHome(home, login, gpu);
    }
  });

  it('each hop\'s host key is checked: a wrong key for the login node is refused, naming the jump host', async () => {
    writeJumpHome(home, login, gpu, 'ProxyJump login', [login.ssh.wrongKnownHostsLine, gpu.ssh!.knownHostsLine]);
    try {
      await assert.rejects(gpuBox().ping(), (err: unknown) => {
        assert.ok(err instanceof EngineError);
        assert.match(err.message, /could not reach the jump host login .*differs from the one in known_hosts/);
        return true;
      });
    } finally {
      writeJumpHome(home, login, gpu);
    }
    // and a wrong key for the GPU box behind it, naming the GPU box
    writeJumpHome(home, login, gpu, 'ProxyJump login', [login.ssh.knownHostsLine, gpu.ssh!.wrongKnownHostsLine]);
    try {
      await assert.rejects(gpuBox().ping(), (err: unknown) => {
        assert.ok(err instanceof EngineError);
        assert.match(err.message, new RegExp(`^root@${gpu.address.replace(/\./g, '\\.')}:22: refused: the host key of ${gpu.address.replace(/\./g, '\\.')} .*differs`));
        assert.doesNotMatch(err.message, /jump host/);
        return true;
      });
    } finally {
      writeJumpHome(home, login, gpu);
    }
  });

  it('the jump host down: one clear message naming it', async () => {
    await login.setSshd(false);
    try {
      await assert.rejects(gpuBox().listContainers(), (err: unknown) => {
        assert.ok(err instanceof EngineError);
        assert.equal(err.kind, 'unreachable');
        assert.match(err.message, new RegExp(`^root@${gpu.address.replace(/\./g, '\\.')}:22: could not reach the jump host login \\(ProxyJump in ~/\\.ssh/config\\): root@${login.address.replace(/\./g, '\\.')}:22: could not connect \\(ECONNREFUSED\\)`));
        assert.equal(err.message.match(/jump host/g)?.length, 1, `named once: ${err.message}`);
        return true;
      });
    } finally {
      await login.setSshd(true);
    }
    await gpuBox().ping(); // back
  });

  it('a ProxyJump chain: login, then login again as a second hop (user@host:port form)', async () => {
    writeJumpHome(home, login, gpu, `ProxyJump login,root@${login.address}:22`);
    try {
      const e = gpuBox();
      await e.ping();
      assert.equal(e.sshPoolStats()?.jumpConnections, 2, 'two hop connections: login, and login again reached through it');
    } finally {
      writeJumpHome(home, login, gpu);
    }
    assert.ok(existsSync(path.join(home, '.ssh', 'config')));
  });
});
