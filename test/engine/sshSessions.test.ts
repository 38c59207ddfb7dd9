/**
 * Engine tier: an ssh:// engine keeps every SSH connection under the server's session limit
 * (sshd's MaxSessions: 10 by default). Each HTTP connection to the engine is one
 * `docker system dial-stdio` session channel, and long-lived streams (events, log follows,
 * waits) hold theirs; a port forward's channels are direct-tcpip, which MaxSessions does not
 * count. The scenario a stock sshd refused: five containers with their logs followed and their
 * exits awaited, a port forward and the events stream, against the namespace's sshd (its log at
 * VERBOSE, read after each run) with its stock MaxSessions and with `MaxSessions 3`.
 * Traffic goes only to the namespace's address. Everything is removed with the namespace.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { rmSync } from 'node:fs';
import { Engine } from '../../src/engine/engine';
import type { ResolvedConnection } from '../../src/core/connection';
import type { SshOptions } from '../../src/engine/ssh';
import { makeSshHome, startRemoteEngine, type RemoteEngine } from '../support/remoteEngine';
import { TEST_LABEL, runId, waitFor } from '../support/fixtures';

const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const RUN = runId('sess');
const labels = { [TEST_LABEL]: RUN };
const canMakeMachines = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

/** sshd's refusal of a session channel (session.c, session_open: `error("no more sessions")`). */
const REFUSAL = /no more sessions/;

