/**
 * A container's resources as the Training Run panel shows them and the run record keeps them:
 * one sample per `GET /containers/{id}/stats` stream entry (CPU %, memory against the limit,
 * network and block I/O), GPU samples parsed from `nvidia-smi --query-gpu` CSV, and the peaks
 * of a run. Plain data and pure functions; src/engine/stats.ts reads the stream and runs the exec.
 *
 * The arithmetic is the Docker CLI's, so the panel agrees with `docker stats`: docker/cli
 * cli/command/container/stats_helpers.go (commit 0163d9c0ee5a03e0f15c3ff7815f18b8d80bdde4,
 * Apache-2.0): `calculateCPUPercentUnix`, `calculateMemUsageUnixNoCache`, `calculateBlockIO`,
 * `calculateNetwork`.
 */

/** One stats entry of a running container. */
export interface ResourceSample {
  /** when the engine read the cgroup (epoch ms) */
  at: number;
  /** CPU use in percent of one CPU (200 = two CPUs busy), as `docker stats` shows it */
  cpuPercent: number;
  /** memory in use without the inactive page cache, in bytes */
  memoryBytes: number;
  /** the memory limit in bytes (the host's memory when the container has no limit) */
  memoryLimitBytes: number;
  /**
   * the cgroup's own high-water mark of memory use in bytes (cgroup v1 `max_usage`, page cache
   * included); undefined on cgroup v2, which does not report one
   */
  memoryHighWaterBytes?: number;
  /** bytes received and sent on all the container's networks since it started */
  netRxBytes: number;
  netTxBytes: number;
  /** bytes read from and written to block devices since it started */
  blockReadBytes: number;
  blockWriteBytes: number;
  /** processes and threads in the container */
  pids?: number;
}

/** The parts of an Engine API stats entry (API 1.41 `ContainerStats`) this module reads. */
export interface RawStats {
  read?: string;
  pids_stats?: { current?: number };
  cpu_stats?: RawCpu;
  precpu_stats?: RawCpu;
  memory_stats?: { usage?: number; max_usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: Array<{ op?: string; value?: number }> | null };
}
interface RawCpu {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
}

/** The zero time the engine sends once a container has stopped (Go's `time.Time{}`). */
const ZERO_TIME = /^0001-01-01/;

/**
 * CPU % as the Docker CLI computes it (`calculateCPUPercentUnix`): the container's CPU time
 * since the previous entry divided by the whole machine's, times the number of online CPUs,
 * times 100. 0 when either delta is not positive (the first entry has no previous one).
 */
export function cpuPercent(cur: RawCpu | undefined, prev: RawCpu | undefined): number {
  const cpuDelta = (cur?.cpu_usage?.total_usage ?? 0) - (prev?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cur?.system_cpu_usage ?? 0) - (prev?.system_cpu_usage ?? 0);
  const online = cur?.online_cpus || cur?.cpu_usage?.percpu_usage?.length || 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
}

/**
 * Memory in use as the Docker CLI shows it (`calculateMemUsageUnixNoCache`): usage minus
 * `total_inactive_file` (cgroup v1) or `inactive_file` (cgroup v2) when that is smaller.
 */
export function memoryInUse(mem: RawStats['memory_stats']): number {
  const usage = mem?.usage ?? 0;
  const v1 = mem?.stats?.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = mem?.stats?.inactive_file ?? 0;
  return v2 < usage ? usage - v2 : usage;
}

/**
 * One stats entry -> a sample; undefined for the entries of a stopped container (zero read
 * time, no memory figures), which the engine sends before it ends the stream.
 */
export function statsSample(raw: RawStats): ResourceSample | undefined {
  if (!raw.read || ZERO_TIME.test(raw.read) || !raw.memory_stats || raw.memory_stats.usage === undefined) return undefined;
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(raw.networks ?? {})) {
    rx += n.rx_bytes ?? 0;
    tx += n.tx_bytes ?? 0;
  }
  let read = 0;
  let write = 0;
  for (const e of raw.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = (e.op ?? '')[0];
    if (op === 'r' || op === 'R') read += e.value ?? 0;
    else if (op === 'w' || op === 'W') write += e.value ?? 0;
  }
  return {
    at: Date.parse(raw.read),
    cpuPercent: cpuPercent(raw.cpu_stats, raw.precpu_stats),
    memoryBytes: memoryInUse(raw.memory_stats),
    memoryLimitBytes: raw.memory_stats.limit ?? 0,
    ...(raw.memory_stats.max_usage !== undefined ? { memoryHighWaterBytes: raw.memory_stats.max_usage } : {}),
    netRxBytes: rx,
    netTxBytes: tx,
    blockReadBytes: read,
    blockWriteBytes: write,
    ...(raw.pids_stats?.current !== undefined ? { pids: raw.pids_stats.current } : {}),
  };
}

/** One GPU's figures from `nvidia-smi`; a field the GPU does not report (`[N/A]`) is undefined. */
export interface GpuReading {
  /** percent of the last sample period during which a kernel ran (`utilization.gpu`) */
  utilizationPercent?: number;
  /** `memory.used` in MiB */
  memoryUsedMiB?: number;
  /** `memory.total` in MiB */
  memoryTotalMiB?: number;
}

/** One `nvidia-smi` run: a reading per GPU the container sees, in index order. */
export interface GpuSample {
  at: number;
  gpus: GpuReading[];
}

