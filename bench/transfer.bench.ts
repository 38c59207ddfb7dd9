/**
 * Download Artifacts benchmark (`npm run bench -- transfer`; prints figures, asserts
 * nothing). A container holds a 100 MB artifacts folder (20 files of 5,000,000 random bytes, so
 * nothing compresses); it is downloaded N times through the extension's path
 * (`Engine.downloadFromContainer`: `GET /containers/{id}/archive`, safe unpacking into a staging
 * folder, moved into place) and with `docker cp` of the same path, on:
 *  - the local engine (unix socket);
 *  - a second dockerd in a network namespace over TCP+TLS (`docker -H tcp://...:2376 --tlsverify`);
 *  - the same daemon over SSH (`docker -H ssh://root@...`: the CLI runs the system `ssh`, given
 *    the test key and known_hosts through an `ssh -F <config>` wrapper first on its PATH).
 * Figures per engine and client: median wall time (ours: the whole call; CLI: spawn to exit),
 * MB/s, bytes written to disk, and for the namespace engine the bytes that crossed the veth
 * (rx counter of the host's end: TLS or SSH framing included) per download.
 * Settings: MLLAB_BENCH_TRANSFERS (default 3).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Engine } from '../src/engine/engine';
import { nodeConnectionInputs, resolveConnection } from '../src/core/connection';
import { startRemoteEngine, type RemoteEngine } from '../test/support/remoteEngine';

const N = Number(process.env.MLLAB_BENCH_TRANSFERS ?? 3);
const IMAGE = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const LABEL = 'org.mllab.bench';
const RUN = `bench-${process.pid}-${Date.now().toString(36)}`;
const FILES = 20;
const FILE_BYTES = 5_000_000;
const MAKE = `mkdir -p /out && i=0; while [ $i -lt ${FILES} ]; do head -c ${FILE_BYTES} /dev/urandom > /out/part-$i.bin; i=$((i+1)); done; sleep 3600`;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

function folderBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? folderBytes(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).size;
  return n;
}

/** rx bytes of the host's interface that holds `hostAddress` (the veth to the namespace). */
function rxBytes(hostAddress: string | undefined): number | undefined {
  if (!hostAddress) return undefined;
  const dev = spawnSync('ip', ['-o', 'addr', 'show', 'to', hostAddress], { encoding: 'utf8' }).stdout.split(/\s+/)[1];
  return dev ? Number(readFileSync(`/sys/class/net/${dev}/statistics/rx_bytes`, 'utf8')) : undefined;
}

interface Target {
  name: string;
  engine: Engine;
  /** `docker` args that reach the same engine, and extra environment */
  cli: { args: string[]; env?: Record<string, string> };
  /** runs `docker` against the engine for set-up */
  docker(args: string[]): string;
  hostAddress?: string;
}

