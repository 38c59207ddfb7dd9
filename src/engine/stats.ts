/**
 * A container's resources while it runs: the stats stream (`GET /containers/{id}/stats`, one
 * entry about every second, on the same connection as every other call: a socket, TLS or one
 * channel of the engine's SSH connection), GPU samples from `nvidia-smi` run inside it through
 * exec, and how it ended (`State.OOMKilled`). Results are our own types (src/core/runs/stats.ts).
 */
import { EngineBase } from './connection';
import { NVIDIA_SMI_QUERY, parseNvidiaSmi, statsSample, type GpuSample, type RawStats, type ResourceSample } from '../core/runs/stats';

/** How a container ended, as far as the diagnosis of a dead run needs it. */
export interface ExitState {
  exitCode: number;
  /** `State.OOMKilled`: the kernel's OOM killer ended a process of the container */
  oomKilled: boolean;
  /** `HostConfig.Memory` in bytes; undefined when the container has no limit */
  memory?: number;
  /** `HostConfig.ShmSize` in bytes, as the engine applied it */
  shmSize?: number;
}

/** The stats and GPU calls of {@link Engine}. */
export abstract class StatsApi extends EngineBase {
  /** ContainersApi's exec (joined into the same Engine): declared here so a GPU sample can use it. */
  abstract execCollect(id: string, cmd: string[], options?: { user?: string }): Promise<{ exitCode: number; output: string }>;

  /**
   * Follows a container's stats stream (`GET /containers/{id}/stats?stream=1`): `onSample` gets
   * a sample per entry (CPU % computed as `docker stats` does). Resolves when the container
   * stops (its first entry with no reading: dockerd 20.10 goes on sending such entries every
   * second over a kept-alive connection, so the stream is closed here), `signal` aborts, or the
   * engine stops answering (checked every `livenessIntervalMs` on remote engines, as the log
   * stream does).
   * @throws EngineError when the stream cannot be opened (unknown container, engine unreachable)
   */
  async streamStats(id: string, onSample: (s: ResourceSample) => void, options: { signal?: AbortSignal } = {}): Promise<void> {
    const container = this.docker().getContainer(id);
    let stream: NodeJS.ReadableStream;
    try {
      // dockerode passes abortSignal through at run time; its types omit it
      stream = await container.stats({ stream: true, abortSignal: options.signal } as { stream: true });
    } catch (err) {
      throw this.mapError(`stats of ${id}`, err, options.signal);
    }
    await this.followLines(stream, `The stats stream of ${id.slice(0, 12)}`, (line) => {
      let raw: RawStats;
      try {
        raw = JSON.parse(line) as RawStats;
      } catch {
        return undefined; // not an entry: the next one comes within a second
      }
      const s = statsSample(raw);
      if (!s) return 'stop';
      onSample(s);
      return undefined;
    }, options.signal);
  }

  /**
   * One GPU sample: runs `nvidia-smi --query-gpu=utilization.gpu,memory.used,memory.total
   * --format=csv,noheader,nounits` in the running container (exec) and parses it.
   * @returns undefined when nvidia-smi is missing or fails there (no GPU, no driver mounted)
   */
  async sampleGpus(id: string): Promise<GpuSample | undefined> {
    const r = await this.execCollect(id, NVIDIA_SMI_QUERY).catch(() => undefined);
    if (!r || r.exitCode !== 0) return undefined;
    const gpus = parseNvidiaSmi(r.output);
    return gpus.length ? { at: Date.now(), gpus } : undefined;
  }

  /**
   * Samples the container's GPUs every `intervalMs` ({@link sampleGpus}) until `signal` aborts;
   * `onSample` gets each sample that parsed. A failed sample (nvidia-smi missing, the container
   * between restarts) is skipped, and sampling goes on.
   * @param intervalMs pause between the end of one sample and the next, in ms (default 5,000:
   *   an exec costs a process start in the container, so not every second as the stats stream)
   */
  async followGpus(id: string, onSample: (g: GpuSample) => void, options: { signal: AbortSignal; intervalMs?: number }): Promise<void> {
    const intervalMs = options.intervalMs ?? 5_000;
    while (!options.signal.aborted) {
      const g = await this.sampleGpus(id);
      if (g && !options.signal.aborted) onSample(g);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, intervalMs);
        options.signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        }, { once: true });
      });
    }
  }

  /**
   * How a stopped container ended (`GET /containers/{id}/json`: State.ExitCode, State.OOMKilled,
   * HostConfig.Memory and ShmSize).
   * @throws EngineError 'notFound' when the container is gone (e.g. removed by `--rm`)
   */
  async exitState(id: string): Promise<ExitState> {
    const info = await this.read(`inspect container ${id}`, (abortSignal) => this.docker().getContainer(id).inspect({ abortSignal }));
    const hc = info.HostConfig as { Memory?: number; ShmSize?: number } | undefined;
    return {
      exitCode: info.State?.ExitCode ?? -1,
      oomKilled: info.State?.OOMKilled === true,
      ...(hc?.Memory ? { memory: hc.Memory } : {}),
      ...(hc?.ShmSize ? { shmSize: hc.ShmSize } : {}),
    };
  }
}
