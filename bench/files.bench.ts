/**
 * A container's files benchmark (`npm run bench -- files`; prints figures, asserts nothing).
 * One container holds /app (10 small files, train.py of 3 kB) and /big (1,000 small files and a
 * ckpt/ subfolder of 5 x 10 MB). Median wall time of N calls through src/engine/files.ts:
 *  - list a folder of the running container (exec of `find -maxdepth 1`);
 *  - list it with the container stopped (the archive stream: headers read, contents skipped;
 *    the subtree index is dropped before each call by a write, so each call streams afresh);
 *  - open a file (stat + read: `HEAD` + `GET .../archive`) and save it (`PUT .../archive`);
 * on the local engine (unix socket) and on a second dockerd in a network namespace over SSH.
 * Settings: MLLAB_BENCH_FILES_RUNS (default 5).
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { rmSync } from 'node:fs';
import { Engine } from '../src/engine/engine';
import { nodeConnectionInputs, resolveConnection } from '../src/core/connection';
import { makeSshHome, startRemoteEngine, type RemoteEngine } from '../test/support/remoteEngine';

const N = Number(process.env.MLLAB_BENCH_FILES_RUNS ?? 5);
const IMAGE = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const LABEL = 'org.mllab.bench';
const RUN = `bench-files-${process.pid}-${Date.now().toString(36)}`;
const MAKE = [
  'mkdir -p /app /big/ckpt && head -c 3000 /dev/urandom | base64 > /app/train.py',
  'i=0; while [ $i -lt 9 ]; do echo $i > /app/f$i.txt; i=$((i+1)); done',
  'i=0; while [ $i -lt 1000 ]; do echo $i > /big/s$i.txt; i=$((i+1)); done',
  'i=0; while [ $i -lt 5 ]; do head -c 10000000 /dev/urandom > /big/ckpt/part$i.bin; i=$((i+1)); done',
  'touch /ready && sleep 3600',
].join(' && ');

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function timed(fn: () => Promise<unknown>, before?: () => Promise<unknown>): Promise<number> {
  const t: number[] = [];
  await fn(); // warm: connections, exec of sh
  for (let i = 0; i < N; i++) {
    await before?.();
    const s = Date.now();
    await fn();
    t.push(Date.now() - s);
  }
  return median(t);
}

async function measure(name: string, e: Engine): Promise<void> {
  const { id } = await e.runContainer({ image: IMAGE, name: `mllab-${RUN}-${name.split(' ')[0]}`, cmd: ['sh', '-c', MAKE], ports: [], mounts: [], labels: { [LABEL]: RUN }, bindAddress: '127.0.0.1' });
  try {
    for (let i = 0; i < 600 && !(await e.statContainerPath(id, '/ready')); i++) await new Promise((r) => setTimeout(r, 200));
    const rows: string[] = [];
    const content = (await e.readContainerFile(id, '/app/train.py')).content;
    rows.push(`running, list /app (10 entries):                 ${await timed(() => e.listContainerFolder(id, '/app'))} ms`);
    rows.push(`running, list /big (1,001 entries, 50 MB below): ${await timed(() => e.listContainerFolder(id, '/big'))} ms`);
    rows.push(`open /app/train.py (stat + read, 4 kB):          ${await timed(() => e.readContainerFile(id, '/app/train.py'))} ms`);
    rows.push(`save /app/train.py (stat, header, PUT):          ${await timed(() => e.writeContainerFile(id, '/app/train.py', content, { create: false, overwrite: true }))} ms`);
    await e.stopContainer(id, 0);
    // a write drops the index of the stopped container, so every listing streams afresh
    const forget = () => e.writeContainerFile(id, '/app/bench-touch', Buffer.from('x'), { create: true, overwrite: true });
    rows.push(`stopped, list /app (archive):                    ${await timed(() => e.listContainerFolder(id, '/app'), forget)} ms`);
    rows.push(`stopped, list /big (archive of 50 MB):           ${await timed(() => e.listContainerFolder(id, '/big'), forget)} ms`);
    rows.push(`stopped, list /big/ckpt after /big (index):      ${await timed(() => e.listContainerFolder(id, '/big/ckpt'))} ms`);
    console.log(`${name} (median of ${N}):\n  ${rows.join('\n  ')}`);
  } finally {
    await e.removeContainer(id, { force: true }).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const local = new Engine(resolveConnection(nodeConnectionInputs(process.env.MLLAB_DOCKER_HOST)), 60_000);
  await measure('local (unix socket)', local);
  const canMakeMachines = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;
  if (!canMakeMachines) {
    console.log('ssh: skipped (needs root and iproute2)');
    return;
  }
  let remote: RemoteEngine | undefined;
  let home: string | undefined;
  let ssh: Engine | undefined;
  try {
    remote = await startRemoteEngine('bfiles', { ssh: true });
    remote.loadImage(IMAGE);
    home = makeSshHome(remote, 'bfiles');
    ssh = new Engine({ address: { kind: 'ssh', host: 'gpu-box' }, source: 'setting', describe: 'ssh://gpu-box (bench)' }, 60_000,
      { home, localUser: 'nobody', agentSocket: '', knownHostsText: remote.ssh!.knownHostsLine });
    await measure('ssh (namespace dockerd)', ssh);
  } finally {
    ssh?.close();
    await remote?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  }
  console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