/**
 * What runs in the container for a GPU sample. Fields and format as NVIDIA's nvidia-smi(1)
 * manual documents them (`--query-gpu` fields `utilization.gpu`, `memory.used`, `memory.total`;
 * `--format=csv,noheader,nounits`: comma-separated, no header line, no units), one line per GPU.
 */
export const NVIDIA_SMI_QUERY = ['nvidia-smi', '--query-gpu=utilization.gpu,memory.used,memory.total', '--format=csv,noheader,nounits'];

function gpuNumber(cell: string | undefined): number | undefined {
  // "[N/A]", "[Not Supported]" and "N/A" are how nvidia-smi says a GPU does not report a field
  const m = /^\s*(\d+(?:\.\d+)?)/.exec(cell ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * Parses the output of {@link NVIDIA_SMI_QUERY}: `utilization, used, total` per line, e.g.
 * `95, 745, 6144`. Also takes the form with units and a header (`--format=csv`:
 * `95 %, 745 MiB, 6144 MiB` under `utilization.gpu [%], ...`). Lines that are not three
 * cells (errors such as "NVIDIA-SMI has failed ...") are skipped.
 * @returns a reading per GPU line; empty when no line parsed
 */
export function parseNvidiaSmi(text: string): GpuReading[] {
  const out: GpuReading[] = [];
  for (const line of text.split(/\r?\n/)) {
    const cells = line.split(',');
    if (cells.length !== 3 || /utilization\.gpu/.test(line)) continue;
    const [u, used, total] = cells.map(gpuNumber);
    if (u === undefined && used === undefined && total === undefined) continue;
    out.push({ utilizationPercent: u, memoryUsedMiB: used, memoryTotalMiB: total });
  }
  return out;
}

/** The highest figures seen during a run (kept in its record; all optional: a run may end before the first sample). */
export interface ResourcePeaks {
  /** highest CPU %, of one CPU */
  cpuPercent?: number;
  /** highest memory in use (bytes), the higher of the samples and the cgroup's own high-water mark when it is below the limit */
  memoryBytes?: number;
  /** the memory limit in bytes, as the engine reported it */
  memoryLimitBytes?: number;
  /** highest GPU memory in use (MiB, summed over the container's GPUs) */
  gpuMemoryMiB?: number;
  /** GPU memory of the container's GPUs (MiB, summed) */
  gpuMemoryTotalMiB?: number;
  /** highest GPU utilisation (%, the busiest GPU) */
  gpuUtilizationPercent?: number;
  /** samples seen (stats entries) */
  samples?: number;
}

const max = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : Math.max(a, b));

/** The peaks with one more stats sample. */
export function withStatsSample(p: ResourcePeaks, s: ResourceSample): ResourcePeaks {
  // The cgroup's high-water mark counts page cache too: it only stands for the peak when it is
  // under the limit (a run that hit the limit would otherwise always show the limit).
  const hw = s.memoryHighWaterBytes !== undefined && s.memoryLimitBytes > 0 && s.memoryHighWaterBytes < s.memoryLimitBytes ? s.memoryHighWaterBytes : undefined;
  return {
    ...p,
    cpuPercent: max(p.cpuPercent, s.cpuPercent),
    memoryBytes: max(max(p.memoryBytes, s.memoryBytes), hw),
    memoryLimitBytes: s.memoryLimitBytes || p.memoryLimitBytes,
    samples: (p.samples ?? 0) + 1,
  };
}

/** The peaks with one more GPU sample. */
export function withGpuSample(p: ResourcePeaks, g: GpuSample): ResourcePeaks {
  if (!g.gpus.length) return p;
  const used = g.gpus.reduce((n, x) => n + (x.memoryUsedMiB ?? 0), 0);
  const total = g.gpus.reduce((n, x) => n + (x.memoryTotalMiB ?? 0), 0);
  const util = g.gpus.reduce<number | undefined>((n, x) => max(n, x.utilizationPercent), undefined);
  return { ...p, gpuMemoryMiB: max(p.gpuMemoryMiB, used), gpuMemoryTotalMiB: total || p.gpuMemoryTotalMiB, gpuUtilizationPercent: max(p.gpuUtilizationPercent, util) };
}

/**
 * Bytes in binary units as `docker stats` shows memory (go-units BytesSize): "31.8MiB" style,
 * here with a space: 33554432 -> "32 MiB", 1610612736 -> "1.5 GiB", 512 -> "512 B".
 */
export function formatBinaryBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return 'unknown';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number(v.toPrecision(3))} ${units[u]}`;
}

/** A CPU % for display: one decimal ("153.2%"). */
export function formatPercent(p: number): string {
  return `${(Math.round(p * 10) / 10).toFixed(1)}%`;
}

/** The peaks as table cells (Compare Runs): CPU, memory (of the limit), GPU memory; '-' where none was seen. */
export function peakCells(p: ResourcePeaks | undefined): { cpu: string; memory: string; gpuMemory: string } {
  return {
    cpu: p?.cpuPercent !== undefined ? formatPercent(p.cpuPercent) : '-',
    memory: p?.memoryBytes !== undefined ? `${formatBinaryBytes(p.memoryBytes)}${p.memoryLimitBytes ? ` of ${formatBinaryBytes(p.memoryLimitBytes)}` : ''}` : '-',
    gpuMemory: p?.gpuMemoryMiB !== undefined ? `${formatBinaryBytes(p.gpuMemoryMiB * 1024 * 1024)}${p.gpuMemoryTotalMiB ? ` of ${formatBinaryBytes(p.gpuMemoryTotalMiB * 1024 * 1024)}` : ''}` : '-',
  };
}
