/**
 * A container's resources: stats entries -> samples (the Docker CLI's arithmetic), nvidia-smi
 * CSV -> GPU readings, peaks. The stats entry is a real one: `GET /containers/{id}/stats?stream=0`
 * of a busybox container (`--memory 64m`, a shell loop) on dockerd 20.10.24, cgroup v1, captured
 * on the test machine (test/fixtures/stats/busy-cgroup1.json).
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuPercent, formatBinaryBytes, memoryInUse, parseNvidiaSmi, peakCells, statsSample, withGpuSample, withStatsSample, type RawStats } from '../../../src/core/runs/stats';

const fixtures = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'stats');
const busy = JSON.parse(readFileSync(join(fixtures, 'busy-cgroup1.json'), 'utf8')) as RawStats;

describe('stats samples', () => {
  it('computes CPU % as the CLI does: container delta / system delta x online CPUs x 100', () => {
    const c = busy.cpu_stats!;
    const p = busy.precpu_stats!;
    const expected = ((c.cpu_usage!.total_usage! - p.cpu_usage!.total_usage!) / (c.system_cpu_usage! - p.system_cpu_usage!)) * c.online_cpus! * 100;
    assert.ok(expected > 1, 'the captured container was busy');
    assert.equal(statsSample(busy)!.cpuPercent, expected);
  });
  it('gives the lifetime average without a previous reading (the first entry of a stream), as the CLI does', () => {
    assert.equal(cpuPercent({ cpu_usage: { total_usage: 5e8 }, system_cpu_usage: 9e11, online_cpus: 2 }, { cpu_usage: {} }), (5e8 / 9e11) * 2 * 100);
  });
  it('gives 0 % when the container used no CPU since the previous reading', () => {
    assert.equal(cpuPercent({ cpu_usage: { total_usage: 5e8 }, system_cpu_usage: 9e11, online_cpus: 2 }, { cpu_usage: { total_usage: 5e8 }, system_cpu_usage: 8e11 }), 0);
  });
  it('counts CPUs from percpu_usage when online_cpus is missing (older engines)', () => {
    assert.equal(cpuPercent({ cpu_usage: { total_usage: 200, percpu_usage: [1, 1, 1, 1] }, system_cpu_usage: 1000 }, { cpu_usage: { total_usage: 100 }, system_cpu_usage: 800 }), 200);
  });
  it('takes memory without inactive page cache (cgroup v1 total_inactive_file, v2 inactive_file)', () => {
    assert.equal(memoryInUse({ usage: 1000, stats: { total_inactive_file: 300, inactive_file: 100 } }), 700);
    assert.equal(memoryInUse({ usage: 1000, stats: { inactive_file: 100 } }), 900);
    assert.equal(memoryInUse({ usage: 1000, stats: { total_inactive_file: 5000 } }), 1000);
  });
  it('reads the limit, network and block I/O of the captured entry', () => {
    const s = statsSample(busy)!;
    assert.equal(s.memoryLimitBytes, 64 * 1024 * 1024);
    assert.equal(s.netRxBytes, 736);
    assert.equal(s.netTxBytes, 0);
    assert.equal(s.at, Date.parse(busy.read!));
    assert.equal(s.memoryHighWaterBytes, busy.memory_stats!.max_usage);
  });
  // the op values of the Engine API reference's example stats entry (docs.docker.com/engine/api/v1.41, ContainerStats)
  it('sums block I/O by op as the CLI does (Read/Write, any case; Sync/Total ignored)', () => {
    const s = statsSample({ ...busy, blkio_stats: { io_service_bytes_recursive: [
      { op: 'Read', value: 205672448 }, { op: 'Write', value: 97959936 }, { op: 'Sync', value: 97959936 }, { op: 'Total', value: 303632384 }, { op: 'read', value: 1 },
    ] } })!;
    assert.equal(s.blockReadBytes, 205672449);
    assert.equal(s.blockWriteBytes, 97959936);
  });
  it('skips the entries of a stopped container (zero read time)', () => {
    assert.equal(statsSample({ read: '0001-01-01T00:00:00Z', memory_stats: {} }), undefined);
  });
});

describe('nvidia-smi output', () => {
  // Figures of real GPUs as NVIDIA's documentation prints them (NVIDIA/cloud-native-docs, commit
  // 52dcb7b8d956784344e241df476de17094a4574c, Apache-2.0): an A100-SXM4-40GB at "0MiB / 40537MiB |
  // 6%" (kubernetes/index.rst line 166) and an A30 at "0MiB / 24576MiB | 25%"
  // (edge/nvidia-gpu-with-device-edge.rst line 313), in the `--format=csv,noheader,nounits` form
  // of nvidia-smi(1): comma-separated, one line per GPU, no header, no units.
  it('parses the noheader,nounits form, one line per GPU', () => {
    assert.deepEqual(parseNvidiaSmi('6, 0, 40537\n25, 0, 24576\n'), [
      { utilizationPercent: 6, memoryUsedMiB: 0, memoryTotalMiB: 40537 },
      { utilizationPercent: 25, memoryUsedMiB: 0, memoryTotalMiB: 24576 },
    ]);
  });
  it('parses the form with a header and units (plain --format=csv)', () => {
    assert.deepEqual(parseNvidiaSmi('utilization.gpu [%], memory.used [MiB], memory.total [MiB]\n6 %, 0 MiB, 40537 MiB\n'), [
      { utilizationPercent: 6, memoryUsedMiB: 0, memoryTotalMiB: 40537 },
    ]);
  });
  it('takes [N/A] (a field the GPU does not report) as missing', () => {
    assert.deepEqual(parseNvidiaSmi('12, [N/A], [N/A]\n'), [{ utilizationPercent: 12, memoryUsedMiB: undefined, memoryTotalMiB: undefined }]);
  });
  it('gives nothing for nvidia-smi errors', () => {
    assert.deepEqual(parseNvidiaSmi("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n"), []);
  });
});

describe('peaks', () => {
  it('keeps the highest CPU and memory, and the cgroup high-water mark below the limit', () => {
    let p = withStatsSample({}, { at: 1, cpuPercent: 50, memoryBytes: 10, memoryLimitBytes: 100, memoryHighWaterBytes: 40, netRxBytes: 0, netTxBytes: 0, blockReadBytes: 0, blockWriteBytes: 0 });
    p = withStatsSample(p, { at: 2, cpuPercent: 20, memoryBytes: 30, memoryLimitBytes: 100, netRxBytes: 0, netTxBytes: 0, blockReadBytes: 0, blockWriteBytes: 0 });
    assert.deepEqual(p, { cpuPercent: 50, memoryBytes: 40, memoryLimitBytes: 100, samples: 2 });
  });
  it('ignores a high-water mark at the limit (page cache fills it)', () => {
    const p = withStatsSample({}, { at: 1, cpuPercent: 1, memoryBytes: 10, memoryLimitBytes: 100, memoryHighWaterBytes: 100, netRxBytes: 0, netTxBytes: 0, blockReadBytes: 0, blockWriteBytes: 0 });
    assert.equal(p.memoryBytes, 10);
  });
  it('sums GPU memory over the GPUs and keeps the busiest GPU', () => {
    const p = withGpuSample({}, { at: 1, gpus: [{ utilizationPercent: 95, memoryUsedMiB: 745, memoryTotalMiB: 6144 }, { utilizationPercent: 10, memoryUsedMiB: 255, memoryTotalMiB: 6144 }] });
    assert.deepEqual(p, { gpuMemoryMiB: 1000, gpuMemoryTotalMiB: 12288, gpuUtilizationPercent: 95 });
  });
  it('formats peaks for the Compare table', () => {
    assert.deepEqual(peakCells({ cpuPercent: 153.24, memoryBytes: 33554432, memoryLimitBytes: 67108864, gpuMemoryMiB: 745, gpuMemoryTotalMiB: 6144 }), { cpu: '153.2%', memory: '32 MiB of 64 MiB', gpuMemory: '745 MiB of 6 GiB' });
    assert.deepEqual(peakCells(undefined), { cpu: '-', memory: '-', gpuMemory: '-' });
    assert.equal(formatBinaryBytes(1610612736), '1.5 GiB');
  });
});
