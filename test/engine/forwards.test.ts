/**
 * Engine tier: port forwards over an ssh:// engine's SSH connection, and run profiles
 * that name their engine. The remote machine is a dockerd in a network namespace made by the
 * test (test/support/remoteEngine.ts) with a bridge network, so containers there publish ports
 * on the namespace's own loopback, which this machine cannot reach except through SSH.
 * Traffic goes only to the namespace's address. Everything is removed with the namespace.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Engine, EngineError } from '../../src/engine/engine';
import { nodeConnectionInputs, type ResolvedConnection } from '../../src/core/connection';
import { contextDir, engineNamed, listEngines, writeDockerContext } from '../../src/core/contexts';
import { ForwardTable, forwardTargetOf, forwardedUrl } from '../../src/core/forwards';
import { parseProfiles, toRunRequest } from '../../src/core/run/profile';
import { UserError } from '../../src/core/errors';
import { startRemoteEngine, type RemoteEngine } from '../support/remoteEngine';
import { TEST_LABEL, runId, testEngine } from '../support/fixtures';

const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const RUN = runId('fwd');
const labels = { [TEST_LABEL]: RUN };

const canMakeMachines = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

/** Whether something accepts TCP connections on 127.0.0.1:`port` of this machine. */
const answersHere = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

describe('remote engines: port forwards over SSH, and profiles with engine:', { skip: !canMakeMachines && 'needs root and iproute2 (scripts/setup/remote.sh)' }, () => {
  let remote: RemoteEngine;
  let home: string;
  let dockerConfig: string;
  const engines: Engine[] = [];
  const sshConnection = (): ResolvedConnection => ({ address: { kind: 'ssh', host: remote.address, user: 'root' }, source: 'setting', describe: `${remote.ssh!.host} (test)` });
  const sshOptions = () => ({ home, localUser: 'nobody', agentSocket: '', knownHostsText: remote.ssh!.knownHostsLine });
  const sshEngine = (connection = sshConnection()) => {
    const e = new Engine(connection, 20_000, sshOptions());
    engines.push(e);
    return e;
  };
  const sshConnections = () => spawnSync('nsenter', [`--net=/var/run/netns/${remote.ns}`, 'ss', '-Htn', 'state', 'established', '( sport = :22 )'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).length;
  /** a container on the namespace engine serving `body` with busybox httpd on 8080, published on the namespace's 127.0.0.1:`hostPort` */
  const serve = (e: Engine, hostPort: number, body: string) =>
    e.runContainer({
      image: TINY, name: `mllab-enginetest-fwd-${hostPort}-${RUN}`, labels, bindAddress: '127.0.0.1', mounts: [],
      ports: [{ containerPort: 8080, hostPort, protocol: 'tcp' }],
      cmd: ['sh', '-c', `mkdir -p /w && echo ${body} > /w/index.html && exec httpd -f -p 8080 -h /w`],
    });

  /** Ends every SSH connection to the namespace's sshd: a dropped connection. */
  const dropSshSessions = () => assert.ok(remote.ssh!.dropConnections() > 0, 'an SSH connection to drop');
  const waitForEmpty = async (table: ForwardTable) => {
    for (let i = 0; i < 100 && table.list().length; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(table.list(), [], 'the forward left the list');
  };

  before(async () => {
    remote = await startRemoteEngine('fwd', { ssh: true, bridge: true });
    remote.loadImage(TINY);
    home = mkdtempSync(path.join(tmpdir(), 'mllab-fwd-home-'));
    mkdirSync(path.join(home, '.ssh'));
    writeFileSync(path.join(home, '.ssh', 'config'), `Host ${remote.address}\n  User root\n  IdentityFile ${remote.ssh!.identityFile}\n`);
    dockerConfig = mkdtempSync(path.join(tmpdir(), 'mllab-fwd-docker-'));
  });
  after(async () => {
    for (const e of engines) e.close();
    await remote?.stop();
    for (const d of [home, dockerConfig]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('a published port on the remote answers HTTP through a forward on the engine\'s one SSH connection; reused; closed with the engine', async () => {
    const e = sshEngine();
    const hostPort = 18_080;
    await serve(e, hostPort, `hello-${RUN}`);
    // the container's port is on the namespace's loopback: this machine cannot reach it directly
    const url = `http://127.0.0.1:${hostPort}/index.html?token=abc`;
    const table = new ForwardTable();
    const open = (t: { remoteHost: string; remotePort: number }) => e.openPortForward(t.remoteHost, t.remotePort);
    // httpd may need a moment to listen: the forward checks that the target answers
    let fwd;
    for (let i = 0; ; i++) {
      try {
        fwd = await table.get(forwardTargetOf(url, 'nsfwd'), open);
        break;
      } catch (err) {
        if (i > 20) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    const local = forwardedUrl(url, fwd.localPort);
    assert.equal(local, `http://127.0.0.1:${fwd.localPort}/index.html?token=abc`);
    const started = Date.now();
    const res = await fetch(local);
    const firstMs = Date.now() - started;
    assert.equal(res.status, 200);
    assert.equal((await res.text()).trim(), `hello-${RUN}`);
    // several requests at once, each its own channel
    const bodies = await Promise.all(Array.from({ length: 5 }, () => fetch(local, { headers: { connection: 'close' } }).then((r) => r.text())));
    assert.deepEqual(bodies.map((b) => b.trim()), Array(5).fill(`hello-${RUN}`));
    console.log(`[fwd] first HTTP answer through the forward: ${firstMs} ms`);
    assert.equal(sshConnections(), 1, 'the forward shares the engine\'s SSH connection');
    // the same target: the same forward
    const again = await table.get(forwardTargetOf(`http://localhost:${hostPort}/`, 'nsfwd'), open);
    assert.equal(again.localPort, fwd.localPort);
    assert.equal(table.list().length, 1);
    // app health checks go through one SSH channel, without a forward
    assert.equal(await e.probeHttp('127.0.0.1', hostPort, '/index.html', 3000), true);
    assert.equal(await e.probeHttp('127.0.0.1', hostPort, '/no-such-page', 3000), false, 'a 404 is not healthy');
    assert.equal(await e.probeHttp('127.0.0.1', 18_098, '/', 3000), false, 'nothing listens there');
    assert.equal(table.list().length, 1, 'the checks opened no forward');
    // the SSH connection drops (the remote's sshd session ends): the forward closes with it
    dropSshSessions();
    await waitForEmpty(table);
    assert.equal(await answersHere(fwd.localPort), false, 'nothing listens on the local port any more');
    // opening the port again makes a new SSH connection and a new forward; closing the engine
    // (switched away from, or the window closing) closes that one
    const next = await table.get(forwardTargetOf(url, 'nsfwd'), open);
    assert.equal((await (await fetch(forwardedUrl(url, next.localPort))).text()).trim(), `hello-${RUN}`);
    e.close();
    await waitForEmpty(table);
    assert.equal(await answersHere(next.localPort), false);
  });

  it('a port where nothing answers on the remote is refused when the forward opens, naming it', async () => {
    const e = sshEngine();
    await assert.rejects(e.openPortForward('127.0.0.1', 18_099), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.kind, 'engine', 'the engine itself answers: not "unreachable"');
      assert.match(err.message, /could not reach 127\.0\.0\.1:18099 there/);
      assert.match(err.message, /Is the container running with that port published/);
      return true;
    });
  });

  it('forwarding needs an ssh:// engine', async () => {
    await assert.rejects(testEngine().openPortForward('127.0.0.1', 80), /needs an ssh:\/\/ engine/);
  });

  it('a profile with engine: naming a Docker context runs there, not on the machine\'s engine', async () => {
    writeDockerContext(dockerConfig, { name: 'nsfwd', host: `ssh://root@${remote.address}` }, (n) => existsSync(path.join(dockerConfig, 'contexts', 'meta', contextDir(n))));
    const { profiles, errors } = parseProfiles(`version: 1\nprofiles:\n  train:\n    image: ${TINY}\n    engine: nsfwd\n    run:\n      name: mllab-enginetest-prof-${RUN}\n      command: ["sleep", "60"]\n      labels: { ${TEST_LABEL}: ${RUN} }\n  serve:\n    image: ${TINY}\n`);
    assert.deepEqual(errors, []);
    const train = profiles.find((p) => p.name === 'train')!;
    assert.equal(train.engine, 'nsfwd');
    assert.equal(profiles.find((p) => p.name === 'serve')!.engine, undefined, 'serve runs on the current engine');
    const entries = listEngines({ ...nodeConnectionInputs(undefined, undefined), env: { DOCKER_CONFIG: dockerConfig } });
    const entry = engineNamed(entries, train.engine!, train.name);
    assert.equal(entry.connection.describe, `ssh://root@${remote.address} (Docker context "nsfwd")`);
    const e = sshEngine(entry.connection);
    const { id } = await e.runContainer(toRunRequest(train, { bindAddress: '127.0.0.1' }));
    assert.ok(remote.docker(['ps', '-q', '--no-trunc']).includes(id), 'the container runs on the namespace engine');
    const local = await testEngine().listContainers({ label: [`${TEST_LABEL}=${RUN}`] });
    assert.deepEqual(local, [], 'nothing of this run on the machine\'s engine');
    await e.removeContainer(id, { force: true });
    // an engine no one knows: the message names it, the engines there are, and what to do
    assert.throws(() => engineNamed(entries, 'gpu-box', 'train'), (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, /Profile train runs on the engine "gpu-box", which is not a Docker context nor an entry of the Engines view \(there are: default, nsfwd\)/);
      assert.match(err.hint ?? '', /Add Engine/);
      return true;
    });
  });
});
