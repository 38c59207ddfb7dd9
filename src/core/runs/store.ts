/**
 * Run records on disk: one `<id>.json` file per run in one folder (workspace storage by
 * default, or a workspace folder named by `mlLab.runs.location`). The total size is capped
 * (`mlLab.runs.maxTotalMB`): after each write the oldest records are deleted first.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { overCap, parseRecord, type RunRecord } from './record';

export class RunStore {
  /**
   * @param dir folder of the records (created on first write)
   * @param maxBytes cap of the folder's total size in bytes
   */
  constructor(
    readonly dir: string,
    private readonly maxBytes: () => number,
  ) {}

  /** Every readable record, newest first. Unreadable files are skipped. */
  list(): RunRecord[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    const out: RunRecord[] = [];
    for (const n of names) {
      try {
        const r = parseRecord(readFileSync(join(this.dir, n), 'utf8'));
        if (r) out.push(r);
      } catch {
        // removed meanwhile
      }
    }
    return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  get(id: string): RunRecord | undefined {
    try {
      return parseRecord(readFileSync(this.file(id), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /**
   * Writes `r` (atomically: a temp file renamed over the old one), then deletes the oldest
   * records while the folder is over the cap. Returns the record's size in bytes and the ids deleted.
   */
  save(r: RunRecord): { bytes: number; dropped: string[] } {
    mkdirSync(this.dir, { recursive: true });
    const text = `${JSON.stringify(r)}\n`;
    const tmp = `${this.file(r.id)}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, this.file(r.id));
    const entries = this.list().map((e) => ({ id: e.id, startedAt: e.startedAt, bytes: this.size(e.id) }));
    const dropped = overCap(entries, this.maxBytes(), r.id);
    for (const id of dropped) this.delete(id);
    return { bytes: Buffer.byteLength(text), dropped };
  }

  delete(id: string): void {
    rmSync(this.file(id), { force: true });
  }

  /** Size of a record's file in bytes (0 when missing). */
  size(id: string): number {
    try {
      return statSync(this.file(id)).size;
    } catch {
      return 0;
    }
  }

  private file(id: string): string {
    if (!/^[a-z0-9-]+$/.test(id)) throw new Error(`not a run id: ${id}`);
    return join(this.dir, `${id}.json`);
  }
}
