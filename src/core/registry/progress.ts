/**
 * Push and pull progress from the Engine API's JSON stream (`POST /images/{name}/push`,
 * `POST /images/create`): per-layer current/total bytes summed into overall bytes, the
 * final digest (`aux.Digest` on push, `Digest: sha256:...` on pull), and the stream's error.
 *
 * Pull reports each layer twice (Downloading, then Extracting); the byte figures here are
 * the transfer (Downloading/Pushing) only, so they add up to what crossed the wire.
 */
import { formatBytes } from '../format';

export interface StreamMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: { Tag?: string; Digest?: string; Size?: number };
  error?: string;
  errorDetail?: { message?: string };
}

interface Layer {
  current: number;
  total: number;
  done: boolean;
  /** "Layer already exists" / "Already exists": nothing transferred */
  skipped: boolean;
}

export interface TransferSnapshot {
  /** bytes transferred so far, all layers */
  currentBytes: number;
  /** bytes to transfer, of the layers whose size is known */
  totalBytes: number;
  layers: number;
  layersDone: number;
  /** layers that the other side already had */
  layersSkipped: number;
}

/** Statuses that move a layer (others are about the whole image). */
const LAYER_ACTIVE = new Set(['Pushing', 'Downloading']);
const LAYER_DONE = new Set(['Pushed', 'Download complete', 'Pull complete', 'Mounted from', 'Verifying Checksum']);
const LAYER_SKIPPED = new Set(['Layer already exists', 'Already exists']);
const LAYER_WAITING = new Set(['Preparing', 'Waiting', 'Pulling fs layer', 'Extracting', 'Retrying']);

export class TransferProgress {
  private readonly layers = new Map<string, Layer>();
  private digestValue: string | undefined;
  private errorValue: string | undefined;

  /** Takes one message of the stream; returns the line to show in the output channel (undefined for byte-only updates). */
  add(raw: unknown): string | undefined {
    if (!raw || typeof raw !== 'object') return undefined;
    const m = raw as StreamMessage;
    if (m.error || m.errorDetail?.message) {
      this.errorValue = m.errorDetail?.message ?? m.error;
      return `error: ${this.errorValue}`;
    }
    if (m.aux?.Digest) this.digestValue = m.aux.Digest;
    const status = m.status ?? '';
    const digestLine = /(?:^|\s)digest: (sha256:[a-f0-9]{64})/i.exec(status) ?? /^Digest: (sha256:[a-f0-9]{64})/.exec(status);
    if (digestLine) this.digestValue ??= digestLine[1];
    const id = m.id;
    const kind = status.replace(/ [0-9]+s$/, '').replace(/^Mounted from .*/, 'Mounted from').replace(/^Retrying in .*/, 'Retrying');
    if (id && (LAYER_ACTIVE.has(kind) || LAYER_DONE.has(kind) || LAYER_SKIPPED.has(kind) || LAYER_WAITING.has(kind))) {
      const layer = this.layers.get(id) ?? { current: 0, total: 0, done: false, skipped: false };
      this.layers.set(id, layer);
      const d = m.progressDetail ?? {};
      if (LAYER_ACTIVE.has(kind)) {
        if (typeof d.total === 'number' && d.total > 0) layer.total = d.total;
        if (typeof d.current === 'number') layer.current = layer.total ? Math.min(d.current, layer.total) : d.current;
        return undefined; // byte updates are many: the progress notification shows them
      }
      if (LAYER_SKIPPED.has(kind)) {
        layer.done = true;
        layer.skipped = true;
      } else if (LAYER_DONE.has(kind)) {
        layer.done = true;
        if (layer.total) layer.current = layer.total;
      }
      return `${id}: ${status}`;
    }
    if (m.aux) return m.aux.Digest ? `digest ${m.aux.Digest}${m.aux.Size ? ` (manifest ${m.aux.Size} bytes)` : ''}` : undefined;
    return status ? (id ? `${id}: ${status}` : status) : undefined;
  }

  /** The digest the registry gave the manifest, when the stream named it. */
  get digest(): string | undefined {
    return this.digestValue;
  }

  /** The stream's error message (the engine reports push/pull failures inside a 200 stream). */
  get error(): string | undefined {
    return this.errorValue;
  }

  snapshot(): TransferSnapshot {
    let currentBytes = 0;
    let totalBytes = 0;
    let layersDone = 0;
    let layersSkipped = 0;
    for (const l of this.layers.values()) {
      if (l.skipped) {
        layersSkipped++;
        layersDone++;
        continue;
      }
      currentBytes += l.current;
      totalBytes += l.total;
      if (l.done) layersDone++;
    }
    return { currentBytes, totalBytes, layers: this.layers.size, layersDone, layersSkipped };
  }
}

/** "12.3 MB / 40.0 MB · 3/5 layers" for a progress notification. */
export function describeTransfer(s: TransferSnapshot): string {
  const bytes = s.totalBytes > 0 ? `${formatBytes(s.currentBytes)} / ${formatBytes(s.totalBytes)}` : formatBytes(s.currentBytes);
  const skipped = s.layersSkipped ? ` (${s.layersSkipped} already there)` : '';
  return s.layers ? `${bytes} · ${s.layersDone}/${s.layers} layers${skipped}` : bytes;
}

/** Whether an engine message means the registry refused our credentials (or wanted some). */
export function isAuthFailureMessage(message: string): boolean {
  return /unauthorized|authentication required|no basic auth credentials|incorrect username or password|access to the resource is denied|requested access to the resource is denied|denied: /i.test(message);
}
