/**
 * Remote-engine benchmark (`npm run bench -- remote`; prints figures, asserts nothing).
 * A second dockerd in a network namespace made here (test/support/remoteEngine.ts), reached
 * over TCP+TLS and over SSH, by the extension's Engine and by the Docker CLI with `--context`
 * (contexts made with `docker context create` in a temp DOCKER_CONFIG; the CLI's SSH goes
 * through the system `ssh` with a config naming the test key and known_hosts):
 *  - list containers (50 created ones on the engine) and list images: median of N calls, ms.
 *    Ours: one Engine, its connection kept (as the views keep it); the CLI: one process per list
 *    (which is what a CLI-based extension pays), its connection made each time;
 *  - run -> row: from the start of the run until a list shows the container running, ms;
 *  - build-context upload: a 50 MB context (one incompressible file), `COPY` into the image,
 *    classic builder on both sides (the CLI here has no buildx); time, and bytes on the wire
 *    (the host end of the veth pair's tx counter: everything sent to the engine host, TLS or SSH
 *    framing included).
 * Everything is removed with the namespace; the temp folders are deleted.
 * Settings: MLLAB_BENCH_N (default 10 lists, run/build N/2), MLLAB_BENCH_VIA (`tls,ssh`), MLLAB_DOCKER_CLI.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Engine } from '../src/engine/engine';
import type { ResolvedConnection } from '../src/core/connection';
import { startRemoteEngine, type RemoteEngine } from '../test/support/remoteEngine';
import { medianAsync, medianOfValues, timedAsync } from './median';

const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const CLI = process.env.MLLAB_DOCKER_CLI ?? (existsSync('/usr/local/bin/docker') ? '/usr/local/bin/docker' : 'docker');
const N = Number(process.env.MLLAB_BENCH_N ?? 10);
const M = Math.max(3, Math.round(N / 2));
const LABEL = 'org.mllab.bench';
const RUN = `rb-${process.pid}`;
const run = promisify(execFile);
const VIA = (process.env.MLLAB_BENCH_VIA ?? 'tls,ssh').split(',').filter((v): v is 'tls' | 'ssh' => v === 'tls' || v === 'ssh');

const median = medianOfValues;
const timed = timedAsync;
const medianOf = (n: number, fn: () => Promise<unknown>) => medianAsync(n, fn);

async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'mllab-rbench-'));
  let remote: RemoteEngine | undefined;
  const engines: Engine[] = [];
  try {
    console.log('starting the namespace engine (TLS + SSH)...');
    remote = await startRemoteEngine('rbench', { ssh: true, bridge: true });
    const r = remote;
    r.loadImage(TINY);
    for (let i = 0; i < 50; i++) r.docker(['create', '--label', `${LABEL}=${RUN}`, '--name', `rbench-${i}`, TINY, 'true']);

    // The extension's engines.
    const tls = { caPath: path.join(r.certDir, 'ca.pem'), certPath: path.join(r.certDir, 'cert.pem'), keyPath: path.join(r.certDir, 'key.pem'), verify: true };
    const tlsConn: ResolvedConnection = { address: { kind: 'tcp', host: r.address, port: 2376, tls }, source: 'setting', describe: r.tlsHost };
    const home = path.join(tmp, 'home');
    mkdirSync(path.join(home, '.ssh'), { recursive: true });
    writeFileSync(path.join(home, '.ssh', 'config'), `Host ${r.address}\n  User root\n  IdentityFile ${r.ssh!.identityFile}\n  UserKnownHostsFile ${path.join(home, '.ssh', 'known_hosts')}\n  StrictHostKeyChecking yes\n`);
    writeFileSync(path.join(home, '.ssh', 'known_hosts'), `${r.ssh!.knownHostsLine}\n`);
    const sshConn: ResolvedConnection = { address: { kind: 'ssh', host: r.address, user: 'root' }, source: 'setting', describe: r.ssh!.host };
    const ours = {
      tls: new Engine(tlsConn, 120_000),
      ssh: new Engine(sshConn, 120_000, { home, localUser: 'root', agentSocket: '' }),
    };
    engines.push(ours.tls, ours.ssh);

    // The CLI's contexts, in a DOCKER_CONFIG of its own; its ssh reads our config (a wrapper first on PATH).
    const dockerConfig = path.join(tmp, 'docker-config');
    mkdirSync(dockerConfig);
    const bin = path.join(tmp, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${path.join(home, '.ssh', 'config')} "$@"\n`);
    chmodSync(path.join(bin, 'ssh'), 0o755);
    const env = { ...process.env, DOCKER_CONFIG: dockerConfig, PATH: `${bin}:${process.env.PATH}`, DOCKER_BUILDKIT: '0' };
    const cli = (...args: string[]) => run(CLI, args, { env, maxBuffer: 64 << 20 });
    await cli('context', 'create', 'rb-tls', '--docker', `host=${r.tlsHost},ca=${tls.caPath},cert=${tls.certPath},key=${tls.keyPath}`);
    await cli('context', 'create', 'rb-ssh', '--docker', `host=ssh://root@${r.address}`);
    const contexts = { tls: 'rb-tls', ssh: 'rb-ssh' } as const;
    console.log(`CLI: ${(await cli('--context', 'rb-ssh', 'version', '--format', '{{.Client.Version}} -> engine {{.Server.Version}}')).stdout.trim()}`);

    const rows: Array<[string, string, string, string]> = [];
    const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
    for (const via of VIA) {
      const e = ours[via];
      const ctx = contexts[via];
      const label = via === 'tls' ? 'TCP+TLS' : 'SSH';
      console.log(`\n${label}: lists (median of ${N})...`);
      const count = (await e.listContainers()).length;
      const ourPs = await medianOf(N, () => e.listContainers());
      const cliPs = await medianOf(N, () => cli('--context', ctx, 'ps', '-a', '--no-trunc'));
      rows.push([label, `list containers (${count} rows)`, fmt(ourPs), fmt(cliPs)]);
      const ourImages = await medianOf(N, () => e.listImages());
      const cliImages = await medianOf(N, () => cli('--context', ctx, 'images', '--no-trunc'));
      rows.push([label, 'list images', fmt(ourImages), fmt(cliImages)]);

      console.log(`${label}: run -> row (median of ${M})...`);
      const ourRun: number[] = [];
      const cliRun: number[] = [];
      for (let i = 0; i < M; i++) {
        const name = `rbench-run-${via}-${i}`;
        const t0 = Date.now();
        await e.runContainer({ image: TINY, name: `${name}-ext`, cmd: ['sleep', '600'], ports: [], mounts: [], labels: { [LABEL]: RUN }, bindAddress: '127.0.0.1' });
        while (!(await e.listContainers({ label: [`${LABEL}=${RUN}`] })).some((c) => c.name === `${name}-ext` && c.state === 'running')) { /* poll */ }
        ourRun.push(Date.now() - t0);
        const t1 = Date.now();
        await cli('--context', ctx, 'run', '-d', '--label', `${LABEL}=${RUN}`, '--name', `${name}-cli`, TINY, 'sleep', '600');
        while (!(await cli('--context', ctx, 'ps', '--filter', `name=${name}-cli`, '--format', '{{.Names}}')).stdout.includes(`${name}-cli`)) { /* poll */ }
        cliRun.push(Date.now() - t1);
      }
      rows.push([label, 'run -> container in the list', fmt(median(ourRun)), fmt(median(cliRun))]);
    }

    // Build-context upload: 50 MB of random bytes (incompressible), classic builder both sides.
    const ctxDir = path.join(tmp, 'context');
    mkdirSync(ctxDir);
    writeFileSync(path.join(ctxDir, 'data.bin'), randomBytes(50 * 1024 * 1024));
    writeFileSync(path.join(ctxDir, 'Dockerfile'), `FROM ${TINY}\nCOPY data.bin /data.bin\n`);
    const txBytes = () => Number(readFileSync(`/sys/class/net/${r.vethHost}/statistics/tx_bytes`, 'utf8'));
    const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
    for (const via of VIA) {
      const e = ours[via];
      const ctx = contexts[via];
      const label = via === 'tls' ? 'TCP+TLS' : 'SSH';
      console.log(`${label}: 50 MB build context (median of ${M})...`);
      const ourT: number[] = [];
      const cliT: number[] = [];
      const ourB: number[] = [];
      const cliB: number[] = [];
      for (let i = 0; i < M; i++) {
        let b0 = txBytes();
        ourT.push(await timed(() => e.build({ contextDir: ctxDir, dockerfile: path.join(ctxDir, 'Dockerfile'), tag: `mllab-bench/rctx:${via}-ext`, builder: 'classic', labels: { [LABEL]: RUN } }, () => undefined)));
        ourB.push(txBytes() - b0);
        b0 = txBytes();
        cliT.push(await timed(() => cli('--context', ctx, 'build', '-q', '--label', `${LABEL}=${RUN}`, '-t', `mllab-bench/rctx:${via}-cli`, ctxDir)));
        cliB.push(txBytes() - b0);
      }
      rows.push([label, 'build, 50 MB context: time', fmt(median(ourT)), fmt(median(cliT))]);
      rows.push([label, 'build, 50 MB context: bytes sent', mb(median(ourB)), mb(median(cliB))]);
    }

    console.log(`\nremote engine: dockerd ${(await ours.tls.version()).version} in a network namespace; CLI ${CLI}`);
    const w = [8, 34, 16, 22];
    const line = (c: string[]) => console.log(c.map((x, i) => x.padEnd(w[i])).join(' | '));
    line(['via', 'operation', 'extension', 'docker --context']);
    line(w.map((n) => '-'.repeat(n)));
    for (const row of rows) line(row);
  } finally {
    for (const e of engines) e.close();
    await remote?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
