import { MetricLineParser, type LinePoint, type MetricPattern } from './metricLines';

/**
 * Training metrics from a container's log text, with no instrumentation inside the container:
 * `MetricStream` splits the text into lines (`\r`-updated progress lines count as lines) and
 * gives them to `MetricLineParser` (metricLines.ts, which documents the forms and the x rules),
 * then keeps each series' points in x order. The Training Run panel, the run record and
 * `mllab-metrics` all read logs through it.
 */

/** One metric's points: `xs` in ascending order (an x may repeat: no point is dropped for its x), and the value at each. */
export interface MetricSeries {
  xs: number[];
  ys: number[];
  /** what x counts: 'step', 'epoch' or 'line' (arrival order), from the series' first point */
  xKind: 'step' | 'epoch' | 'line';
}

/** A new or replaced point, as reported to listeners. */
export interface MetricPoint {
  name: string;
  x: number;
  y: number;
  xKind: MetricSeries['xKind'];
}

/** a line ends at \n, \r\n or a bare \r (progress bars redraw with it) */
const LINE_END = /\r\n|\r|\n/;

/** The arrival rate of log text is measured over windows of this many ms. */
const rateWindowMs = 100;

/** How MetricStream shares the event loop with whoever writes the same text to a terminal. */
export interface MetricStreamTiming {
  /** longest parse slice in ms (default 8) */
  sliceMs?: number;
  /**
   * text arriving faster than this many characters per second is a burst (default 128 Ki/s,
   * ~4,400 lines/s of 30 characters: 2.6x the 1,667 lines/s of 100,000 lines a minute; on a
   * loaded machine a finished container's logs arrive at 13,000 lines/s, below the 512 Ki/s this
   * was, and parsing them as they came halved the terminal's lines/s, bench/metrics.bench.ts (b))
   */
  burstRate?: number;
  /**
   * a burst ends when no text came for this many ms (default 250). Not shorter: on a loaded
   * machine the reader itself waits tens of ms for the CPU between chunks of a burst, and a
   * 20 ms limit read each of those waits as the end of the burst and parsed a full slice there
   * (at load average 23 on 2 cores the parser then took 126% more CPU during the read and the
   * terminal showed 58% of its lines/s, bench/metrics.bench.ts (b))
   */
  quietMs?: number;
  /**
   * during a burst, parse this many ms every `trickleEveryMs` (defaults 2 and 500: 0.4% of the
   * loop; every 100 ms it was most of the parser's CPU during a finished container's burst,
   * bench/metrics.bench.ts (b), for a panel that needs no more than a sign of progress there)
   */
  trickleMs?: number;
  trickleEveryMs?: number;
  /** queued text above this many bytes is parsed at the normal pace even in a burst (default 32 MiB) */
  maxBacklogBytes?: number;
}

/**
 * Turns streamed log text into metric series. `push` only queues text (cheap, never parses);
 * parsing runs later on the event loop, so a caller that writes the same text to a terminal
 * is never held up:
 * - at a live pace (text arrives slower than `burstRate`; 100,000 lines a minute is about
 *   0.4 of it) each chunk is parsed right after it arrives, in slices of at most `sliceMs`
 *   (`setImmediate`, so I/O waiting runs between slices);
 * - in a burst (a finished container's logs replayed at full speed: the engine sends one chunk
 *   per line, faster than `burstRate`) parsing only trickles (`trickleMs` every
 *   `trickleEveryMs`) until the text pauses for `quietMs` or the stream ends, then catches
 *   up. Parsing as it came took 21-30% of the terminal's lines/s there: the log reader is
 *   bound by the engine, and the parser's CPU came out of the engine's share on 2 cores
 *   (bench/metrics.bench.ts (b)).
 *   A backlog over `maxBacklogBytes` is parsed at the live pace again, to bound memory.
 * `flush()` parses what is queued now (for tests, and at the end of a run). Listeners get
 * the new points of each slice.
 */
export class MetricStream {
  readonly series = new Map<string, MetricSeries>();
  private readonly parser: MetricLineParser;
  private partial = '';
  /** queued chunks from `head` on (an index, not shift(): 100,000 one-line chunks made shift() quadratic) */
  private queue: string[] = [];
  private head = 0;
  private queuedBytes = 0;
  private lastPushAt = 0;
  private lastTrickleAt = 0;
  /** characters pushed since `windowStart`, and the rate of the window before (chars/s) */
  private windowStart = 0;
  private windowChars = 0;
  private lastWindowRate = 0;
  private scheduled = false;
  private ended = false;
  /**
   * the latest chunks, joined into one queued string every 256 chunks or 16 KiB (one parse
   * call of a few ms, as before): a finished container's logs come as one chunk per line, and
   * 100,000 small strings kept through a burst are garbage collection work while the terminal
   * reads; joined, they die young
   */
  private batch: string[] = [];
  private batchBytes = 0;
  /** in a burst since the rate went over burstRate, until the text pauses for quietMs */
  private inBurst = false;
  private readonly listeners: Array<(points: MetricPoint[]) => void> = [];
  private readonly t: Required<MetricStreamTiming>;