describe('ssh:// engines: the session budget of an SSH connection', { skip: !canMakeMachines && 'needs root, iproute2 and openssh-server (scripts/setup/remote.sh)' }, () => {
  let remote: RemoteEngine;
  let home: string;
  const engines: Engine[] = [];
  let round = 0;

  before(async () => {
    remote = await startRemoteEngine('sess', { ssh: true, bridge: true });
    remote.loadImage(TINY);
    home = makeSshHome(remote, 'sess');
  });
  after(async () => {
    for (const e of engines) e.close();
    await remote?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** Established TCP connections to the namespace's sshd. */
  const sshConnections = () => spawnSync('nsenter', [`--net=/var/run/netns/${remote.ns}`, 'ss', '-Htn', 'state', 'established', '( sport = :22 )'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).length;

  /**
   * Five containers that print for about 4 s and exit with 10..14, each with its logs followed
   * and its exit awaited, a web container reached through a port forward, and the events stream,
   * all at once on one Engine. Returns the sshd log lines of refusals during the run and the
   * largest SSH connection/session counts seen.
   */
  async function fiveContainers(extra: Partial<SshOptions> = {}): Promise<{ refusals: string[]; peak: { connections: number; sessions: number; tcpConnections: number; perConnection: number[] }; overBudget: boolean }> {
    round++;
    const logStart = remote.ssh!.log().length;
    const connection: ResolvedConnection = { address: { kind: 'ssh', host: 'gpu-box' }, source: 'setting', describe: 'ssh://gpu-box (test)' };
    // calls limited to 90 s: on this shared machine (load averages of 20 on 2 cores seen) ten
    // dial-stdio processes starting at once on the remote can take tens of seconds
    const e = new Engine(connection, 90_000, { home, localUser: 'root', agentSocket: '', knownHostsText: remote.ssh!.knownHostsLine, ...extra });
    engines.push(e);
    // this machine is shared and busy: a slow ping at a stream's end must not count as a lost engine
    e.livenessProbeMs = 20_000;
    const abort = new AbortController();
    setMaxListeners(50, abort.signal); // one per stream
    const peak = { connections: 0, sessions: 0, tcpConnections: 0, perConnection: [] as number[] };
    let overBudget = false;
    const sample = () => {
      const s = (e as unknown as { sshPoolStats?: () => { connections: number; sessions: number; perConnection: number[]; budget: number } }).sshPoolStats?.();
      if (s) {
        peak.connections = Math.max(peak.connections, s.connections);
        if (s.sessions > peak.sessions) peak.perConnection = s.perConnection;
        peak.sessions = Math.max(peak.sessions, s.sessions);
        overBudget ||= s.perConnection.some((n) => n > s.budget);
      }
      peak.tcpConnections = Math.max(peak.tcpConnections, sshConnections());
    };
    const sampler = setInterval(sample, 200);
    const ids: string[] = [];
    try {
      let events = 0;
      const opened = new Promise<void>((resolve) => void e.events(() => events++, abort.signal, resolve));
      await opened;
      // the web container and its forward
      const hostPort = 18_180 + round;
      const web = await e.runContainer({
        image: TINY, name: `mllab-enginetest-sess-web-${round}-${RUN}`, labels, bindAddress: '127.0.0.1', mounts: [],
        ports: [{ containerPort: 8080, hostPort, protocol: 'tcp' }],
        cmd: ['sh', '-c', `mkdir -p /w && echo web-${RUN} > /w/index.html && exec httpd -f -p 8080 -h /w`],
      });
      ids.push(web.id);
      // httpd may need a moment to listen: the forward checks that the target answers
      const fwd = await waitFor('a forward to the web container', () => e.openPortForward('127.0.0.1', hostPort).catch(() => undefined), 10_000);
      // five jobs, each followed and awaited
      const jobs = await Promise.all([0, 1, 2, 3, 4].map((i) =>
        e.runContainer({
          image: TINY, name: `mllab-enginetest-sess-${round}-${i}-${RUN}`, labels, bindAddress: '127.0.0.1', mounts: [], ports: [],
          cmd: ['sh', '-c', `for n in 1 2 3 4 5 6 7 8; do echo job-${i} line $n; sleep 0.5; done; exit ${10 + i}`],
        })));
      ids.push(...jobs.map((j) => j.id));
      const texts = jobs.map(() => '');
      const followed = jobs.map((j, i) => e.logs(j.id, (t) => (texts[i] += t), { follow: true, signal: abort.signal }));
      const waited = jobs.map((j) => e.waitContainer(j.id));
      // failures are asserted below, after the forward's checks: none may go unhandled meanwhile
      for (const p of [...followed, ...waited]) p.catch(() => undefined);
      // the forward serves while the streams run (its channels are direct-tcpip, not sessions)
      for (let i = 0; i < 3; i++) {
        const body = await (await fetch(`http://127.0.0.1:${fwd.localPort}/index.html`, { headers: { connection: 'close' } })).text();
        assert.equal(body.trim(), `web-${RUN}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      const codes = await Promise.all(waited.map((w) => w.then((r) => r.exitCode)));
      assert.deepEqual(codes, [10, 11, 12, 13, 14], 'every exit is reported with its code');
      await Promise.all(followed);
      texts.forEach((t, i) => assert.match(t, new RegExp(`job-${i} line 8`), `the whole log of job ${i}`));
      assert.ok(events > 0, 'the event stream told of the runs');
      sample();
      fwd.close();
    } finally {
      clearInterval(sampler);
      abort.abort();
      for (const id of ids) await e.removeContainer(id, { force: true }).catch(() => undefined);
      e.close();
      // the figures also when the run failed (as against a budget-less client)
      const n = remote.ssh!.log().slice(logStart).split('\n').filter((l) => REFUSAL.test(l)).length;
      console.log(`[sessions] round ${round} (${extra.maxSessions ? `told MaxSessions ${extra.maxSessions}` : 'default budget'}): ${n} "no more sessions" lines in sshd's log; peak ${peak.connections} SSH connections in the pool (ss: ${peak.tcpConnections} TCP connections to sshd), ${peak.sessions} session channels (per connection then: ${peak.perConnection.join(', ')})`);
    }
    const refusals = remote.ssh!.log().slice(logStart).split('\n').filter((l) => REFUSAL.test(l));
    return { refusals, peak, overBudget };
  }

  it('with a stock sshd (MaxSessions 10): every exit reported, no session refused', async () => {
    const r = await fiveContainers();
    console.log(`[sessions] stock sshd: peak ${r.peak.connections} SSH connections (ss: ${r.peak.tcpConnections}), ${r.peak.sessions} session channels; ${r.refusals.length} refusals`);
    assert.deepEqual(r.refusals, [], 'sshd refused no session');
    assert.equal(r.overBudget, false, 'no connection held more session channels than its budget');
  });

  it('a wait cut by a dropped SSH connection is made again: the exit is still reported', async () => {
    const connection: ResolvedConnection = { address: { kind: 'ssh', host: 'gpu-box' }, source: 'setting', describe: 'ssh://gpu-box (test)' };
    const e = new Engine(connection, 30_000, { home, localUser: 'root', agentSocket: '', knownHostsText: remote.ssh!.knownHostsLine });
    engines.push(e);
    const { id } = await e.runContainer({ image: TINY, name: `mllab-enginetest-sess-cut-${RUN}`, labels, bindAddress: '127.0.0.1', mounts: [], ports: [], cmd: ['sh', '-c', 'sleep 3; exit 7'] });
    try {
      const waited = e.waitContainer(id);
      await new Promise((r) => setTimeout(r, 1000));
      assert.ok(remote.ssh!.dropConnections() > 0, 'an SSH connection to drop');
      assert.equal((await waited).exitCode, 7);
    } finally {
      await e.removeContainer(id, { force: true }).catch(() => undefined);
    }
  });

  it('with MaxSessions 3, told: every exit reported, no session refused', async () => {
    await remote.ssh!.reconfigure(['MaxSessions 3']);
    const r = await fiveContainers({ maxSessions: 3 });
    console.log(`[sessions] MaxSessions 3, told: peak ${r.peak.connections} SSH connections (ss: ${r.peak.tcpConnections}), ${r.peak.sessions} session channels; ${r.refusals.length} refusals`);
    assert.deepEqual(r.refusals, [], 'sshd refused no session');
    assert.equal(r.overBudget, false, 'no connection held more session channels than its budget');
  });

  it('with MaxSessions 3, not told: sshd refuses (the control: refusals show in its log), the budget drops to what it allows, and every exit is still reported', async () => {
    await remote.ssh!.reconfigure(['MaxSessions 3']);
    const r = await fiveContainers();
    console.log(`[sessions] MaxSessions 3, not told: peak ${r.peak.connections} SSH connections (ss: ${r.peak.tcpConnections}), ${r.peak.sessions} session channels; ${r.refusals.length} refusals`);
    assert.ok(r.refusals.length > 0, 'sshd logged the refusals (so the other cases would show theirs)');
    assert.ok(r.refusals.length <= 4, `after the first refusals the connection's budget is lowered: ${r.refusals.length} refusals`);
  });
});
