/**
 * Training metrics from a container's log text, with no instrumentation inside the container.
 * Recognised forms (one log line each; `\r`-updated progress lines count as lines):
 * - plain words and numbers: `epoch 3 loss 0.6287`, `epoch 1/10 loss 0.8123`, `test accuracy 0.9333`;
 * - Keras `Model.fit` progress: a header `Epoch 3/20`, then
 *   `32/32 [=====] - 0s 2ms/step - loss: 0.6210 - accuracy: 0.8100` (Keras 2) or
 *   `32/32 ━━━━ 0s 2ms/step - accuracy: 0.81 - loss: 0.62` (Keras 3), also on one line;
 * - `key=value` and `key: value` pairs anywhere in a line (`step=10 loss=0.5`, `Loss: 2.3057`);
 * - JSON lines (`{"epoch": 3, "loss": 0.62}`) and Python dict lines as the Hugging Face Trainer
 *   prints them (`{'loss': 0.62, 'learning_rate': 5e-05, 'epoch': 3.0}`);
 * - tqdm bars with a postfix (`45%|████▌ | 45/100 [00:12<00:15, 3.6it/s, loss=0.62]`) and
 *   PyTorch Lightning's bar (`Epoch 0:  22%|██▏ | 4/18 [00:17<01:02, 4.47s/it, loss=10.1, v_num=193315]`).
 *
 * The x value of a line is its step (`step`, `global_step`, `iteration`, `iter`) when present,
 * else its epoch (`epoch`, also the last Keras `Epoch N/M` header), else the line's arrival
 * order among metric lines (1, 2, 3...). A value at an x a series already has replaces the
 * old one (a `\r`-updated bar rewrites the current epoch's value), so each series has
 * ascending, unique x values.
 */

/** A parsed metric line: the values by name, and the step/epoch when the line names one. */
export interface MetricLine {
  values: Record<string, number>;
  step?: number;
  epoch?: number;
}

/** One metric's points: ascending unique `xs`, and the value at each. */
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

const NUM = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
// a value ends where no digit, letter, '.', '%', '/' or ':' follows: "1s", "2ms/step", "12:30", "3.11.4" are not values
// the key starts at a word start and is matched atomically (lookahead + backreference), so a
// word that is not a key costs one try, not one per prefix (a Keras line has ~20 such words)
const PAIR = new RegExp(String.raw`(?<![\w.\-/])(?=([A-Za-z_][\w.\-/]*))\1\s*(?:=|:)\s*(${NUM}|nan|NaN|inf)(?![\w.%/:])`, 'g');
const EPOCH_WORD = /\bepoch\s*[:=]?\s*(\d+(?:\.\d+)?)(?:\s*\/\s*\d+)?/i;
const STEP_WORD = /\b(?:global_step|step|iteration|iter)\s*[:=]?\s*(\d+)(?:\s*\/\s*\d+)?(?![\w.])/i;
// the whole line is (words number)+: "epoch 3 loss 0.6287", "test accuracy 0.9333"
const WORDS_NUMBERS = new RegExp(String.raw`^(?:\s*[A-Za-z][\w\-]*(?: [A-Za-z][\w\-]*)*\s+${NUM}(?:/\d+)?[,;]?)+\s*$`);
const WORDS_NUMBER_PART = new RegExp(String.raw`([A-Za-z][\w\-]*(?: [A-Za-z][\w\-]*)*)\s+(${NUM})(?:/\d+)?`, 'g');
const TQDM = /(\d{1,3})%\|[^|]*\|\s*(\d+)\/(\d+|\?)\s*\[([^\]]*)\]/;
// ANSI escapes (colours, cursor moves) and control characters such as Keras's backspaces are stripped
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|[\x00-\x08\x0b\x0c\x0e-\x1f]/g;

/** a Python repr's strings and constants; nan and inf become null (not numbers in JSON, so not charted) */
const PY_TOKENS = /'([^'\\]*)'|-?\b(?:True|False|None|nan|inf)\b/g;
/** a line ends at \n, \r\n or a bare \r (progress bars redraw with it) */
const LINE_END = /\r\n|\r|\n/;
const STEP_KEYS = new Set(['step', 'global_step', 'iteration', 'iter']);
const EPOCH_KEYS = new Set(['epoch']);
/** postfix fields that are not metrics: Lightning's logger version */
const IGNORED_KEYS = new Set(['v_num']);