  /**
   * @param timing how parsing shares the event loop (a number: `sliceMs`, as before)
   * @param patterns user-declared patterns (a profile's `metrics:`), tried on each line before the built-in forms
   */
  constructor(timing: MetricStreamTiming | number = {}, patterns: readonly MetricPattern[] = []) {
    this.parser = new MetricLineParser(patterns);
    const o = typeof timing === 'number' ? { sliceMs: timing } : timing;
    this.t = { sliceMs: 8, burstRate: 128 * 1024, quietMs: 250, trickleMs: 2, trickleEveryMs: 500, maxBacklogBytes: 32 * 1024 * 1024, ...o };
  }

  /** Calls `fn` with the points each parse slice adds or replaces; returns a function that stops it. */
  onPoints(fn: (points: MetricPoint[]) => void): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Queues log text (any chunking; lines end at `\n`, `\r\n` or `\r`). */
  push(text: string): void {
    this.batch.push(text);
    this.batchBytes += text.length;
    if (this.batch.length >= 256 || this.batchBytes >= 16 * 1024) this.seal();
    this.queuedBytes += text.length;
    const now = Date.now();
    this.lastPushAt = now;
    if (now - this.windowStart >= rateWindowMs) {
      // the last window's rate holds when the next chunk comes within a window of it, else it was quiet
      this.lastWindowRate = now - this.windowStart < 2 * rateWindowMs ? (this.windowChars * 1000) / (now - this.windowStart) : 0;
      this.windowStart = now;
      this.windowChars = 0;
    }
    this.windowChars += text.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  /** Characters queued and not parsed yet. */
  get backlog(): number {
    return this.queuedBytes;
  }

  /** The log ended: the last unterminated line counts too. Parses everything queued. */
  end(): void {
    this.ended = true;
    this.flush();
  }

  /** Parses everything queued now, synchronously. */
  flush(): void {
    const points: MetricPoint[] = [];
    this.seal();
    if (this.head < this.queue.length) this.parseNext(points, Number.POSITIVE_INFINITY);
    if (this.ended && this.partial) {
      this.parseSegment(this.partial, points);
      this.partial = '';
    }
    if (this.ended) this.addPoints(this.parser.end(), points);
    this.emit(points);
  }

  private seal(): void {
    if (!this.batch.length) return;
    this.queue.push(this.batch.length === 1 ? this.batch[0] : this.batch.join(''));
    this.batch = [];
    this.batchBytes = 0;
  }

  private parseNext(points: MetricPoint[], maxChars = 16 * 1024): void {
    // up to `maxChars` of queued chunks at once (the engine sends a chunk per line at full speed)
    const parts: string[] = [];
    let n = 0;
    while (this.head < this.queue.length && (n === 0 || n < maxChars)) {
      const t = this.queue[this.head];
      this.queue[this.head++] = '';
      parts.push(t);
      n += t.length;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.queuedBytes -= n;
    this.parseChunk(parts.length === 1 ? parts[0] : parts.join(''), points);
  }

  private drain(): void {
    this.scheduled = false;
    const now = Date.now();
    const windowMs = Math.max(now - this.windowStart, 1);
    const rate = Math.max(this.lastWindowRate, windowMs >= 10 ? (this.windowChars * 1000) / windowMs : 0);
    // a burst starts when the rate goes over burstRate and lasts until the text pauses (a rate
    // window that the reader's own waits for the CPU left empty does not end it)
    if (now - this.lastPushAt >= this.t.quietMs || this.queuedBytes > this.t.maxBacklogBytes) this.inBurst = false;
    else if (rate > this.t.burstRate) this.inBurst = true;
    const burst = this.inBurst;
    if (!burst || now - this.lastTrickleAt >= this.t.trickleEveryMs) {
      if (burst) this.lastTrickleAt = now;
      const deadline = now + (burst ? this.t.trickleMs : this.t.sliceMs);
      this.seal();
      const points: MetricPoint[] = [];
      // at least one piece per turn: a process that waited for the CPU since `now` still makes progress
      if (this.head < this.queue.length) do this.parseNext(points);
      while (this.head < this.queue.length && Date.now() < deadline);
      this.emit(points);
    }
    if ((this.head < this.queue.length || this.batch.length) && !this.scheduled) {
      // still behind: in a burst, look again when the text may have paused; else go on after
      // the I/O that waits (a slice is at most sliceMs, so the terminal's writes wait no longer)
      this.scheduled = true;
      if (burst) setTimeout(() => this.drain(), Math.min(this.t.quietMs, this.t.trickleEveryMs));
      else setImmediate(() => this.drain());
    }
  }

  private emit(points: MetricPoint[]): void {
    if (points.length) for (const l of this.listeners) l(points);
  }

  private parseChunk(text: string, points: MetricPoint[]): void {
    // split, not a charCodeAt loop: `partial + text` is a cons string, slow to index into
    const parts = (this.partial + text).split(LINE_END);
    this.partial = parts.pop() ?? '';
    for (const seg of parts) if (seg) this.parseSegment(seg, points);
  }

  private parseSegment(segment: string, points: MetricPoint[]): void {
    this.addPoints(this.parser.feed(segment), points);
  }

  private addPoints(found: LinePoint[], points: MetricPoint[]): void {
    for (const p of found) {
      let s = this.series.get(p.name);
      if (!s) this.series.set(p.name, (s = { xs: [], ys: [], xKind: p.xKind }));
      if (addPoint(s, p.x, p.y, p.replace)) points.push({ name: p.name, x: p.x, y: p.y, xKind: s.xKind });
    }
  }
}

/**
 * Puts (x, y) into a series, keeping xs in ascending order. A point equal to one already at
 * that x (same y) is a repeat and is dropped; with `replace` (a progress bar redrawn at the
 * same x) the last point at that x takes the new y; otherwise the point is kept beside the
 * others at that x (Hugging Face's 2-decimal epochs repeat, and no point is lost).
 * @returns whether the series changed
 */
export function addPoint(s: { xs: number[]; ys: number[] }, x: number, y: number, replace = false): boolean {
  const n = s.xs.length;
  if (n === 0 || x > s.xs[n - 1]) {
    s.xs.push(x);
    s.ys.push(y);
    return true;
  }
  // after the last point with an x <= this x
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.xs[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1; i >= 0 && s.xs[i] === x; i--) if (s.ys[i] === y || (Number.isNaN(s.ys[i]) && Number.isNaN(y))) return false;
  if (replace && lo > 0 && s.xs[lo - 1] === x) {
    s.ys[lo - 1] = y;
    return true;
  }
  s.xs.splice(lo, 0, x);
  s.ys.splice(lo, 0, y);
  return true;
}

/**
 * Whether a lower value is better for a metric, from its name: loss, error, MSE/MAE/RMSE,
 * perplexity, WER/CER and times are minimised; everything else (accuracy, F1, AUC...) maximised.
 */
export function lowerIsBetter(name: string): boolean {
  return /loss|err|mse|mae|rmse|perplex|ppl|\bwer\b|\bcer\b|time|runtime|_sec|seconds/i.test(name);
}

/** A metric's last value, its best value (by `lowerIsBetter`) and where the best was. */
export interface MetricSummary {
  final: number;
  best: number;
  bestX: number;
  points: number;
  xKind: MetricSeries['xKind'];
  goal: 'min' | 'max';
}

/** Final and best value of each series (NaN values are never best). */
export function summarize(series: Map<string, MetricSeries> | Record<string, MetricSeries>): Record<string, MetricSummary> {
  const out: Record<string, MetricSummary> = {};
  const entries = series instanceof Map ? [...series.entries()] : Object.entries(series);
  for (const [name, s] of entries) {
    if (!s.ys.length) continue;
    const min = lowerIsBetter(name);
    let bi = -1;
    for (let i = 0; i < s.ys.length; i++) {
      const y = s.ys[i];
      if (Number.isNaN(y)) continue;
      if (bi < 0 || (min ? y < s.ys[bi] : y > s.ys[bi])) bi = i;
    }
    const last = s.ys.length - 1;
    out[name] = {
      final: s.ys[last],
      best: bi >= 0 ? s.ys[bi] : s.ys[last],
      bestX: bi >= 0 ? s.xs[bi] : s.xs[last],
      points: s.ys.length,
      xKind: s.xKind,
      goal: min ? 'min' : 'max',
    };
  }
  return out;
}

/**
 * At most `max` points of a series for storage: keeps the first and last points and evenly
 * spaced ones between (a chart of 2,000 points looks the same as one of 200,000).
 */
export function thin(s: MetricSeries, max = 2000): MetricSeries {
  const n = s.xs.length;
  if (n <= max) return { xs: [...s.xs], ys: [...s.ys], xKind: s.xKind };
  const xs: number[] = [];
  const ys: number[] = [];
  for (let k = 0; k < max; k++) {
    const i = Math.round((k * (n - 1)) / (max - 1));
    xs.push(s.xs[i]);
    ys.push(s.ys[i]);
  }
  return { xs, ys, xKind: s.xKind };
}
