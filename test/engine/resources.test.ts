/**
 * Engine tier: a container's resources and why a run died, against real containers.
 * - The stats stream (`GET /containers/{id}/stats`) of a container that burns CPU and holds
 *   memory, locally and on a second engine in a network namespace over TLS and over SSH; it ends
 *   by itself when the container stops, and on abort.
 * - GPU samples through exec of a fake `nvidia-smi` in a test image (no GPU exists here).
 * - Each diagnosis from a container that really does it: an OOM kill under `--memory 32m`, a
 *   write past a 1 MiB /dev/shm, a bus error on /dev/shm, a segfault, SIGTERM and SIGKILL through
 *   Stop, a missing module, a missing file under a bind mount; CUDA's message only as printed text.
 *   Facts are gathered as src/ui/shared/runHistory.ts gathers them.
 * Everything created carries the label org.mllab.test=<run id> and is removed at the end.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import type { RunRequest } from '../../src/core/run/createOptions';
import { diagnoseExit, LastLines, type Diagnosis } from '../../src/core/runs/diagnosis';
import { withStatsSample, type GpuSample, type ResourcePeaks, type ResourceSample } from '../../src/core/runs/stats';
import { BASE_IMAGE, TEST_LABEL, cleanup, repoRoot, runId, testEngine } from '../support/fixtures';
import { makeSshHome, startRemoteEngine, type RemoteEngine } from '../support/remoteEngine';

const RUN = runId('resources');
const labels = { [TEST_LABEL]: RUN };
const TINY = 'mllab-test/busybox:1';
const fakeGpuTag = `mllab-resourcestest/fake-gpu:${RUN}`;
const MiB = 1024 * 1024;
let n = 0;
const req = (o: Partial<RunRequest>): RunRequest => ({ image: TINY, name: `mllab-resourcestest-${++n}-${RUN}`, ports: [], mounts: [], labels, bindAddress: '127.0.0.1', ...o });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Follows a container's stats until it stops; returns the samples and when each arrived (ms). */
async function collectStats(engine: Engine, id: string, signal?: AbortSignal): Promise<{ samples: ResourceSample[]; arrived: number[]; ended: number }> {
  const samples: ResourceSample[] = [];
  const arrived: number[] = [];
  await engine.streamStats(id, (s) => {
    samples.push(s);
    arrived.push(Date.now());
  }, { signal });
  return { samples, arrived, ended: Date.now() };
}

/** Runs `r` to its end as the run recorder follows it (logs tail, stats peaks), then diagnoses the exit. */
async function runAndDiagnose(engine: Engine, r: RunRequest, o: { stopAfterMs?: number; graceSeconds?: number; requirementsFile?: string } = {}): Promise<{ exitCode: number; oomKilled: boolean | undefined; diagnosis: Diagnosis | undefined; peaks: ResourcePeaks; text: string }> {
  const { id } = await engine.runContainer(r);
  const tail = new LastLines();
  let text = '';
  let peaks: ResourcePeaks = {};
  const logs = engine.logs(id, (t) => {
    text += t;
    tail.push(t);
  }, { follow: true });
  const stats = engine.streamStats(id, (s) => (peaks = withStatsSample(peaks, s)));
  if (o.stopAfterMs !== undefined) {
    await new Promise((res) => setTimeout(res, o.stopAfterMs));
    await engine.stopContainer(id, o.graceSeconds ?? 10);
  }
  const { exitCode } = await engine.waitContainer(id);
  await Promise.all([logs, stats]);
  const state = await engine.exitState(id);
  const diagnosis = diagnoseExit({
    exitCode,
    oomKilled: state.oomKilled,
    lastLines: tail.get(),
    memory: state.memory ?? r.memory,
    shmSize: state.shmSize ?? r.shmSize,
    ipcMode: r.ipcMode,
    mounts: r.mounts.map((m) => ({ type: m.type, source: m.source, target: m.target })),
    workingDir: r.workingDir,
    peakMemoryBytes: peaks.memoryBytes,
    requirementsFile: o.requirementsFile,
  });
  // what a user sees, for the report
  console.log(`[diagnosis] exit ${exitCode}${state.oomKilled ? ' OOMKilled' : ''}: ${diagnosis?.message ?? '(none)'}`);
  return { exitCode, oomKilled: state.oomKilled, diagnosis, peaks, text };
}

