/**
 * Named volumes: list (with sizes from `GET /system/df` on demand), inspect, create, remove, prune.
 */
import type * as DockerodeNs from 'dockerode';
import { EngineBase, type LabelFilter } from './connection';
import type { PruneResult, VolumeSummary } from '../core/engineTypes';


/** The volume calls of {@link Engine}. */
export abstract class VolumesApi extends EngineBase {
  /**
   * `GET /volumes`, with sizes from `GET /system/df` when `withSizes` (the engine computes them,
   * which can take seconds on a big engine, so only on demand).
   */
  async listVolumes(options: { withSizes?: boolean; label?: LabelFilter } = {}): Promise<VolumeSummary[]> {
    const res = await this.read('list volumes', (abortSignal) =>
      this.docker().listVolumes({ abortSignal, ...(options.label ? { filters: JSON.stringify({ label: options.label }) } : {}) } as DockerodeNs.VolumeListOptions),
    );
    const sizes = new Map<string, number>();
    if (options.withSizes) {
      const df = (await this.diskUsage()) as { Volumes?: Array<{ Name: string; UsageData?: { Size: number } | null }> };
      for (const v of df.Volumes ?? []) if (v.UsageData && v.UsageData.Size >= 0) sizes.set(v.Name, v.UsageData.Size);
    }
    return (res.Volumes ?? []).map((v) => {
      const created = (v as unknown as { CreatedAt?: string }).CreatedAt;
      return {
        name: v.Name,
        driver: v.Driver,
        mountpoint: v.Mountpoint,
        created: created ? Date.parse(created) || 0 : 0,
        labels: v.Labels ?? {},
        size: sizes.get(v.Name),
      };
    });
  }

  /** `GET /volumes/{name}`, raw, for the Inspect editor. */
  async inspectVolume(name: string): Promise<Record<string, unknown>> {
    return (await this.read(`inspect volume ${name}`, (abortSignal) => this.docker().getVolume(name).inspect({ abortSignal }))) as unknown as Record<string, unknown>;
  }

  /** `POST /volumes/create` */
  async createVolume(name: string, labels: Record<string, string> = {}): Promise<void> {
    await this.call(`create volume ${name}`, (abortSignal) => this.docker().createVolume({ Name: name, Labels: labels, abortSignal } as DockerodeNs.VolumeCreateOptions));
  }

  /** `DELETE /volumes/{name}`; the engine refuses (409, 'conflict') while a container uses it. */
  async removeVolume(name: string): Promise<void> {
    await this.call(`remove volume ${name}`, (abortSignal) => this.docker().getVolume(name).remove({ abortSignal }));
  }

  /**
   * `POST /volumes/prune`: removes unused volumes. Engines from API 1.42 on prune only anonymous
   * volumes unless `all=true`; API 1.41 (Docker 20.10) prunes every unused local volume.
   */
  async pruneVolumes(label?: LabelFilter): Promise<PruneResult> {
    const [major, minor] = (await this.version()).apiVersion.split('.').map(Number);
    const filters: Record<string, string[]> = { ...(label ? { label } : {}), ...(major > 1 || minor >= 42 ? { all: ['true'] } : {}) };
    const r = await this.call('prune volumes', () => this.docker().pruneVolumes({ filters } as DockerodeNs.VolumePruneOptions));
    return { removed: r.VolumesDeleted ?? [], spaceReclaimed: r.SpaceReclaimed ?? 0 };
  }
}
