/**
 * Engine tier: faults of a remote engine, each with one clear message that says what
 * to do, and the same Engine working again once the fault is gone (what the views rely on to
 * recover: they keep their Engine and Retry). The remote host is a dockerd in a network
 * namespace made by the test (test/support/remoteEngine.ts), reached over TCP+TLS and SSH:
 *  - the host down at start (the link between host and namespace down) and the engine down
 *    (dockerd killed);
 *  - the host going away mid-stream: a log follow and a build (dockerd killed; the link dropped,
 *    which closes nothing, so only the streams' liveness checks notice);
 *  - TLS certificates: an expired server certificate, a server certificate of another CA, an
 *    expired client certificate, a client certificate the engine does not trust;
 *  - a slow link (`tc tbf`: this kernel has no netem).
 * Wrong SSH keys and host-key mismatches are in remote.test.ts.
 * Traffic goes only to the namespace's address.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Engine, EngineError } from '../../src/engine/engine';
import type { ResolvedConnection } from '../../src/core/connection';
import { makeSshHome, startRemoteEngine, type RemoteEngine } from '../support/remoteEngine';
import { TEST_LABEL, runId, waitFor } from '../support/fixtures';

const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const RUN = runId('faults');
const labels = { [TEST_LABEL]: RUN };
const canMakeMachines = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

/**
 * What `p` failed with (or 'resolved'), handled at once: a stream may fail while the test is
 * still busy making the fault, before an `assert.rejects` could be attached to it.
 */
function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => 'resolved', (err: unknown) => err);
}

