/**
 * One container list shared by the views and the status bar within a refresh: the Images and
 * Volumes views need it for "used by", the Containers view and the status bar show it. Calls
 * within `maxAgeMs` of each other share one engine request.
 */
import type { ContainerSummary } from '../../core/engineTypes';
import type { EngineSession } from '../session';

const maxAgeMs = 250; // one refresh burst: the three views load within this

export class ContainerSnapshot {
  private pending: { at: number; list: Promise<ContainerSummary[]> } | undefined;

  constructor(private readonly session: EngineSession) {}

  containers(): Promise<ContainerSummary[]> {
    const now = Date.now();
    if (!this.pending || now - this.pending.at > maxAgeMs) {
      this.pending = { at: now, list: this.session.get().listContainers() };
      this.pending.list.catch(() => (this.pending = undefined));
    }
    return this.pending.list;
  }
}
