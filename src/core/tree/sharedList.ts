/**
 * One engine list shared by several readers within one refresh: the Containers view and the
 * status bar show the container list, and the Images and Volumes views need it for "used by".
 * Readers that ask within one refresh share one engine request; a refresh request makes every
 * list fetched before it stale, so a view never shows a list older than the event (or the
 * command) that asked for the refresh.
 *
 * This used to reuse any list requested within the last 250 ms. `docker run -d`
 * sends `create` and then, 100-300 ms later with a few hundred containers, `start`; the refresh
 * for `start` reused the list taken after `create`, which showed the container as created, and
 * the tree kept that until the 30 s fallback poll.
 */
export class SharedList<T> {
  private generation = 0;
  private pending: { at: number; generation: number; value: Promise<T>; maxAgeMs?: number } | undefined;
  /** the last list that arrived, and the generation it was asked in */
  private resolved: { generation: number; value: T } | undefined;

  /**
   * @param fetch asks the engine (e.g. `GET /containers/json?all=1`)
   * @param maxAgeMs a list is shared at most this long (ms) even without a refresh request,
   *   for readers VS Code calls on its own (a view becoming visible)
   * @param now clock in ms, for tests
   */
  constructor(
    private readonly fetch: () => Promise<T>,
    private readonly maxAgeMs = 250,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Fetches the list ahead of any reader and lets readers use it for up to `maxAgeMs` (longer than
   * the usual sharing window), until the next `invalidate()`: what the first view needs, fetched in
   * the background after activation, so that its first rows do not wait for the engine. The
   * refresh that follows a view becoming visible invalidates it, so the view shows a fresh list
   * right after. A failed prefetch is dropped (the next `get()` asks again). Never rejects.
   */
  prefetch(maxAgeMs: number): void {
    this.track({ at: this.now(), generation: this.generation, value: this.fetch(), maxAgeMs });
  }

  /**
   * Makes the lists so far stale, like `invalidate()`, but derives the next one from the last list
   * instead of asking for all of it: `update(last)` asks the engine only for what changed (the
   * containers an event burst named: a filtered list of a few costs the engine milliseconds,
   * the full list of a few hundred 100-300 ms on a busy machine). Falls back to `invalidate()`
   * (returns false) when there is no current list to start from: none yet, or a request still in
   * flight, whose changes the derived list could miss.
   */
  patch(update: (last: T) => Promise<T>): boolean {
    const base = this.resolved;
    const settled = this.pending === undefined || this.pending.generation < this.generation || this.settled.has(this.pending.value);
    if (!base || base.generation !== this.generation || !settled) {
      this.invalidate();
      return false;
    }
    this.generation++;
    this.track({ at: this.now(), generation: this.generation, value: update(base.value) });
    return true;
  }

  private readonly settled = new WeakSet<Promise<T>>();

  private track(entry: { at: number; generation: number; value: Promise<T>; maxAgeMs?: number }): void {
    this.pending = entry;
    entry.value.then(
      (value) => {
        this.settled.add(entry.value);
        if (!this.resolved || entry.generation >= this.resolved.generation) this.resolved = { generation: entry.generation, value };
      },
      () => {
        if (this.pending === entry) this.pending = undefined;
      },
    );
  }

  /** Marks every list fetched or in flight so far as stale: the next `get()` asks the engine again. */
  invalidate(): void {
    this.generation++;
  }

  /** The shared list: the one in flight or fetched since the last `invalidate()` and within `maxAgeMs`, else a new request. Rejects as `fetch` does (a failed request is not shared afterwards). */
  get(): Promise<T> {
    const now = this.now();
    const p = this.pending;
    if (p && p.generation === this.generation && now - p.at <= (p.maxAgeMs ?? this.maxAgeMs)) return p.value;
    const entry = { at: now, generation: this.generation, value: this.fetch() };
    this.track(entry);
    return entry.value;
  }
}

/**
 * `last` with the entries whose id is in `ids` replaced by `fresh` (the engine's current view of
 * those ids: an id missing from `fresh` is gone, e.g. a removed container). Order: `last`'s, then
 * new ids (the views sort anyway).
 */
export function replaceByIds<T extends { id: string }>(last: readonly T[], ids: readonly string[], fresh: readonly T[]): T[] {
  const changed = new Set(ids);
  const byId = new Map(fresh.map((f) => [f.id, f]));
  const out: T[] = [];
  for (const item of last) {
    if (!changed.has(item.id)) out.push(item);
    else if (byId.has(item.id)) {
      out.push(byId.get(item.id)!);
      byId.delete(item.id);
    }
  }
  return [...out, ...byId.values()];
}
