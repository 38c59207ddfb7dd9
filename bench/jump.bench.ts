/**
 * Jump-host benchmark (`npm run bench -- jump`; prints figures, asserts nothing): an ssh://
 * engine reached directly against one reached through a login node (`ProxyJump login`), both a
 * dockerd in a network namespace made here (test/support/remoteEngine.ts; the GPU box behind the
 * login node is unreachable from this machine except through it). Per engine, medians of N:
 *  - first call: a fresh Engine's `version()` (SSH connections made, through the jump host or not), ms;
 *  - list: `listContainers()` on a connected Engine, ms;
 *  - run: run a container that exits at once, wait for it, remove it, ms;
 *  - build: a 1 MB context sent, classic builder, `COPY` into the image (the layer cached after the warm-up), ms;
 *  - download: Download Artifacts of a 10 MB folder, ms.
 * Also the load average, since the machine may be shared. Everything is removed with the namespaces.
 * Settings: MLLAB_BENCH_N (default 5).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { Engine } from '../src/engine/engine';
import { startJumpHost, startRemoteEngine, type JumpHost, type RemoteEngine } from '../test/support/remoteEngine';
import { medianAsync } from './median';

const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const N = Number(process.env.MLLAB_BENCH_N ?? 5);
const LABEL = 'org.mllab.bench';
const RUN = `jb-${process.pid}`;

async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'mllab-jbench-'));
  let login: JumpHost | undefined;
  let behind: RemoteEngine | undefined;
  let direct: RemoteEngine | undefined;
  const engines: Engine[] = [];
  try {
    console.log('starting a login node, a GPU box behind it, and a directly reachable one...');
    login = await startJumpHost('jblog');
    behind = await startRemoteEngine('jbgpu', { ssh: true, bridge: true, via: login });
    direct = await startRemoteEngine('jbdir', { ssh: true, bridge: true });
    for (const r of [behind, direct]) r.loadImage(TINY);
    const home = path.join(tmp, 'home');
    mkdirSync(path.join(home, '.ssh'), { recursive: true });
    const kh = path.join(home, '.ssh', 'known_hosts');
    writeFileSync(kh, [login.ssh.knownHostsLine, behind.ssh!.knownHostsLine, direct.ssh!.knownHostsLine, ''].join('\n'));
    writeFileSync(path.join(home, '.ssh', 'config'), [
      'Host login', `  HostName ${login.address}`, `  IdentityFile ${login.ssh.identityFile}`, '',
      'Host behind', `  HostName ${behind.address}`, `  IdentityFile ${behind.ssh!.identityFile}`, '  ProxyJump login', '',
      'Host direct', `  HostName ${direct.address}`, `  IdentityFile ${direct.ssh!.identityFile}`, '',
      'Host *', '  User root', `  UserKnownHostsFile ${kh}`, '  StrictHostKeyChecking yes', '',
    ].join('\n'));
    const make = (host: string) => {
      const e = new Engine({ address: { kind: 'ssh', host }, source: 'setting', describe: `ssh://${host}` }, 120_000, { home, localUser: 'root', agentSocket: '' });
      engines.push(e);
      return e;
    };
    const ctx = path.join(tmp, 'ctx');
    mkdirSync(ctx);
    writeFileSync(path.join(ctx, 'blob'), randomBytes(1 << 20));
    writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${TINY}\nCOPY blob /blob\n`);
    const rows: Array<[string, number, number, number, number, number]> = [];
    for (const via of ['direct', 'behind'] as const) {
      console.log(`${via}: measuring (N=${N})...`);
      const first = await medianAsync(N, async () => {
        const e = make(via);
        await e.version();
        e.close();
      }, false);
      const e = make(via);
      const list = await medianAsync(N, () => e.listContainers());
      const run = await medianAsync(N, async () => {
        const { id } = await e.runContainer({ image: TINY, name: `mllab-bench-jump-${via}-${Math.random().toString(36).slice(2, 8)}`, labels: { [LABEL]: RUN }, bindAddress: '127.0.0.1', mounts: [], ports: [], cmd: ['true'] });
        await e.waitContainer(id);
        await e.removeContainer(id, { force: true });
      });
      const build = await medianAsync(N, () => e.build({ contextDir: ctx, dockerfile: path.join(ctx, 'Dockerfile'), tag: `mllab-bench/jump:${via}`, builder: 'classic', labels: { [LABEL]: RUN }, buildArgs: { NONCE: String(Math.random()) } }, () => undefined));
      const { id } = await e.runContainer({ image: TINY, name: `mllab-bench-jump-dl-${via}-${RUN}`, labels: { [LABEL]: RUN }, bindAddress: '127.0.0.1', mounts: [], ports: [], cmd: ['sh', '-c', 'mkdir /out && head -c 10485760 /dev/urandom > /out/model.bin && sleep 600'] });
      await new Promise((r) => setTimeout(r, 1500));
      let k = 0;
      const download = await medianAsync(N, () => e.downloadFromContainer(id, '/out', path.join(tmp, `dl-${via}-${k++}`)));
      await e.removeContainer(id, { force: true });
      rows.push([via === 'direct' ? 'direct (ssh://direct)' : 'through a jump host (ssh://behind, ProxyJump login)', first, list, run, build, download]);
      e.close();
    }
    console.log(`\nload average: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores, shared)`);
    const head = ['engine', 'first call ms', 'list ms', 'run ms', 'build ms', 'download 10 MB ms'];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i ? (r[i] as number).toFixed(0) : r[0]).length)));
    const line = (c: string[]) => console.log(c.map((x, i) => x.padEnd(w[i])).join(' | '));
    line(head);
    for (const r of rows) line([r[0], ...r.slice(1).map((x) => (x as number).toFixed(0))]);
  } finally {
    for (const e of engines) e.close();
    await behind?.stop();
    await direct?.stop();
    await login?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