function toNumber(text: string): number {
  if (text === 'nan' || text === 'NaN') return Number.NaN;
  if (text === 'inf') return Number.POSITIVE_INFINITY;
  return Number(text);
}

function addPairs(text: string, out: MetricLine): void {
  PAIR.lastIndex = 0;
  for (let m = PAIR.exec(text); m; m = PAIR.exec(text)) {
    const key = m[1];
    // "ETA: 0s" never matches; time stamps like "12:30:01" cannot start a key
    place(key, toNumber(m[2]), out);
  }
}

function place(key: string, value: number, out: MetricLine): void {
  const k = key.toLowerCase();
  if (IGNORED_KEYS.has(k)) return;
  if (STEP_KEYS.has(k)) out.step = value;
  else if (EPOCH_KEYS.has(k)) out.epoch = value;
  else out.values[key] = value;
}

function fromObject(obj: unknown, out: MetricLine): boolean {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return false;
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) if (typeof v === 'number') place(k, v, out);
  return true;
}

/** `{'loss': 0.62, 'epoch': 3.0}` (Python repr) -> JSON text; undefined when it cannot be. */
function pythonDictToJson(text: string): string | undefined {
  return text.replace(PY_TOKENS, (m: string, str: string | undefined) => (str !== undefined ? JSON.stringify(str) : m === 'True' ? 'true' : m === 'False' ? 'false' : 'null'));
}

/**
 * Parses one log line (no line ends; ANSI escapes allowed). Returns undefined when the line
 * has no metric value and no step or epoch.
 */
export function parseMetricLine(raw: string): MetricLine | undefined {
  if (!/\d/.test(raw)) return undefined; // most log lines: no number, no metric (fast path)
  const line = raw.includes('\x1b') || /[\x00-\x08]/.test(raw) ? raw.replace(ANSI, '') : raw;
  const t = line.trim();
  const out: MetricLine = { values: {} };
  if (t.startsWith('{') && t.endsWith('}')) {
    // a Python dict (Hugging Face Trainer) is converted first: a failed JSON.parse throws, and throwing is slow
    const json = t.includes("'") && !t.includes('"') ? pythonDictToJson(t) : t;
    let obj: unknown;
    try {
      obj = json && JSON.parse(json);
    } catch {
      obj = undefined;
    }
    if (fromObject(obj, out)) return done(out);
  }
  const bar = TQDM.exec(t);
  if (bar) {
    // prefix ("Epoch 3: ", "Training: ") and the bracket's postfix; n/total and the rate are progress, not metrics
    const prefix = t.slice(0, bar.index);
    const e = EPOCH_WORD.exec(prefix);
    if (e) out.epoch = Number(e[1]);
    addPairs(prefix, out);
    addPairs(bar[4], out); // "00:12<00:15, 3.6it/s" has no key=value; the postfix has

    return done(out);
  }
  if (WORDS_NUMBERS.test(t)) {
    WORDS_NUMBER_PART.lastIndex = 0;
    for (let m = WORDS_NUMBER_PART.exec(t); m; m = WORDS_NUMBER_PART.exec(t)) place(m[1], toNumber(m[2]), out);
    return done(out);
  }
  addPairs(t, out);
  if (out.epoch === undefined) {
    const e = EPOCH_WORD.exec(t);
    if (e) out.epoch = Number(e[1]);
  }
  if (out.step === undefined) {
    const s = STEP_WORD.exec(t);
    if (s) out.step = Number(s[1]);
  }
  return done(out);
}

function done(out: MetricLine): MetricLine | undefined {
  if (Object.keys(out.values).length) return out;
  return out.step !== undefined || out.epoch !== undefined ? out : undefined;
}

/** The arrival rate of log text is measured over windows of this many ms. */
const rateWindowMs = 100;