async function measure(t: Target, work: string): Promise<void> {
  const id = t.docker(['run', '-d', '--label', `${LABEL}=${RUN}`, IMAGE, 'sh', '-c', MAKE]).trim();
  try {
    // Wait until the 100 MB are written.
    for (let i = 0; i < 600; i++) {
      const out = t.docker(['exec', id, 'sh', '-c', `ls /out | wc -l; du -sb /out 2>/dev/null || du -s /out`]);
      if (out.split('\n')[0].trim() === String(FILES) && Number(out.split('\n')[1]?.split(/\s/)[0]) >= FILES * FILE_BYTES) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const ours: number[] = [];
    const cli: number[] = [];
    const oursWire: number[] = [];
    const cliWire: number[] = [];
    let oursTar = 0;
    let written = 0;
    for (let i = 0; i < N; i++) {
      const dest = path.join(work, `${t.name}-ours-${i}`);
      const rx0 = rxBytes(t.hostAddress);
      const t0 = process.hrtime.bigint();
      const r = await t.engine.downloadFromContainer(id, '/out', dest);
      ours.push(Number(process.hrtime.bigint() - t0) / 1e6);
      const rx1 = rxBytes(t.hostAddress);
      if (rx0 !== undefined && rx1 !== undefined) oursWire.push(rx1 - rx0);
      oursTar = r?.wireBytes ?? 0;
      written = folderBytes(dest);
      rmSync(dest, { recursive: true, force: true });

      const cdest = path.join(work, `${t.name}-cli-${i}`);
      const c0 = process.hrtime.bigint();
      const p = spawnSync('docker', [...t.cli.args, 'cp', `${id}:/out`, cdest], { encoding: 'utf8', env: { ...process.env, ...(t.cli.env ?? {}) }, maxBuffer: 1 << 20 });
      cli.push(Number(process.hrtime.bigint() - c0) / 1e6);
      const rx2 = rxBytes(t.hostAddress);
      if (rx1 !== undefined && rx2 !== undefined) cliWire.push(rx2 - rx1);
      if (p.status !== 0) throw new Error(`docker cp on ${t.name} failed: ${p.stderr}`);
      if (folderBytes(cdest) !== written) throw new Error(`docker cp wrote ${folderBytes(cdest)} bytes, ours ${written}`);
      rmSync(cdest, { recursive: true, force: true });
    }
    const mo = median(ours);
    const mc = median(cli);
    console.log(`${t.name.padEnd(8)} extension: median ${(mo / 1000).toFixed(2)} s (${(written / 1e6 / (mo / 1000)).toFixed(0)} MB/s; runs ${ours.map((x) => (x / 1000).toFixed(2)).join(', ')} s), ` +
      `tar ${mb(oursTar)}${oursWire.length ? `, on the wire ${mb(median(oursWire))}` : ''}, written ${mb(written)}`);
    console.log(`${''.padEnd(8)} docker cp: median ${(mc / 1000).toFixed(2)} s (${(written / 1e6 / (mc / 1000)).toFixed(0)} MB/s; runs ${cli.map((x) => (x / 1000).toFixed(2)).join(', ')} s)` +
      `${cliWire.length ? `, on the wire ${mb(median(cliWire))}` : ''}; extension/CLI time ${(mo / mc).toFixed(2)}x`);
  } finally {
    t.docker(['rm', '-f', id]);
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'mllab-transferbench-'));
  let remote: RemoteEngine | undefined;
  const engines: Engine[] = [];
  try {
    console.log(`Download of a 100 MB artifacts folder (${FILES} x ${FILE_BYTES} random bytes), ${N} runs each, median:`);
    const local = new Engine(resolveConnection(nodeConnectionInputs(process.env.MLLAB_DOCKER_HOST)), 60_000);
    engines.push(local);
    const localDocker = (args: string[]) => spawnSync('docker', args, { encoding: 'utf8' }).stdout;
    await measure({ name: 'local', engine: local, cli: { args: [] }, docker: localDocker }, work);

    if (process.getuid?.() !== 0 || spawnSync('ip', ['netns', 'list']).status !== 0) {
      console.log('remote: skipped (needs root and iproute2 for the namespace engine; scripts/setup/remote.sh)');
      return;
    }
    remote = await startRemoteEngine('xbench', { ssh: true });
    remote.loadImage(IMAGE);
    const r = remote;
    const cert = (f: string) => path.join(r.certDir, f);
    const tls = new Engine({ address: { kind: 'tcp', host: r.address, port: 2376, tls: { caPath: cert('ca.pem'), certPath: cert('cert.pem'), keyPath: cert('key.pem'), verify: true } }, source: 'setting', describe: r.tlsHost }, 60_000);
    engines.push(tls);
    await measure({ name: 'tcp+tls', engine: tls, hostAddress: r.hostAddress, docker: (a) => r.docker(a),
      cli: { args: ['-H', r.tlsHost, '--tlsverify', '--tlscacert', cert('ca.pem'), '--tlscert', cert('cert.pem'), '--tlskey', cert('key.pem')] } }, work);

    // SSH: our engine reads ~/.ssh/config from a test home; the CLI's ssh gets the same through -F.
    const home = path.join(work, 'home');
    mkdirSync(path.join(home, '.ssh'), { recursive: true });
    const knownHosts = path.join(home, '.ssh', 'known_hosts');
    writeFileSync(knownHosts, `${r.ssh!.knownHostsLine}\n`);
    const config = path.join(home, '.ssh', 'config');
    writeFileSync(config, `Host ${r.address}\n  User root\n  IdentityFile ${r.ssh!.identityFile}\n  UserKnownHostsFile ${knownHosts}\n  StrictHostKeyChecking yes\n`);
    const bin = path.join(work, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${config} "$@"\n`);
    chmodSync(path.join(bin, 'ssh'), 0o755);
    const ssh = new Engine({ address: { kind: 'ssh', host: r.address, user: 'root' }, source: 'setting', describe: r.ssh!.host }, 60_000,
      { home, localUser: 'nobody', agentSocket: '', knownHostsText: r.ssh!.knownHostsLine });
    engines.push(ssh);
    await measure({ name: 'ssh', engine: ssh, hostAddress: r.hostAddress, docker: (a) => r.docker(a),
      cli: { args: ['-H', r.ssh!.host], env: { PATH: `${bin}:${process.env.PATH ?? ''}` } } }, work);
  } finally {
    for (const e of engines) e.close();
    await remote?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