describe('container resources and death diagnosis on a real engine', () => {
  let engine: Engine;
  before(async () => {
    engine = testEngine();
    await engine.ping();
  });
  after(async () => {
    await cleanup(engine, RUN, [fakeGpuTag]);
  });

  it('streams stats (not a poll) of a container that burns CPU and holds memory: CPU %, memory against its limit, about one entry a second', async () => {
    // python holds 48 MiB and spins for about 6 s, under a 256 MiB limit
    const { id } = await engine.runContainer(req({
      image: BASE_IMAGE,
      memory: 256 * MiB,
      cmd: ['python3', '-c', 'import time\nb = bytearray(48 * 1024 * 1024)\nfor i in range(0, len(b), 4096): b[i] = 1\nt = time.time()\nwhile time.time() - t < 6: pass'],
    }));
    const started = Date.now();
    const { samples, arrived, ended } = await collectStats(engine, id);
    const { exitCode } = await engine.waitContainer(id);
    assert.equal(exitCode, 0);
    assert.ok(samples.length >= 4, `at least 4 entries in about 6 s, got ${samples.length}`);
    assert.ok(samples.every((s) => s.memoryLimitBytes === 256 * MiB), 'the limit is the container\'s --memory');
    assert.ok(Math.max(...samples.map((s) => s.memoryBytes)) > 40 * MiB, `memory in use rose above 40 MiB: ${samples.map((s) => s.memoryBytes)}`);
    assert.ok(Math.max(...samples.map((s) => s.cpuPercent)) > 20, `a busy loop shows in CPU %: ${samples.map((s) => s.cpuPercent.toFixed(1))}`);
    for (const k of ['netRxBytes', 'netTxBytes', 'blockReadBytes', 'blockWriteBytes'] as const) {
      assert.ok(samples.every((s, i) => i === 0 || s[k] >= samples[i - 1][k]), `${k} never decreases (counters since start)`);
    }
    const gaps = arrived.slice(1).map((t, i) => t - arrived[i]);
    assert.ok(median(gaps) > 500 && median(gaps) < 2_000, `entries about every second: ${gaps}`);
    console.log(`[stats] local: first entry ${arrived[0] - started} ms after start, ${samples.length} entries, median gap ${median(gaps)} ms, stream ended ${ended - arrived[arrived.length - 1]} ms after the last entry`);
  });

  it('ends the stats stream on abort while the container keeps running', async () => {
    const { id } = await engine.runContainer(req({ cmd: ['sleep', '60'] }));
    const abort = new AbortController();
    const got = collectStats(engine, id, abort.signal);
    await new Promise((r) => setTimeout(r, 2_500));
    abort.abort();
    const t0 = Date.now();
    const { samples } = await got;
    assert.ok(Date.now() - t0 < 1_000, 'the stream ended at once');
    assert.ok(samples.length >= 1);
    assert.equal((await engine.inspectContainer(id) as { State: { Running: boolean } }).State.Running, true);
    await engine.removeContainer(id, { force: true });
  });

  it('samples GPUs with nvidia-smi through exec, now and periodically (fake nvidia-smi printing NVIDIA\'s documented figures)', async () => {
    const ctx = path.join(repoRoot, 'test', 'fixtures', 'fake-nvidia-smi');
    await engine.build({ contextDir: ctx, dockerfile: path.join(ctx, 'Dockerfile'), tag: fakeGpuTag, buildArgs: { BASE_IMAGE: TINY }, labels }, () => undefined);
    const { id } = await engine.runContainer(req({ image: fakeGpuTag }));
    const one = await engine.sampleGpus(id);
    assert.deepEqual(one?.gpus, [{ utilizationPercent: 6, memoryUsedMiB: 0, memoryTotalMiB: 40537 }]);
    const abort = new AbortController();
    const got: GpuSample[] = [];
    const following = engine.followGpus(id, (g) => got.push(g), { signal: abort.signal, intervalMs: 300 });
    await new Promise((r) => setTimeout(r, 1_500));
    abort.abort();
    await following;
    assert.ok(got.length >= 2, `periodic samples: ${got.length}`);
    // a container without nvidia-smi gives no sample (and no error)
    const { id: plain } = await engine.runContainer(req({ cmd: ['sleep', '60'] }));
    assert.equal(await engine.sampleGpus(plain), undefined);
  });

  describe('diagnoses a run that really died', () => {
    it('killed for memory: --memory 32m and a Python allocation growing 1 MiB every 50 ms', async () => {
      const r = await runAndDiagnose(engine, req({ image: BASE_IMAGE, memory: 32 * MiB, cmd: ['python3', '-c', 'import time\na = []\nwhile True:\n    a.append(bytearray(1024 * 1024))\n    time.sleep(0.05)'] }));
      assert.equal(r.exitCode, 137);
      assert.equal(r.oomKilled, true, 'the kernel OOM-killed it (memory cgroup)');
      assert.equal(r.diagnosis?.kind, 'oomKilled');
      assert.ok((r.peaks.memoryBytes ?? 0) > 16 * MiB, `the stats stream saw the memory grow: ${r.peaks.memoryBytes}`);
      assert.match(r.diagnosis!.message, /^The container was killed for memory \(exit code 137, OOMKilled\): it reached its limit of 32 MiB, peak seen [\d.]+ MiB; raise the memory limit \(e\.g\. to 64 MiB\)/);
      assert.deepEqual(r.diagnosis!.action, { kind: 'moreMemory', label: 'Re-run with 64 MiB Memory', memory: 64 * MiB });
    });
    it('shared memory too small: a write past a 1 MiB /dev/shm', async () => {
      const r = await runAndDiagnose(engine, req({ shmSize: MiB, cmd: ['sh', '-c', 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=4 || exit 1'] }));
      assert.equal(r.exitCode, 1);
      assert.equal(r.diagnosis?.kind, 'shm');
      assert.match(r.diagnosis!.message, /^The container's shared memory \(\/dev\/shm, 1 MiB\) was too small \("dd: error writing '\/dev\/shm\/fill': No space left on device"\); re-run with a larger shmSize \(e\.g\. 1 GiB\)/);
      assert.equal(r.diagnosis!.action?.kind, 'moreShm');
    });
    it('shared memory too small: a bus error touching a mapped /dev/shm file past its size', async () => {
      const code = 'import mmap, os\nfd = os.open("/dev/shm/batch", os.O_RDWR | os.O_CREAT)\nos.ftruncate(fd, 8 << 20)\nm = mmap.mmap(fd, 8 << 20)\nm[:] = b"x" * (8 << 20)';
      const r = await runAndDiagnose(engine, req({ image: BASE_IMAGE, shmSize: MiB, cmd: ['python3', '-c', code] }));
      assert.equal(r.exitCode, 135, 'SIGBUS (7) + 128');
      assert.equal(r.diagnosis?.kind, 'shm');
      assert.match(r.diagnosis!.message, /\(\/dev\/shm, 1 MiB\) was too small \(a bus error, exit code 135\)/);
    });
    it('a segfault (Python ctypes reading address 0)', async () => {
      const r = await runAndDiagnose(engine, req({ image: BASE_IMAGE, cmd: ['python3', '-c', 'import ctypes; ctypes.string_at(0)'] }));
      assert.equal(r.exitCode, 139);
      assert.equal(r.diagnosis?.kind, 'segfault');
    });
    it('stopped with SIGTERM: Stop on an entrypoint that passes the signal on', async () => {
      // the usual entrypoint wrapper: PID 1 forwards SIGTERM to the training process and exits with its status
      const script = 'python3 -c "import time; print(\'training\', flush=True); time.sleep(60)" & child=$!; trap \'kill -TERM $child; wait $child; exit $?\' TERM; wait $child';
      const r = await runAndDiagnose(engine, req({ image: BASE_IMAGE, cmd: ['sh', '-c', script] }), { stopAfterMs: 1_500 });
      assert.equal(r.exitCode, 143);
      assert.equal(r.diagnosis?.kind, 'stopped');
    });
    it('killed with SIGKILL, not for memory: Stop past the grace period of a PID 1 that ignores SIGTERM', async () => {
      const r = await runAndDiagnose(engine, req({ cmd: ['sleep', '60'] }), { stopAfterMs: 1_000, graceSeconds: 1 });
      assert.equal(r.exitCode, 137);
      assert.equal(r.oomKilled, false);
      assert.equal(r.diagnosis?.kind, 'killed');
      assert.match(r.diagnosis!.message, /not for memory/);
    });
    it('a missing module, naming the requirements file', async () => {
      const r = await runAndDiagnose(engine, req({ image: BASE_IMAGE, cmd: ['python3', '-c', 'import torch'] }), { requirementsFile: 'requirements.txt' });
      assert.equal(r.exitCode, 1);
      assert.equal(r.diagnosis?.kind, 'missingModule');
      assert.equal(r.diagnosis!.message, "Python could not import the module 'torch': it is not installed in the image; add torch to requirements.txt and rebuild the image.");
      assert.equal(r.diagnosis!.action?.kind, 'openRequirements');
    });
    it('a missing file under a bind mount, naming the mount', async () => {
      const data = mkdtempSync(path.join(tmpdir(), 'mllab-resources-data-'));
      try {
        writeFileSync(path.join(data, 'valid.csv'), 'x\n1\n');
        const r = await runAndDiagnose(engine, req({ image: BASE_IMAGE, mounts: [{ type: 'bind', source: data, target: '/data', readOnly: true }], cmd: ['python3', '-c', 'open("/data/train.csv").read()'] }));
        assert.equal(r.exitCode, 1);
        assert.equal(r.diagnosis?.kind, 'missingFile');
        assert.equal(r.diagnosis!.message, `The script did not find /data/train.csv, which would come from the bind mount ${data} (mounted at /data); check that train.csv exists in ${data} on the engine's machine, or fix the path.`);
      } finally {
        rmSync(data, { recursive: true, force: true });
      }
    });
    it('CUDA out of memory, from the printed message (no GPU here)', async () => {
      const line = 'torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 22.00 MiB. GPU 0 has a total capacity of 23.65 GiB of which 11.06 MiB is free.';
      const r = await runAndDiagnose(engine, req({ cmd: ['sh', '-c', `echo '${line}' >&2; exit 1`] }));
      assert.equal(r.diagnosis?.kind, 'cudaOom');
      assert.match(r.diagnosis!.message, /^The GPU ran out of memory while allocating 22\.00 MiB \(CUDA out of memory\); use a smaller batch size/);
    });
  });
});

const canMakeMachines = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

describe('the stats stream on a remote engine', { skip: !canMakeMachines && 'needs root and iproute2 (scripts/setup/remote.sh)' }, () => {
  let remote: RemoteEngine;
  let home: string;
  const engines: Engine[] = [];
  before(async () => {
    remote = await startRemoteEngine('res', { ssh: true });
    remote.loadImage(TINY);
    home = makeSshHome(remote, 'resources');
  });
  after(async () => {
    for (const e of engines) e.close();
    await remote?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const transports: Array<[string, () => Engine]> = [
    ['TLS', () => new Engine({
      address: { kind: 'tcp', host: remote.address, port: 2376, tls: { caPath: path.join(remote.certDir, 'ca.pem'), certPath: path.join(remote.certDir, 'cert.pem'), keyPath: path.join(remote.certDir, 'key.pem'), verify: true } },
      source: 'setting', describe: `${remote.tlsHost} TLS (test)`,
    })],
    ['SSH', () => new Engine({ address: { kind: 'ssh', host: 'gpu-box' }, source: 'setting', describe: 'ssh://gpu-box (test)' }, 20_000, { home, localUser: 'nobody', agentSocket: '', knownHostsText: remote.ssh!.knownHostsLine })],
  ];
  for (const [name, make] of transports) {
    it(`over ${name}: entries while the container runs, the stream ends when it stops`, async () => {
      const e = make();
      engines.push(e);
      // busybox burns CPU for about 4 s with a 64 MiB limit
      const { id } = await e.runContainer(req({ memory: 64 * MiB, cmd: ['sh', '-c', 'end=$(($(date +%s)+4)); while [ $(date +%s) -lt $end ]; do :; done'] }));
      const started = Date.now();
      const { samples, arrived, ended } = await collectStats(e, id);
      const { exitCode } = await e.waitContainer(id);
      assert.equal(exitCode, 0);
      assert.ok(samples.length >= 2, `entries over ${name}: ${samples.length}`);
      assert.ok(samples.every((s) => s.memoryLimitBytes === 64 * MiB));
      assert.ok(Math.max(...samples.map((s) => s.cpuPercent)) > 20, `CPU %: ${samples.map((s) => s.cpuPercent.toFixed(1))}`);
      const gaps = arrived.slice(1).map((t, i) => t - arrived[i]);
      console.log(`[stats] ${name}: first entry ${arrived[0] - started} ms after start, ${samples.length} entries, median gap ${median(gaps)} ms, ended ${ended - arrived[arrived.length - 1]} ms after the last`);
      await e.removeContainer(id, { force: true });
    });
  }
});
