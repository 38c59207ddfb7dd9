/**
 * Build-context benchmark (`npm run bench`; prints figures, asserts nothing). An ML-shaped
 * project in a temp folder - 5,000 small data files, a 3,000-file `.venv`, a 200 MB checkpoint,
 * all in `.dockerignore` - built N times through the extension's path (`Engine.build`, which packs
 * the context with src/core/build/context.ts) and with `docker build` on the same engine, using the
 * classic builder on both sides (`DOCKER_BUILDKIT=0`; Engine.build uses `POST /build` classic).
 * The Dockerfile is `FROM mllab-test/busybox:1` + `COPY train.py requirements.txt /app/`, so the
 * build is about the context, not the base.
 *
 * Figures: median wall time of each (ours: the whole Engine.build call, walk and pack included;
 * CLI: process spawn to exit); bytes sent three ways - the tar stream our packer produces
 * (counted on the stream), the CLI's own "Sending build context to Docker daemon" figure, and
 * every byte each client wrote to the engine socket during one build (through a counting
 * unix-socket proxy, so the two are measured the same way); and the ratios against the goal
 * (bytes <= CLI, time <= 1.2x CLI).
 * Images are tagged mllab-bench/build:<run>-{ext,cli}, labelled org.mllab.bench=<run>, and removed
 * (noprune) at the end; the temp folder is deleted.
 * Settings: MLLAB_BENCH_BUILDS (default 5), MLLAB_DOCKER_CLI (default /usr/local/bin/docker).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { nodeConnectionInputs, resolveConnection, type ResolvedConnection } from '../src/core/connection';
import { packBuildContext } from '../src/core/build/context';
import { Engine } from '../src/engine/engine';

const RUN = `bench-${process.pid}-${Date.now().toString(36)}`;
const LABEL = 'org.mllab.bench';
const BASE = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const N = Number(process.env.MLLAB_BENCH_BUILDS ?? 5);
const CLI = process.env.MLLAB_DOCKER_CLI ?? (existsSync('/usr/local/bin/docker') ? '/usr/local/bin/docker' : 'docker');
const EXT_TAG = `mllab-bench/build:${RUN}-ext`;
const CLI_TAG = `mllab-bench/build:${RUN}-cli`;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;

/** Writes the ML-shaped project; returns its folder. */
function makeProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mllab-buildbench-'));
  for (let shard = 0; shard < 50; shard++) {
    const d = path.join(dir, 'data', `shard-${String(shard).padStart(2, '0')}`);
    mkdirSync(d, { recursive: true });
    for (let i = 0; i < 100; i++) {
      const rows = Array.from({ length: 8 }, (_, r) => `${shard},${i},${r},${Math.sin(shard * i + r).toFixed(6)}`).join('\n');
      writeFileSync(path.join(d, `sample-${String(i).padStart(3, '0')}.csv`), `shard,item,row,value\n${rows}\n`);
    }
  }
  for (let pkg = 0; pkg < 100; pkg++) {
    const d = path.join(dir, '.venv', 'lib', 'python3.11', 'site-packages', `pkg${pkg}`);
    mkdirSync(d, { recursive: true });
    for (let i = 0; i < 30; i++) writeFileSync(path.join(d, `module_${i}.py`), `"""pkg${pkg}.module_${i}"""\nVALUE = ${pkg * 30 + i}\n\ndef f(x):\n    return x + VALUE\n`);
  }
  mkdirSync(path.join(dir, 'checkpoints'));
  const fd = openSync(path.join(dir, 'checkpoints', 'model.ckpt'), 'w');
  const chunk = randomBytes(1024 * 1024);
  for (let i = 0; i < 200; i++) writeSync(fd, chunk);
  closeSync(fd);
  writeFileSync(path.join(dir, 'train.py'), 'import sys\nprint("training", sys.argv[1:])\n');
  writeFileSync(path.join(dir, 'requirements.txt'), 'scikit-learn==1.2.2\nnumpy==1.24.4\n');
  writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${BASE}\nCOPY train.py requirements.txt /app/\n`);
  writeFileSync(path.join(dir, '.dockerignore'), '# data, environments and weights never go into the image\ndata/\n.venv/\n*.ckpt\ncheckpoints/\n');
  return dir;
}

/** Bytes of the tar stream our packer produces for the context (what Engine.build sends as the body). */
async function ourTarBytes(dir: string): Promise<{ tarBytes: number; contentBytes: number; files: number; excluded: number }> {
  const packed = await packBuildContext(dir, path.join(dir, 'Dockerfile'));
  let tarBytes = 0;
  packed.stream.on('data', (d: Buffer) => (tarBytes += d.length));
  await new Promise<void>((resolve, reject) => {
    packed.stream.on('end', () => resolve());
    packed.stream.on('error', reject);
  });
  const stats = await packed.stats;
  return { tarBytes, contentBytes: stats.bytes, files: stats.files, excluded: stats.excludedCount };
}

/** go-units HumanSize (decimal: kB = 1000 B, 4 significant digits), as the CLI prints it, back to bytes. */
function parseHumanSize(text: string): number {
  const m = /^([\d.]+)\s*([kMGT]?B)$/.exec(text.trim());
  if (!m) return NaN;
  const mult: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };
  return Number(m[1]) * mult[m[2]];
}

/** Runs `docker build` with the classic builder; resolves with its wall time and the context size it reported. */
function cliBuild(dir: string, env: NodeJS.ProcessEnv): Promise<{ ms: number; reported: string }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const p = spawn(CLI, ['build', '-t', CLI_TAG, '--label', `${LABEL}=${RUN}`, dir], { env: { ...env, DOCKER_BUILDKIT: '0' } });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const ms = performance.now() - t;
      if (code !== 0) return reject(new Error(`docker build exited ${code}:\n${out}`));
      const reported = /Sending build context to Docker daemon\s+([\d.]+\s*[kMGT]?B)/.exec(out)?.[1] ?? '';
      resolve({ ms, reported });
    });
  });
}

async function extBuild(engine: Engine, dir: string): Promise<number> {
  const t = performance.now();
  await engine.build({ contextDir: dir, dockerfile: path.join(dir, 'Dockerfile'), tag: EXT_TAG, labels: { [LABEL]: RUN }, builder: 'classic' }, () => undefined);
  return performance.now() - t;
}

/** A unix-socket proxy in front of the engine socket that counts the bytes clients write to it. */
async function countingProxy(target: string, dir: string): Promise<{ socketPath: string; take(): number; close(): Promise<void> }> {
  const socketPath = path.join(dir, 'count.sock');
  let upstream = 0;
  const server = net.createServer((client) => {
    const engine = net.connect(target);
    client.on('data', (d: Buffer) => (upstream += d.length));
    client.pipe(engine);
    engine.pipe(client);
    client.on('error', () => engine.destroy());
    engine.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    take: () => {
      const n = upstream;
      upstream = 0;
      return n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function main(): Promise<void> {
  const connection = resolveConnection(nodeConnectionInputs(process.env.MLLAB_DOCKER_HOST));
  const engine = new Engine(connection, 120_000);
  const version = await engine.version();
  const cliVersion = await new Promise<string>((resolve) => {
    const p = spawn(CLI, ['version', '--format', '{{.Client.Version}}']);
    let v = '';
    p.stdout.on('data', (d: Buffer) => (v += d.toString()));
    p.on('close', () => resolve(v.trim()));
    p.on('error', () => resolve('?'));
  });
  const cliEnv: NodeJS.ProcessEnv = { ...process.env };
  if (process.env.MLLAB_DOCKER_HOST) cliEnv.DOCKER_HOST = process.env.MLLAB_DOCKER_HOST;

  const t0 = performance.now();
  const dir = makeProject();
  const scratch = mkdtempSync(path.join(tmpdir(), 'mllab-buildbench-sock-'));
  console.log(`ML-shaped project: 5,000 data files, 3,000 .venv files, 200 MB checkpoint (made in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  console.log(`engine ${version.version} (API ${version.apiVersion}); CLI ${CLI} ${cliVersion}, DOCKER_BUILDKIT=0 (classic builder on both sides); ${N} builds each after 1 warm-up, alternating`);
  try {
    const ours = await ourTarBytes(dir);
    const extMs: number[] = [];
    const cliMs: number[] = [];
    let reported = '';
    await extBuild(engine, dir);
    reported = (await cliBuild(dir, cliEnv)).reported;
    for (let i = 0; i < N; i++) {
      extMs.push(await extBuild(engine, dir));
      const c = await cliBuild(dir, cliEnv);
      cliMs.push(c.ms);
      reported = c.reported;
    }

    // Bytes on the wire: one more build each through a counting proxy (not timed).
    let wireExt = NaN;
    let wireCli = NaN;
    if (connection.address.kind === 'socket') {
      const proxy = await countingProxy(connection.address.socketPath, scratch);
      const proxied: ResolvedConnection = { address: { kind: 'socket', socketPath: proxy.socketPath }, source: 'setting', describe: `unix://${proxy.socketPath} (counting proxy)` };
      const viaProxy = new Engine(proxied, 120_000);
      proxy.take();
      await extBuild(viaProxy, dir);
      wireExt = proxy.take();
      await cliBuild(dir, { ...cliEnv, DOCKER_HOST: `unix://${proxy.socketPath}` });
      wireCli = proxy.take();
      await proxy.close();
    }

    const cliReportedBytes = parseHumanSize(reported);
    const mExt = median(extMs);
    const mCli = median(cliMs);
    console.log('');
    console.log(`context sent by the extension: ${ours.files} files, ${ours.contentBytes} B of content, ${ours.excluded} entries left out by .dockerignore`);
    console.log(`                              tar stream ${ours.tarBytes} B (${kb(ours.tarBytes)})`);
    console.log(`context sent by docker build:  "Sending build context to Docker daemon  ${reported}" (~${Math.round(cliReportedBytes)} B; the CLI rounds to 4 digits)`);
    if (!Number.isNaN(wireExt)) {
      console.log(`bytes written to the engine socket during one build (HTTP headers, chunk framing and the CLI's extra calls included):`);
      console.log(`  extension ${wireExt} B, CLI ${wireCli} B`);
    }
    console.log('');
    console.log(`wall time, median of ${N}:  extension ${mExt.toFixed(1)} ms [${extMs.map((x) => x.toFixed(0)).join(', ')}]`);
    console.log(`                         docker build ${mCli.toFixed(1)} ms [${cliMs.map((x) => x.toFixed(0)).join(', ')}] (includes starting the CLI process)`);
    console.log('');
    console.log(`ratios (extension / CLI):  bytes (tar vs CLI figure) ${(ours.tarBytes / cliReportedBytes).toFixed(3)}` +
      (Number.isNaN(wireExt) ? '' : `, bytes on the socket ${(wireExt / wireCli).toFixed(3)}`) +
      `, time ${(mExt / mCli).toFixed(2)}x`);
    const bytesOk = (Number.isNaN(wireExt) ? ours.tarBytes / cliReportedBytes : wireExt / wireCli) <= 1.0;
    console.log(`goal: no more bytes than the CLI -> ${bytesOk ? 'met' : 'NOT met'}; time within 1.2x -> ${mExt / mCli <= 1.2 ? 'met' : 'NOT met'}`);
  } finally {
    for (const tag of [EXT_TAG, CLI_TAG]) await engine.removeImage(tag, { force: true }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