/** Asserts an EngineError of `kind` whose message matches `message` and whose message + hint says what to do (`todo`). */
function isEngineError(kind: EngineError['kind'], message: RegExp, todo: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof EngineError, `an EngineError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    assert.match(err.message, message);
    assert.match(`${err.message} ${err.hint ?? ''}`, todo);
    return true;
  };
}

describe('remote engine faults: one clear message each, and the same Engine works again after', { skip: !canMakeMachines && 'needs root and iproute2 (scripts/setup/remote.sh)' }, () => {
  let remote: RemoteEngine;
  let home: string;
  const engines: Engine[] = [];
  const tlsEngine = (certDir = remote.certDir, timeoutMs = 8_000): Engine => {
    const tls = { caPath: path.join(certDir, 'ca.pem'), certPath: path.join(certDir, 'cert.pem'), keyPath: path.join(certDir, 'key.pem'), verify: true };
    const connection: ResolvedConnection = { address: { kind: 'tcp', host: remote.address, port: 2376, tls }, source: 'setting', describe: remote.tlsHost };
    const e = new Engine(connection, timeoutMs);
    e.livenessIntervalMs = 1_000;
    e.livenessProbeMs = 3_000;
    engines.push(e);
    return e;
  };
  // SSH calls each run `docker system dial-stdio` on the host: about 0.3-1 s each on this loaded 2-core machine.
  const sshEngine = (timeoutMs = 30_000): Engine => {
    const connection: ResolvedConnection = { address: { kind: 'ssh', host: 'gpu-box' }, source: 'setting', describe: 'ssh://gpu-box' };
    const e = new Engine(connection, timeoutMs, { home, localUser: 'root', agentSocket: '', knownHostsText: remote.ssh!.knownHostsLine });
    e.livenessIntervalMs = 1_000;
    e.livenessProbeMs = 3_000;
    engines.push(e);
    return e;
  };
  /** A container that prints a line every 0.2 s for a minute. */
  const chatty = (e: Engine, name: string) =>
    e.runContainer({ image: TINY, name: `mllab-fault-${name}-${RUN}`, labels, bindAddress: '127.0.0.1', ports: [], mounts: [], cmd: ['sh', '-c', 'i=0; while [ $i -lt 300 ]; do echo tick-$i; i=$((i+1)); sleep 0.2; done'] });

  before(async () => {
    remote = await startRemoteEngine('fault', { ssh: true, bridge: true }); // the bridge: a build's RUN step needs a network
    remote.loadImage(TINY);
    home = makeSshHome(remote, 'fault');
  });
  after(async () => {
    for (const e of engines) e.close();
    if (remote) {
      remote.setLink(true);
      remote.shapeLink(undefined);
      await remote.stop();
    }
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('the host down at start (link down): TCP+TLS and SSH say the host did not answer and what to do; Retry works once it is back', async () => {
    const tls = tlsEngine();
    const ssh = sshEngine();
    remote.setLink(false);
    try {
      await assert.rejects(tls.listContainers(), isEngineError('unreachable', /^Docker engine not reachable at tcp:\/\/10\.231\.\d+\.2:2376 \((ENETUNREACH|EHOSTUNREACH|ETIMEDOUT)\): the host did not answer\.$/, /Check that the remote host is up .* then Retry/));
      await assert.rejects(ssh.listContainers(), isEngineError('unreachable', /^root@10\.231\.\d+\.2:22: could not connect \((ENETUNREACH|EHOSTUNREACH|ETIMEDOUT)\)/, /Check that the host is up .* then Retry/));
    } finally {
      remote.setLink(true);
    }
    await waitFor('the TLS engine to answer again', () => tls.ping().then(() => true), 20_000, 500);
    assert.ok(Array.isArray(await tls.listContainers()));
    await ssh.ping();
  });

  it('the engine down on a host that is up (dockerd killed): both say so; Retry works after it restarts', async () => {
    const tls = tlsEngine();
    const ssh = sshEngine();
    await remote.killDaemon();
    try {
      await assert.rejects(tls.ping(), isEngineError('unreachable', /\(ECONNREFUSED\): the host answered, but nothing listens on the engine's port\./, /its Docker engine runs, then Retry/));
      const engineDown = isEngineError('unreachable', /^root@10\.231\.\d+\.2:22: "docker system dial-stdio" on the host stopped \(exit 1\): .*docker\.sock/, /Check that the Docker engine on that host runs, then Retry/);
      // A kept-alive channel cut under a read is dropped with the idle ones and the read asked once
      // more on a fresh channel. That channel's dial-stdio fails at once, and sshd may send the
      // channel's EOF before its exit status: the HTTP client then says ECONNRESET before the
      // exit status can name the reason. So a few calls may say "the connection was cut" before
      // one names dial-stdio's reason.
      let said: EngineError | undefined;
      for (let attempt = 1; attempt <= 6 && !said; attempt++) {
        const err = await failure(ssh.ping());
        assert.ok(err instanceof EngineError && err.kind === 'unreachable', String(err));
        if (/dial-stdio/.test(err.message)) said = err;
        else assert.match(err.message, /\(ECONNRESET\): the connection was cut/);
      }
      assert.ok(said, 'a call names dial-stdio\'s reason');
      engineDown(said);
    } finally {
      await remote.startDaemon();
    }
    await tls.ping();
    await ssh.ping();
  });

  it('a kept-alive SSH channel cut before the extension learnt it: a read asks again on a fresh channel and answers', async () => {
    const ssh = sshEngine();
    await ssh.ping(); // leaves one kept-alive dial-stdio channel in the pool
    // With the link down, the channel's close cannot reach us before the next request is written
    // into it: the request meets a closed channel (ECONNRESET), as after an engine restart.
    remote.setLink(false);
    let listed: Promise<unknown>;
    try {
      assert.ok(remote.ssh!.killDialStdio() >= 1, 'a dial-stdio process served the kept-alive channel');
      listed = ssh.listContainers();
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      remote.setLink(true);
    }
    assert.ok(Array.isArray(await listed), 'the list came from a fresh channel');
  });

  it('mid-stream: a log follow over TCP+TLS ends with a clear message when the engine dies, not silently', async () => {
    const e = tlsEngine();
    const { id } = await chatty(e, 'logs-kill');
    let text = '';
    const following = failure(e.logs(id, (t) => (text += t), { follow: true }));
    await waitFor('the first log lines', async () => (text.includes('tick-3') ? true : undefined), 20_000, 100);
    await remote.killDaemon();
    try {
      isEngineError('unreachable', /^The log stream of [0-9a-f]{12} stopped: the Docker engine at tcp:\/\/.* stopped answering \((ECONNREFUSED|ECONNRESET)\)\.$/, /Check the host, then Retry/)(await following);
    } finally {
      await remote.startDaemon();
    }
    await e.removeContainer(id, { force: true });
  });

  it('mid-stream: a log follow over SSH ends with a clear message within seconds when the link drops (no connection is closed)', async () => {
    const e = sshEngine();
    const { id } = await chatty(e, 'logs-link');
    let text = '';
    const following = failure(e.logs(id, (t) => (text += t), { follow: true }));
    await waitFor('the first log lines', async () => (text.includes('tick-3') ? true : undefined), 20_000, 100);
    remote.setLink(false);
    const dropped = Date.now();
    try {
      isEngineError('unreachable', /^The log stream of [0-9a-f]{12} stopped: the Docker engine at ssh:\/\/gpu-box stopped answering \(no answer to a ping within 3000 ms\)\.$/, /network to it gone/)(await following);
      // liveness every 1 s, a probe limited to 3 s: the stream ends within about 4 s, not never.
      assert.ok(Date.now() - dropped < 15_000, `ended ${Date.now() - dropped} ms after the drop`);
    } finally {
      remote.setLink(true);
    }
    e.close(); // the old SSH connection is dead; the next call makes a new one
    await waitFor('the SSH engine to answer again', () => e.ping().then(() => true), 30_000, 500);
    await e.removeContainer(id, { force: true });
  });

  it('mid-build: a build over TCP+TLS ends with a clear message when the link drops', async () => {
    const e = tlsEngine();
    const dir = mkdtempSync(path.join(tmpdir(), 'mllab-fault-build-'));
    const tag = `mllab-fault/slow:${RUN}`;
    writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${TINY}\nRUN echo step-started && sleep 60\n`);
    let seen = '';
    const building = failure(e.build({ contextDir: dir, dockerfile: path.join(dir, 'Dockerfile'), tag, labels }, (ev) => {
      if (ev.kind === 'log') seen += ev.text;
    }));
    try {
      await waitFor('the RUN step to start', async () => (seen.includes('step-started') ? true : undefined), 60_000, 100);
      remote.setLink(false);
      isEngineError('unreachable', /^The build of mllab-fault\/slow:.* stopped: the Docker engine at tcp:\/\/.* stopped answering \((no answer to a ping within 3000 ms|EHOSTUNREACH)\)\.$/, /Check the host, then Retry/)(await building);
    } finally {
      remote.setLink(true);
      rmSync(dir, { recursive: true, force: true });
    }
    await waitFor('the TLS engine to answer again', () => e.ping().then(() => true), 20_000, 500);
  });

  it('TLS: a client certificate the engine does not trust, and an expired one, are refused with what to do', async () => {
    await assert.rejects(tlsEngine(remote.badTls.untrustedClient).ping(), isEngineError('tls', /^TLS connection to the Docker engine at tcp:\/\/.* refused: the engine did not accept your client certificate/, /signed by the CA the engine trusts/));
    await assert.rejects(tlsEngine(remote.badTls.expiredClient).ping(), isEngineError('tls', /refused: the engine did not accept your client certificate|client certificate: it has expired/, /client certificate/));
    await tlsEngine().ping();
  });

  it('TLS: a server certificate signed by another CA is refused, naming ca.pem', async () => {
    await assert.rejects(tlsEngine(remote.badTls.otherCa).ping(), isEngineError('tls', /the engine's server certificate is not signed by the CA in your ca\.pem/, /Use the ca\.pem of the CA that signed/));
  });

  it('TLS: an expired server certificate is refused with what to do; after renewal the same Engine connects', async () => {
    const e = tlsEngine();
    await remote.killDaemon();
    await remote.startDaemon({ expiredServerCert: true });
    try {
      await assert.rejects(e.ping(), isEngineError('tls', /the engine's server certificate has expired \(CERT_HAS_EXPIRED\)/, /Renew the server certificate/));
    } finally {
      await remote.killDaemon();
      await remote.startDaemon();
    }
    await e.ping();
  });

  it('a slow link (tc tbf, 8 kbit/s): calls past the time limit say so and what to do; the same Engine works once the link is fast again', async () => {
    const e = tlsEngine(undefined, 1_500);
    remote.shapeLink(8);
    try {
      await assert.rejects(e.listImages(), isEngineError('timeout', /did not answer "list images" within 1500 ms/, /raise the setting mlLab\.engine\.timeoutMs/));
    } finally {
      remote.shapeLink(undefined);
    }
    const images = await e.listImages();
    assert.ok(images.some((i) => i.repoTags.includes(TINY)));
  });
});