/** How MetricStream shares the event loop with whoever writes the same text to a terminal. */
export interface MetricStreamTiming {
  /** longest parse slice in ms (default 8) */
  sliceMs?: number;
  /** text arriving faster than this many characters per second is a burst (default 512 Ki/s, ~17,000 lines/s of 30 characters) */
  burstRate?: number;
  /** text that came within this many ms means the stream is still flowing (default 20) */
  quietMs?: number;
  /** during a burst, parse this many ms every `trickleEveryMs` (defaults 2 and 100: 2% of the loop) */
  trickleMs?: number;
  trickleEveryMs?: number;
  /** queued text above this many bytes is parsed at the normal pace even in a burst (default 32 MiB) */
  maxBacklogBytes?: number;
}

/**
 * Turns streamed log text into metric series. `push` only queues text (cheap, never parses);
 * parsing runs later on the event loop, so a caller that writes the same text to a terminal
 * is never held up:
 * - at a live pace (text arrives slower than `burstRate`; 100,000 lines a minute is about a
 *   tenth of it) each chunk is parsed right after it arrives, in slices of at most `sliceMs`
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
  /** metric lines seen: the x of lines without a step or epoch */
  private lineCount = 0;
  /** the last Keras-style `Epoch N/M` header without values */
  private contextEpoch: number | undefined;
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
  private readonly listeners: Array<(points: MetricPoint[]) => void> = [];
  private readonly t: Required<MetricStreamTiming>;

  /** @param timing how parsing shares the event loop (a number: `sliceMs`, as before) */
  constructor(timing: MetricStreamTiming | number = {}) {
    const o = typeof timing === 'number' ? { sliceMs: timing } : timing;
    this.t = { sliceMs: 8, burstRate: 512 * 1024, quietMs: 20, trickleMs: 2, trickleEveryMs: 100, maxBacklogBytes: 32 * 1024 * 1024, ...o };
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
    this.queue.push(text);
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
    if (this.head < this.queue.length) this.parseNext(points, Number.POSITIVE_INFINITY);
    if (this.ended && this.partial) {
      this.parseSegment(this.partial, points);
      this.partial = '';
    }
    this.emit(points);
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
    const burst = now - this.lastPushAt < this.t.quietMs && rate > this.t.burstRate && this.queuedBytes <= this.t.maxBacklogBytes;
    if (!burst || now - this.lastTrickleAt >= this.t.trickleEveryMs) {
      if (burst) this.lastTrickleAt = now;
      const deadline = now + (burst ? this.t.trickleMs : this.t.sliceMs);
      const points: MetricPoint[] = [];
      while (this.head < this.queue.length && Date.now() < deadline) this.parseNext(points);
      this.emit(points);
    }
    if (this.head < this.queue.length && !this.scheduled) {
      // still behind: in a burst, look again when the text may have paused; else go on after
      // the I/O that waits (a slice is at most sliceMs, so the terminal's writes wait no longer)
      this.scheduled = true;
      if (burst) setTimeout(() => this.drain(), this.t.quietMs);
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
    const m = parseMetricLine(segment);
    if (!m) return;
    const names = Object.keys(m.values);
    if (!names.length) {
      // a header such as Keras's "Epoch 3/20": later lines without their own x belong to it
      if (m.epoch !== undefined && m.step === undefined) this.contextEpoch = m.epoch;
      return;
    }
    this.lineCount++;
    // a header's epoch holds only until a line names its own step or epoch
    if (m.epoch !== undefined || m.step !== undefined) this.contextEpoch = undefined;
    const epoch = m.epoch ?? this.contextEpoch;
    const [x, xKind] = m.step !== undefined ? [m.step, 'step' as const] : epoch !== undefined ? [epoch, 'epoch' as const] : [this.lineCount, 'line' as const];
    for (const name of names) {
      let s = this.series.get(name);
      if (!s) this.series.set(name, (s = { xs: [], ys: [], xKind }));
      const y = m.values[name];
      addPoint(s, x, y);
      points.push({ name, x, y, xKind: s.xKind });
    }
  }
}

/** Puts (x, y) into a series, keeping xs ascending and unique (an equal x replaces). */
export function addPoint(s: { xs: number[]; ys: number[] }, x: number, y: number): void {
  const n = s.xs.length;
  if (n === 0 || x > s.xs[n - 1]) {
    s.xs.push(x);
    s.ys.push(y);
    return;
  }
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  if (s.xs[lo] === x) s.ys[lo] = y;
  else {
    s.xs.splice(lo, 0, x);
    s.ys.splice(lo, 0, y);
  }
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
