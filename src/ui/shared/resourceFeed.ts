/**
 * A container's resources while it runs, for the run recorder and the Training Run panel: one
 * stats stream (`GET /containers/{id}/stats`, not a poll) and, when the run asked for GPUs, a
 * GPU sample through `nvidia-smi` every few seconds; the latest figures and the run's peaks.
 * Listeners (open panels) come and go; the feed itself ends with the container or `stop()`.
 */
import { withGpuSample, withStatsSample, type GpuSample, type ResourcePeaks, type ResourceSample } from '../../core/runs/stats';
import type { Engine } from '../../engine/engine';

/** What a listener gets: the newest stats sample or GPU sample, and the peaks so far. */
export interface ResourceUpdate {
  sample?: ResourceSample;
  gpu?: GpuSample;
  peaks: ResourcePeaks;
}

/** Stats samples kept for a panel opened late: 10 minutes at one entry a second. */
const keepSamples = 600;

export class ResourceFeed {
  private readonly abort = new AbortController();
  private readonly listeners = new Set<(u: ResourceUpdate) => void>();
  latest: ResourceSample | undefined;
  /** the last {@link keepSamples} stats samples, oldest first (a panel opened mid-run draws them) */
  readonly recent: ResourceSample[] = [];
  latestGpu: GpuSample | undefined;
  peaks: ResourcePeaks = {};
  /** resolves when the stats stream has ended (the container stopped, or `stop()`) */
  readonly ended: Promise<void>;

  /**
   * Starts following `containerId`. Never throws: a stream that cannot open (the container is
   * already gone) just ends the feed.
   * @param gpus sample GPUs with nvidia-smi (the run asked for GPUs)
   * @param gpuIntervalMs between GPU samples, in ms
   */
  constructor(engine: Engine, containerId: string, o: { gpus?: boolean; gpuIntervalMs?: number; signal?: AbortSignal } = {}) {
    o.signal?.addEventListener('abort', () => this.stop(), { once: true });
    this.ended = engine
      .streamStats(containerId, (s) => {
        this.latest = s;
        this.recent.push(s);
        if (this.recent.length > keepSamples) this.recent.splice(0, this.recent.length - keepSamples);
        this.peaks = withStatsSample(this.peaks, s);
        this.emit({ sample: s, peaks: this.peaks });
      }, { signal: this.abort.signal })
      .catch(() => undefined)
      .finally(() => this.abort.abort());
    if (o.gpus) {
      void engine.followGpus(containerId, (g) => {
        this.latestGpu = g;
        this.peaks = withGpuSample(this.peaks, g);
        this.emit({ gpu: g, peaks: this.peaks });
      }, { signal: this.abort.signal, intervalMs: o.gpuIntervalMs });
    }
  }

  /** Calls `fn` on every new sample; returns the function that stops it. */
  onUpdate(fn: (u: ResourceUpdate) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(u: ResourceUpdate): void {
    for (const l of this.listeners) l(u);
  }

  /** Ends the stats stream and the GPU sampling. */
  stop(): void {
    this.abort.abort();
  }
}
