/**
 * Training metrics from log lines, one line at a time, with the context a log builds up
 * (the epoch a header announced, a table's header, a Stable-Baselines3 block being printed).
 * `MetricLineParser.feed` turns a line into points; `MetricStream` (metrics.ts) feeds it.
 *
 * What becomes a point, and at which x (the rules behind test/fixtures/training-logs/README.md):
 * - x is the counter the line gives: an explicit step or iteration (`step=`, `iter:`,
 *   `Iteration 12`, XGBoost `[500]`, LightGBM `[5]:`, CatBoost `87:`, fairseq `num_updates`,
 *   SB3 `total_timesteps`, a JSON `step`) -> 'step'; else progress inside an epoch (`Epoch 1
 *   [6400/60000]`, `Epoch [1][1200/7517]`, `Epoch(train) [1][10/90]`, Lightning/tqdm bars,
 *   Keras bars under an `Epoch 3/30` header, fairseq `epoch 001: 450 / 1891`) -> 'step' at the
 *   global step (epoch - first epoch) * N + k, the first epoch being 0 when the log shows an
 *   epoch 0 and 1 otherwise; else the epoch the line names or the last one announced
 *   -> 'epoch'; else the line's arrival order among metric lines -> 'line'. A line without
 *   its own counter after a line with an explicit step takes that step (Caffe's `Train net
 *   output` after `Iteration N`).
 * - A line that closes an epoch (a bar at k = N, a per-epoch summary) is the epoch's point:
 *   at x = epoch, or at the epoch's last step when the series already counts steps.
 * - Train, validation and test values of one metric are separate series: a phase the line
 *   names (`Test set:`, `Epoch(val)`, `train's l2`, `eval-logloss`, `Validation-accuracy`,
 *   fairseq's `valid on 'valid' subset`) prefixes the name as `train/`, `valid/`, `test/`.
 *   Names that carry their own phase (`val_loss`, `eval_loss`) stay as printed.
 * - Not metrics: counters, configuration prints (`Namespace(...)`, `Num examples = 24000`,
 *   hyperparameter dicts), model sizes, seeds, versions, ETAs, log prefixes (timestamps,
 *   `INFO:root:`, glog `I0914 ... solver.cpp:228]`, log4j), values with units (`2.6s`,
 *   `6.73G`, `583 samples/sec`) and Python warnings.
 */

/** One point a line gives. */
export interface LinePoint {
  name: string;
  x: number;
  xKind: 'step' | 'epoch' | 'line';
  y: number;
  /** a progress bar redrawn at the same x: the new value replaces the old one */
  replace?: boolean;
}

/** A user-declared pattern (a profile's `metrics:` entry, compiled). */
export interface MetricPattern {
  name: string;
  regex: RegExp;
}

type Phase = 'train' | 'valid' | 'test' | undefined;

const NUM = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
const NUM_RE = new RegExp(`^${NUM}$`);
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|[\x00-\x08\x0b\x0c\x0e-\x1f]/g;

const TF_CPP = /^[IWEF] [\w./\-]+\.(?:cc|cpp|h|py):\d+\]\s*/;
/** log prefixes, stripped repeatedly from the line start */
const PREFIXES: RegExp[] = [
  /^>\s+/, // a quoted log
  /^\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d (?:INFO|WARN|ERROR|DEBUG|TRACE)\s+[\w.$]+:\s*/, // log4j
  /^\[?\d{2,4}[-/]\d\d[-/]\d\d[ T_]\d\d:\d\d:\d\d(?:[.,](?:\d+|%f))?(?:Z|[+-]\d\d:?\d\d)?\]?:?\s*/, // ISO-ish timestamps (also a format's unexpanded %f)
  /^\[\d\d\/\d\d \d\d:\d\d:\d\d[^\]]*\]:?\s*/, // detectron2 [08/14 10:48:18 d2.utils.events]:
  /^\d\d\/\d\d \d\d:\d\d:\d\d\s*/, // mmengine 04/21 21:03:52
  /^\[\d\d:\d\d:\d\d\]\s*/, // xgboost [10:34:26]
  /^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+\s+[\w.\-]+:\d+\]\s*/, // glog
  TF_CPP,
  /^-?\s*(?:[\w.\-]+\s+-\s+)?(?:INFO|WARNING|WARN|ERROR|DEBUG|CRITICAL)\s+-\s+/, // "- mmdet - INFO - "
  /^(?:INFO|WARNING|ERROR|DEBUG|CRITICAL):[\w.]*:\s*/, // python logging's default format
  /^(?:INFO|WARNING|ERROR|DEBUG|CRITICAL)\s+(?:\[[A-Za-z][\w.\-]*\]\s*)?/, // "INFO Epoch[101]", "INFO [main]"
  /^[\w.]+ (?:INFO|WARNING|ERROR|DEBUG):\s*/, // "maskrcnn_benchmark.trainer INFO:"
  /^(?:\[(?:INFO|WARNING|ERROR|DEBUG|Info|Warning)\]\s*)+(?:\[[\w.]+:\d+(?::\w+)?\]\s*)?(?:\[Rank \d+\]\s*)?/, // deepspeed, LightGBM
  /^\[LightGBM\]\s*(?:\[Info\]\s*)?/,
  /^\|?\s*(?:INFO|WARNING|ERROR|DEBUG)\s*\|\s*[\w.]+\s*\|\s*/, // fairseq "| INFO | train_inner |"
  /^\|\s+(?=epoch\b)/, // old fairseq "| epoch 010 ..."
  /^\d+(?:\.\d+)?s\s*\|\s*\d+\s*\|\s*/, // a Kaggle notebook's log view: "13129.7s | 202 | "
  /^\[(?:rank|default)\d+\]:\s*/, // torchrun's per-rank tags: "[rank0]:", "[default0]:"
  /^\[\d+,(?:mpirank:)?\d+(?:,[\w.\-]+)?\]<std(?:out|err)>:\s*/, // Open MPI --tag-output: "[1,0]<stdout>:", SageMaker's "[1,mpirank:0,algo-1]<stdout>:"
  /^\|\s*(?:INFO|WARNING|ERROR|DEBUG|SUCCESS|TRACE|CRITICAL)\s*\|\s*[\w.<>]+(?::[\w<>]+)*:\d+\s+-\s+/, // loguru: "| INFO | yolox.core.trainer:246 - "
  /^[\w\-]+\.py(?::\s*|\s*-\s*L|:)\d+(?:\[\d+\])?:?\s+(?:(?:INFO|WARNING|ERROR|DEBUG|CRITICAL)\s+)?/, // a logger's file and line: "log_hooks.py: 277: ", "train.py:215[27649] INFO ", "test.py - L221: "
  /^(?:[a-z]\w*\.)+[A-Z]\w*\s+-\s+/, // a Java logger's name (logback abbreviates the packages): "o.d.o.l.ScoreIterationListener - "
  /^-\s+(?=\S)/, // the dash after a timestamp: "2021-12-08 16:07:58 - Cosine-Similarity :"
];
/** any of the prefixes, tried as one expression (one match per prefix instead of one per pattern) */
const ANY_PREFIX = new RegExp(`^(?:${PREFIXES.map((r) => `(?:${r.source.replace(/^\^/, '')})`).join('|')})`);
/** a second log record glued to the end of a progress line */
const GLUED = /(?<=\S)(?=\[?\d{4}[-/]\d\d[-/]\d\d[ T]\d\d:\d\d:\d\d)/;
/** a progress bar after a header or a table row: "...: 100%|███| 16/16 [", also without the bar's blocks "...: 100% 1626/1626 [" */
const BAR_TAIL = /:\s*\d+%(?:\||\s+\d+\/\d+\s*\[).*$/;
const ESCAPED_CONTROL = /#0(?:15|33)/;

/**
 * A line where a redrawn record follows the last one on the same line (a `\r` lost, the old
 * text padded with spaces): "Epoch... (2/116 | Loss: 0.43)      Epoch... (3/116 | Loss: 0.26)".
 * Split where the line's first word starts again after three or more spaces; undefined when it
 * does not.
 */
function splitRedrawn(line: string): string[] | undefined {
  const first = /^\s*([A-Za-z][\w.]{2,})/.exec(line);
  if (!first) return undefined;
  const parts: string[] = [];
  let from = 0;
  const re = / {3,}/g;
  re.lastIndex = first[0].length;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const at = m.index + m[0].length;
    if (line.startsWith(first[1], at) && !/\w/.test(line.charAt(at + first[1].length))) {
      parts.push(line.slice(from, m.index));
      from = at;
    }
  }
  if (!parts.length) return undefined;
  parts.push(line.slice(from));
  return parts;
}

/** whole lines that are never metrics */
const NOISE = /^[\w./\-]+\.(?:cc|cpp|h|c|py):\d+:|\b\w*Warning:|^Traceback|^\s*File "|Namespace\(|^Using config|^Hyperparameters?\b|hyperparameters:|^\s*\w+ = dict\(|^\s*(?:Num|Total|Instantaneous|Gradient Accumulation|Number of|Steps per)\b[^=]*=|\bparams\b|<IPython|^\[LightGBM\] \[Warning\]|^\s*"|^\s*f"/i;

/** a line that opens a dict of string keys and does not close it: `{"accuracy_cls": 0.92,`, `{'eval_loss': 2.2, 'eval_samples_pe` */
const OPEN_DICT = /^\s*\[?\s*(?:[\w ]+:\s*)?\{\s*(?:["'][\w./@ -]+["']\s*:\s*[^{}]*)?$/;
/** how many lines a dict may span before its lines are read one by one */
const MAX_HELD = 40;

const PHASE_WORDS: Record<string, Phase> = { train: 'train', training: 'train', learn: 'train', val: 'valid', valid: 'valid', validate: 'valid', validation: 'valid', validating: 'valid', eval: 'valid', evaluation: 'valid', dev: 'valid', test: 'test', testing: 'test' };
const OWN_PHASE = /^(?:train|training|val|valid|validation|eval|test|dev)(?:[_\-/ ]|$)|(?:^|[_\-/])(?:val|valid|train|test|eval)$/i;

/** `key: value` / `key=value`, the key of up to five words; also `9062/10000 (91%)` and `45476/54430=0.8355` */
const KV = new RegExp(String.raw`(^|[\s,;|({\[\]\-:]|\t)'?((?:[A-Za-z#][\w@./()#'\-]*[ ]){0,4}[A-Za-z_(][\w@./()'\-\u2236]*(?:\[\])?)\s*[:=]\s*(\[)?\s*'?(${NUM}|nan|NaN|inf)(%)?'?(?:\s*\/\s*(\d+)\s*\((${NUM})%\)|\s*\/\s*\d+\s*=\s*(${NUM}))?`, 'g');

/** a segment that is only `words number` pairs: "Epoch 01 loss 75.6049", "Loss 6.98e+00 (7.08e+00)" */
const WORDS_WHOLE = new RegExp(String.raw`^(?:[A-Za-z][\w@./'\-\u2236]*(?: (?:[A-Za-z][\w@./'\-]*|\([a-z]+\))){0,2}\s+(?:${NUM}|nan)(?:%|\/\d+)?(?:\s*\(\s*${NUM}\s*\))?\s*)+$`);
const WORDS_PART = new RegExp(String.raw`([A-Za-z][\w@./'\-\u2236]*(?: (?:[A-Za-z][\w@./'\-]*|\([a-z]+\))){0,2})\s+(${NUM}|nan)(?:%|\/\d+)?(?:\s*\(\s*${NUM}\s*\))?`, 'g');

const DIGIT_COLON_DIGIT = /\d:\.?\d/;
const ASSIGNMENT = new RegExp(String.raw`^[A-Za-z][\w.]*\s+=\s+${NUM}\s*$`);
const NAME_RANGE = /([A-Za-z][\w]*[@_][\d.]*\d):(\.?\d)/g;
const BEST_CLAUSE = /(?:^|(?<=[.;!]\s))\s*(?:current\s+)?best\s+(?:\w+\s+)?(?:is|so far)\b.*$/i;
const AT_COUNTER = new RegExp(String.raw`^([A-Za-z][\w ]*?)\s+(?:at|after)\s+(step|iteration|iter|epoch|batch)\s+(\d+)\s*(?:is|=|:)\s*(${NUM}|nan)\s*$`, 'i');
/** a key that is a rate per unit ("time/batch"), not a section and a counter (SB3's "time/iterations") */
const RATE_KEY = /^(?:time|sec|secs|seconds|s|ms|samples|images|tokens|loss)\/(?:batch|step|iter|it|sample|image|token|epoch)$/i;
/** a source file named in a log prefix, never a metric: "log_hooks.py" */
const FILE_NAME = /\.(?:py|cc|cpp|c|h|java|js|ts|scala)$/;
const ONE_VALUE_LIST = new RegExp(String.raw`([A-Za-z]\s+)\[\s*(${NUM})\s*\](?=\s|$)`, 'g');
/** prose inside a key: "finished with value", "resulted in value" -> "value" */
const PROSE_WORDS = /^(?:with|in|is|was|are)$/i;

/** keys that are counters, sizes, settings or times of day, never metrics */
const DENY = /^(?:eta|v_num|seed|version|pid|port|rank|local_rank|world_size|gpus?|cores|workers|num_workers|n_parameters|parameters|params|epochs|max_epochs|remaining|best|mom|passed|elapsed|elapsed_time|remaining_time|iterations|total_timesteps|time_elapsed|n_updates|nupdates|serial_timesteps|episodes|episode|eps|mode|max|current|timestamp|date|year|batch|batches|samples|classes|images|labels|targets|instances|size|img_?size|image_?size|gpu_mem|bs|set|features|bins|using|leaves|max_depth|roots|nodes|cuda|cpu|device|mps|tpu|xla)$/i;
/** keys that are settings when a line has no counter (a config print): fine beside a step */
const CONFIG_ONLY = /^(?:lr0|lrf|momentum|weight_decay|warmup\w*|batch_size|bs|imgsz|dropout|num_\w+|n_\w+|\w+_size|total_\w+|max_\w+|min_\w+)$/i;
const STOP_WORDS = /^(?:is|are|was|the|a|an|of|at|in|on|for|with|to|and|by|current)$/i;
const DENY_WORDS = /\b(?:initial|seed|version|parameters|params|samples|classes|images|shape|cores|workers|nodes|roots|number|num|examples|epochs|seen)\b/i;

const STEP_KEYS = /^(?:step|steps|instances?|global_step|global_steps|globalstep|iter|\w+_iter|iteration|iterations?|training_iteration|num_updates|_step|train_step|total_timesteps|timesteps|[\w ]*\/step)$/i;
const EPOCH_KEYS = /^(?:epoch|_epoch|train_epoch|ep)$/i;

const RATIO_CELL = /^\d+\/\d+$/;
/** a table column that counts steps: "#" (spaCy), "iter" (Ray Tune), "number" (an Optuna trials data frame) */
const COUNTER_COL = /^(?:#|step|steps|iter|iteration|training_iteration|number|trial)$/i;
/** a column that holds a setting of the row, not a result: Optuna's params_x, scikit-learn's param_C */
const SETTING_COL = /^params?_/i;
/** clocks and totals of time: "total time (s)", time_total_s, a timestamp */
const CLOCK = /^(?:total[ _]time|time[ _]total|time_since_restore|timestamp|_timestamp|_runtime|wall[ _]?time)/i;

/** Whitespace-separated words in `s` (a trimmed line), counted without allocating, up to `max`. */
function wordCount(s: string, max: number): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < s.length && n <= max; i++) {
    const space = s.charCodeAt(i) <= 32;
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}

function toNumber(t: string): number {
  const s = t.trim().replace(/%$/, '');
  if (/^(?:nan|NaN)$/.test(s)) return Number.NaN;
  if (/^[+-]?inf$/i.test(s)) return s.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return NUM_RE.test(s) ? Number(s) : Number.NaN;
}
/** one expression, no trimmed copies: isNum runs on every cell of every table row */
const NUM_CELL = new RegExp(`^\\s*(?:${NUM}%?|nan|NaN|inf)\\s*$`);
const isNum = (t: string) => NUM_CELL.test(t);

/** A key split into its phase and the rest: `train's l2` and `eval-logloss` and `Train Loss`. */
function splitPhase(key: string): { phase: Phase; name: string } {
  const m = /^(train|training|val|valid|validation|eval|evaluation|dev|test|testing)(?:'s\s+|-|\s+)(.+)$/i.exec(key);
  if (m) return { phase: PHASE_WORDS[m[1].toLowerCase()], name: m[2] };
  return { phase: undefined, name: key };
}

/** The words `average`/`avg`/`mean` in front of a metric name say how it was computed, not what it is. */
const cleanName = (k: string) => k.replace(/^(?:average|avg|mean)\s+/i, '').replace(/\([A-Z][A-Za-z]+\)$/, '').trim();

interface Found {
  /** phase: train, valid, test, or a data set's own name (XGBoost's validation_0) */
  values: Array<{ name: string; y: number; phase?: string }>;
  step?: number;
  /** the step came from progress inside an epoch, not from an explicit counter */
  progress?: { e: number; k: number; n?: number };
  epoch?: number;
  phase?: Phase;
  /** a bar at k = N: the line closes its epoch */
  closes?: boolean;
  /** a progress bar: redraws at the same x replace */
  bar?: boolean;
  /** a row label that prefixes the names ("relation" in "relation \\t F1: 0.29") */
  label?: string;
}

interface Table {
  cols: string[];
  /** a `| a | b |` table: rows are split at the bars */
  pipe?: boolean;
  /** column spans when the header is underlined with dashes (spaCy); else split on whitespace */
  spans?: Array<[number, number]>;
  text: string;
}

/** Parses lines in order; keeps the context each line adds. */
export class MetricLineParser {
  private lineCount = 0;
  private firstEpoch: number | undefined;
  private lastEpoch: number | undefined;
  private lastStep: number | undefined;
  /** the last line with a counter gave an explicit step (lines after it without one take it) */
  private lastWasExplicitStep = false;
  /** Keras: the epoch a header `Epoch 3/30` announced, and whether a bar has closed it */
  private headerEpoch: number | undefined;
  private headerClosed = false;
  /** N of the last in-epoch progress, for the epoch-closing step */
  private lastN: number | undefined;
  /** in-epoch counters without a total: the step offset of each epoch */
  private epochMaxK = new Map<number, { max: number; interval: number }>();
  private tables: Table[] = [];
  private pendingHeader: string | undefined;
  private block: { section: string; values: Array<[string, number]> } | undefined;
  private readonly kinds = new Map<string, LinePoint['xKind']>();
  /** a counter with a total after the epoch ("iter: 20/500") restarted with a new epoch: it counts inside the epoch */
  private counterRestarts = false;
  /** the phase the last value line named at its start */
  private lastHeadPhase: Phase;
  private lastKeyed: { e: number; k: number } | undefined;
  /** the current line as it came (column positions of dash-underlined tables count from its start) */
  private raw = '';

  /** the lines of a dict not closed yet (pretty-printed JSON, a dict wrapped by the terminal) */
  private held: string[] | undefined;
  private heldDepth = 0;

  constructor(private readonly patterns: readonly MetricPattern[] = []) {}

  /**
   * The points one log line gives (no line end; ANSI escapes allowed). A line that opens a
   * dict without closing it (`{"loss": 0.56,` printed with indent, or a Hugging Face dict the
   * terminal wrapped) is held, and its points come with the line that closes it, at most
   * `MAX_HELD` lines later; else the held lines are read one by one.
   */
  feed(raw: string): LinePoint[] {
    if (this.held) {
      const t = raw.trim();
      if (t.startsWith('{') || !t) return [...this.release(), ...this.feed(raw)];
      this.held.push(raw);
      // closed when its braces balance: a nested dict ("'config': {'lr': 0.001},") does not close it
      for (const ch of t) if (ch === '{') this.heldDepth++;
      else if (ch === '}') this.heldDepth--;
      if (this.heldDepth <= 0) {
        const joined = this.held.map((l) => l.trim()).join('');
        this.held = undefined;
        return this.feedLine(joined);
      }
      return this.held.length > MAX_HELD ? this.release() : [];
    }
    // cheap test first: most lines hold no '{'
    if (raw.includes('{') && !raw.includes('}') && OPEN_DICT.test(raw)) {
      this.held = [raw];
      this.heldDepth = 1;
      return [];
    }
    return this.feedLine(raw);
  }

  /** The log ended: lines held for a dict that never closed are read one by one. */
  end(): LinePoint[] {
    return this.held ? this.release() : [];
  }

  private release(): LinePoint[] {
    const lines = this.held ?? [];
    this.held = undefined;
    return lines.flatMap((l) => this.feedLine(l));
  }

  private feedLine(raw: string): LinePoint[] {
    // syslog-style escapes of control characters (CloudWatch, SageMaker): #015 is the \r a
    // progress bar redraws with, #033 the escape that starts a terminal sequence
    if (raw.includes('#0') && ESCAPED_CONTROL.test(raw)) {
      const parts = raw.replace(/#033/g, '\x1b').split('#015');
      if (parts.length > 1) return parts.flatMap((part) => this.feedLine(part));
      raw = parts[0];
    }
    let line = raw.includes('\x1b') || /[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(raw) ? raw.replace(ANSI, '') : raw;
    if (!line.trim()) return [];
    const glued = line.length > 30 && /\d{4}[-/]\d\d[-/]\d\d/.test(line) ? line.split(GLUED) : [line];
    if (glued.length > 1) return glued.flatMap((part) => this.feedLine(part));
    const redrawn = line.length > 40 && /\S {3,}[A-Za-z]/.test(line) ? splitRedrawn(line) : undefined;
    if (redrawn) return redrawn.flatMap((part) => this.feedLine(part));
    this.raw = line;
    if (this.patterns.length) {
      const user = this.userPoints(line);
      if (user.length) return user;
    }
    const lead = line.trim();
    if (lead.startsWith('|') || (this.block && /^-{5,}$/.test(lead))) {
      const b = this.sb3(lead);
      if (b) return b;
    }
    // a header, also one with a progress bar after it (YOLO's "Class Images ... mAP50-95): 100%|...")
    const beforeBar = line.replace(BAR_TAIL, '');
    // no number of its own (digits only inside words such as mAP50-95 or params_w[2]): a header or a plain message
    // (a bracket after a word is an index: params_w[2])
    if (!/(?:^|[\s:=(,|/<>]|(?<!\w)\[)[+-]?\.?\d/.test(beforeBar.includes('@') ? beforeBar.replace(/\S*@\S*/g, '') : beforeBar)) {
      this.noDigits(beforeBar);
      return [];
    }
    line = line.trimStart();
    for (let m = ANY_PREFIX.exec(line); m && m[0].length; m = ANY_PREFIX.exec(line)) {
      if (TF_CPP.test(m[0])) return []; // TensorFlow's C++ messages: device, library and allocation notes, never metrics
      line = line.slice(m[0].length);
    }
    const t = line.trim();
    const sb3 = this.sb3(t);
    if (sb3) return sb3;
    if (NOISE.test(t)) return [];
    const f = this.parse(t);
    if (!f) return [];
    return this.place(f);
  }

  private userPoints(line: string): LinePoint[] {
    const out: LinePoint[] = [];
    for (const p of this.patterns) {
      p.regex.lastIndex = 0;
      const m = p.regex.exec(line);
      const value = m?.groups?.value ?? m?.[1];
      if (!m || value === undefined) continue;
      const y = toNumber(value);
      if (Number.isNaN(y) && !/nan/i.test(value)) continue;
      const stepText = m.groups?.step ?? m[2];
      const step = stepText !== undefined ? Number(stepText) : undefined;
      if (step !== undefined && Number.isFinite(step)) {
        this.lastStep = step;
        this.lastWasExplicitStep = true;
        out.push({ name: p.name, x: step, xKind: 'step', y });
      } else out.push({ name: p.name, ...this.inheritedX(true), y });
    }
    if (out.length) this.lineCount++;
    return out;
  }

  /** Lines without digits still carry context: a table header, the end of a block. */
  private noDigits(line: string): void {
    const t = line.replace(ANSI, '').trim();
    if (/^-{5,}$/.test(t) || /^-{2,}(?:\s+-+)+$/.test(t)) {
      if (this.pendingHeader !== undefined) this.tables.unshift(this.header(this.pendingHeader, line.replace(ANSI, '')));
      this.pendingHeader = undefined;
      return;
    }
    if (t.includes('|') && /^[-=+|: ]+$/.test(t)) return; // a table border: +-----+-----+, |---|---| or Markdown's -|-|-
    const pipe = /^\|(.+)\|$/.exec(t) ?? (/^[^|\s]+(?:\|[^|\s]+){2,}\|?$/.test(t) ? [t, t.replace(/\|$/, '')] : undefined);
    if (pipe) {
      const cols = pipe[1].split('|').map((c) => c.trim());
      if (cols.length >= 2 && cols.every((c) => c && !isNum(c))) {
        this.tables.unshift({ cols, pipe: true, text: t });
        if (this.tables.length > 4) this.tables.pop();
      }
      return;
    }
    const words = t.split(/\s+/);
    if (words.length >= 2 && words.length <= 24 && !t.includes('|') && !/[.!?,;=]$/.test(t) && words.every((w) => /^[A-Za-z#@_(%][\w@.:\-/()#%[\]]*$/.test(w)) && words.some((w) => /^(?:epoch|e|#|step|iter|train_loss|loss|valid_loss|epoch\w*)$/i.test(w) || /_/.test(w) || /^[A-Z#]+$/.test(w))) {
      this.pendingHeader = line.replace(ANSI, '');
      this.tables.unshift(this.header(t));
      if (this.tables.length > 4) this.tables.pop();
    }
  }

  private header(text: string, dashes?: string): Table {
    if (dashes) {
      const spans: Array<[number, number]> = [];
      const re = /-+/g;
      for (let m = re.exec(dashes); m; m = re.exec(dashes)) spans.push([m.index, m.index + m[0].length]);
      const cols = spans.map(([a, b]) => text.slice(a, b).trim());
      return { cols, spans, text };
    }
    const head = text.replace(/:\s*\d+%.*$/, '').trim();
    // columns apart by two or more spaces may hold spaces themselves (spaCy's "Dep Loss  NER Loss")
    return { cols: head.split(/\S\s{2,}\S/.test(head) ? /\s{2,}/ : /\s+/).map((c) => c.replace(/^\w+\(/, '').replace(/\)?:?$/, '')), text };
  }

  /** Stable-Baselines' `| key | value |` blocks: one point per key at the block's timesteps. */
  private sb3(t: string): LinePoint[] | undefined {
    if (/^-{5,}$/.test(t) && this.block) {
      const b = this.block;
      this.block = undefined;
      const get = (k: string) => b.values.find(([n]) => n.endsWith(k))?.[1];
      const step = get('total_timesteps') ?? get('timesteps') ?? b.values.find(([n]) => n === 'steps')?.[1];
      const x: Omit<LinePoint, 'name' | 'y'> = step !== undefined ? { x: step, xKind: 'step' } : { x: ++this.lineCount, xKind: 'line' };
      if (step !== undefined) {
        this.lastStep = step;
        this.lastWasExplicitStep = true;
      }
      return b.values.filter(([n]) => !DENY.test(n.split('/').pop() ?? n) && n !== 'steps').map(([name, y]) => this.point(name, y, x));
    }
    const m = /^\|\s*([\w./% -]+?)\s*\|\s*([^|]*?)\s*\|$/.exec(t);
    if (!m) return undefined;
    this.block ??= { section: '', values: [] };
    if (m[1].endsWith('/') && !m[2]) this.block.section = m[1];
    else if (isNum(m[2])) this.block.values.push([`${/^\s{2,}/.test(t.slice(1)) ? this.block.section : ''}${m[1]}`, toNumber(m[2])]);
    return [];
  }

  private parse(t: string): Found | undefined {
    // JSON lines and Python dicts (Hugging Face), also after a label ("json_stats: {...}")
    // (one dict of a printed list: "[{...}," or "{...}]")
    const d = t.includes('{') && /[,\]]$/.test(t) ? t.replace(/^\[\s*/, '').replace(/\s*[,\]]+$/, '') : t;
    const brace = d.indexOf('{');
    if (brace >= 0 && d.endsWith('}') && (brace === 0 || /^[\w ]+:\s*$/.test(d.slice(0, brace)))) {
      const f = this.dict(d.slice(brace));
      if (f) return f;
    }
    const table = this.tableRow(t);
    if (table) return table;
    return this.pairs(t);
  }

  private dict(text: string): Found | undefined {
    const json = text.includes("'") ? text.replace(/'([^'\\]*)'|\b(True|False|None|nan|inf)\b/g, (m, s: string | undefined) => (s !== undefined ? JSON.stringify(s) : m === 'True' ? 'true' : m === 'False' ? 'false' : m === 'None' ? 'null' : JSON.stringify(m))) : text;
    let obj: unknown;
    try {
      obj = JSON.parse(json);
    } catch {
      return undefined;
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
    const f: Found = { values: [] };
    const o = obj as Record<string, unknown>;
    const mode = typeof o.mode === 'string' ? PHASE_WORDS[o.mode.toLowerCase()] : undefined;
    for (const [k, v] of Object.entries(o)) {
      const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : undefined;
      if (text === undefined) continue;
      const ratio = /^(\d+)\/(\d+)$/.exec(text);
      if (ratio && /step/i.test(k)) {
        f.step = Number(ratio[1]);
        continue;
      }
      if (!isNum(text)) continue;
      const y = typeof v === 'number' ? v : toNumber(text);
      if (STEP_KEYS.test(k)) f.step = y;
      else if (EPOCH_KEYS.test(k)) f.epoch = y;
      // (the learning rate of an evaluation record is the optimizer's, not an evaluation result)
      else if (!DENY.test(k) && !CLOCK.test(k) && !/_since_restore$/.test(k)) f.values.push({ name: k, y, phase: OWN_PHASE.test(k) || /^(?:lr|learning_rate)\b/.test(k) ? undefined : mode });
    }
    return f.values.length || f.step !== undefined ? f : undefined;
  }

  /** A row of a table whose header came before (fastai, YOLO, spaCy, plain column tables). */
  private tableRow(t: string): Found | undefined {
    if (!this.tables.length) return undefined;
    const body = t.includes('%') ? t.replace(BAR_TAIL, '').trim() : t;
    // | a | b |, also a Markdown row without the outer bars (a|b|c|)
    const pipeRow = body.includes('|') && this.tables.some((tb) => tb.pipe) && (body.charCodeAt(0) === 124 || /^[^|]+\|[^|]+\|/.test(body));
    // most lines are no table row: count the words without cutting them out first
    if (!pipeRow) {
      let most = 0;
      for (const tb of this.tables) if (!tb.pipe) most = Math.max(most, tb.cols.length);
      const n = wordCount(body, most + 1);
      if (!this.tables.some((tb) => !tb.pipe && tb.cols.length === n)) return undefined;
    }
    const cells = pipeRow ? [] : body.split(/\s+/);
    const pipeCells = pipeRow ? body.replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim()) : undefined;
    for (const tb of this.tables) {
      if (!!tb.pipe !== (pipeCells !== undefined)) continue;
      // a row has as many cells as its header has columns (cells of a dash-underlined table
      // hold no spaces either): checked before any cell is cut out or read as a number
      if ((pipeCells ?? cells).length !== tb.cols.length) continue;
      const row = tb.spans ? tb.spans.map(([a], i) => this.raw.slice(a, tb.spans![i + 1]?.[0] ?? this.raw.length).trim()) : (pipeCells ?? cells);
      // a table with a counter column (Ray Tune's "iter") may hold more text than numbers per row
      const counted = tb.pipe && tb.cols.some((c) => COUNTER_COL.test(c));
      let numeric = 0;
      let other = 0;
      for (const c of row) {
        if (isNum(c) || RATIO_CELL.test(c)) numeric++;
        else if (++other > row.length / 2 && !counted) break;
      }
      if (numeric < 2 || (numeric < row.length / 2 && !counted)) continue;
      const f: Found = { values: [] };
      row.forEach((c, i) => {
        const col = tb.cols[i];
        const ratio = /^(\d+)\/(\d+)$/.exec(c);
        if (/^(?:epoch|e|itn\.?)$/i.test(col)) f.epoch = Number(ratio ? ratio[1] : c);
        else if (COUNTER_COL.test(col)) f.step = Number(c);
        else if (isNum(c) && !DENY.test(col) && !/^time$/i.test(col) && !CLOCK.test(col) && !SETTING_COL.test(col)) f.values.push({ name: col, y: toNumber(c) });
      });
      const bar = /(\d+)\/(\d+)\s*\[/.exec(t.slice(body.length));
      if (bar && f.epoch !== undefined) {
        f.bar = true;
        const k = Number(bar[1]);
        const n = Number(bar[2]);
        if (k < n) f.progress = { e: f.epoch, k, n };
        else f.closes = true;
      }
      return f;
    }
    return undefined;
  }

  private pairs(line: string): Found | undefined {
    const f: Found = { values: [] };
    // a range inside a metric name (mAP@.5:.95, mAP_0.5:0.95) is no key-value separator
    let t = DIGIT_COLON_DIGIT.test(line) ? line.replace(NAME_RANGE, '$1\u2236$2') : line;
    // the best value so far is a running record, not a new curve ("Best is trial 53 with value:
    // 0.0001", "Current best value is 0.33 with parameters: {...}"); a dict after prose is printed
    // data or settings ("and parameters: {'x': 0.74}", "This movie sucked {'POSITIVE': 1.0}")
    if (t.includes('best') || t.includes('Best')) t = t.replace(BEST_CLAUSE, '');
    if (t.includes('{')) t = t.replace(/\{[^{}]*\}/g, ' ');
    // "Score at iteration 0 is 4088.19" (Deeplearning4j's ScoreIterationListener)
    const at = t.includes(' at ') || t.includes(' after ') ? AT_COUNTER.exec(t) : null;
    if (at) {
      const n = Number(at[3]);
      if (/^epoch$/i.test(at[2])) f.epoch = n;
      else f.step = n;
      f.values.push({ name: at[1], y: toNumber(at[4]) });
      return f;
    }
    let rest = t;
    // counters at the line start: XGBoost [500], LightGBM [5]:, CatBoost 87:
    const xgb = /^\[(\d+)\]:?\s+/.exec(rest);
    const cat = /^(\d+):\s+(?=learn)/.exec(rest);
    if (xgb || cat) {
      f.step = Number((xgb ?? cat)![1]);
      rest = rest.slice((xgb ?? cat)![0].length);
      if (cat) {
        const learn = new RegExp(`learn:?\\s*(${NUM})`).exec(rest);
        const test = new RegExp(`test:?\\s*(${NUM})`).exec(rest);
        if (learn) f.values.push({ name: 'loss', y: Number(learn[1]), phase: 'train' });
        if (test) f.values.push({ name: 'loss', y: Number(test[1]), phase: 'test' });
        return f;
      }
      // name-metric:value and name's metric: value
      const re = new RegExp(String.raw`([A-Za-z][\w]*)(?:-|'s\s+)([\w@ ]*?[\w@])\s*:\s*(${NUM}|nan|inf)`, 'g');
      for (let m = re.exec(rest); m; m = re.exec(rest)) f.values.push({ name: m[2], y: toNumber(m[3]), phase: PHASE_WORDS[m[1].toLowerCase()] ?? m[1] });
      if (f.values.length) return f;
    }
    // the line's phase and epoch
    const head = /^\[?(train(?:ing)?|valid(?:ation|ate)?|val|eval(?:uation)?|test(?:ing)?|dev)\b(?!_)/i.exec(rest);
    if (head) f.phase = PHASE_WORDS[head[1].toLowerCase()];
    const modeM = /\bEpoch\((val|test)\)/i.exec(rest);
    if (modeM) f.phase = PHASE_WORDS[modeM[1].toLowerCase()];
    if (/valid on '\w+' subset|\|\s*valid\s*\|/.test(rest)) f.phase = 'valid';
    const on = /\bon (train|training|val|valid|validation|test)\b/i.exec(rest); // "Accuracies on val:"
    if (on) f.phase ??= PHASE_WORDS[on[1].toLowerCase()];
    // a row label before tab-separated pairs: "relation \t F1: 0.29 \t P: 0.34"
    const label = /^([A-Za-z][\w-]*)\s*:?(?:\t|\s{2,})(?=[A-Za-z][\w@ ]*:\s*[\d.])/.exec(rest);
    if (label && !PHASE_WORDS[label[1].toLowerCase()] && !/^(?:epoch|step|iter|iteration|batch|pass)$/i.test(label[1])) f.label = label[1];
    this.counters(rest, f);
    this.keyValues(rest, f);
    if (f.label) for (const v of f.values) v.name = `${f.label} ${v.name}`;
    // "Loss is: 0.17" after a line that named its phase ("Validate performance at epoch 1 is ...")
    // belongs to that phase
    const phased = !!f.phase;
    if (!f.phase && this.lastHeadPhase && f.values.length === 1 && /^[A-Z][\w ]*? is:\s*\S+$/.test(rest)) f.phase = this.lastHeadPhase;
    this.lastHeadPhase = phased && f.values.length ? f.phase : undefined;
    // "learningRate = 1.0E-4" alone on its line before the log showed any counter: a setting printed at the start
    if (f.step === undefined && f.epoch === undefined && this.lastStep === undefined && this.lastEpoch === undefined && ASSIGNMENT.test(rest)) return undefined;
    // a line with no counter that sets lr0, momentum, batch_size... is a configuration print
    if (f.step === undefined && f.epoch === undefined && !f.progress && f.values.some((v) => CONFIG_ONLY.test(v.name.replace(/\s+/g, '_')))) return undefined;
    // a status line: it has a flag ("is finished: false", "TPU available: False"); its numbers are states
    if (f.values.length && (rest.includes('rue') || rest.includes('alse') || rest.includes('RUE') || rest.includes('ALSE')) && /[:=]\s*(?:true|false)\b/i.test(rest)) f.values = [];
    if (t !== line) for (const v of f.values) v.name = v.name.replace(/\u2236/g, ':');
    return f.values.length || f.step !== undefined || f.epoch !== undefined ? f : undefined;
  }

  private counters(t: string, f: Found): void {
    const e = /\b(?:epoch|pass|Train(?=:\s*\d+\s*\[))(?:\.{2,}\s*\(?)?\s*(?:\((?:train|val|test)\))?\s*[:#]?\s*\[?\s*(\d+(?:\.\d+)?)\s*\]?(\s*\/\s*\d+\]?)?/i.exec(t);
    if (e) {
      f.epoch = Number(e[1]);
      const after = t.slice(e.index + e[0].length);
      const prog = /^\s*[:|,]?\s*(?:\[\s*(\d+)\s*\/\s*(\d+)|(\d+)\s*\/\s*(\d+)\b|\|\s*Step\s+(\d+)\s*\/\s*(\d+)|Batch\s*\[(\d+)\])/i.exec(after);
      if (prog && !/\(val|\(test/i.test(e[0])) {
        const k = Number(prog[1] ?? prog[3] ?? prog[5] ?? prog[7]);
        const nText = prog[2] ?? prog[4] ?? prog[6];
        f.progress = { e: f.epoch, k, n: nText !== undefined ? Number(nText) : undefined };
      }
      if (e[2] && !prog && /^\s*\/\s*\d+/.test(e[2]) && /^Epoch \d+\/\d+$/i.test(t.trim())) {
        this.headerEpoch = f.epoch;
        this.headerClosed = false;
      }
      const ph = /^\s*[,|]?\s*(train|training|val|valid|validation|eval|test)\b/i.exec(after);
      if (ph) f.phase ??= PHASE_WORDS[ph[1].toLowerCase()];
      // a keyed counter after the epoch: "iter: 20/500", "[Iter: 0/304]", "Step 50/781", "train batch 10"
      const keyed = /\b(?:(train|val|valid|test|eval)\s+)?(?:iter|iteration|step|batch)s?\b\s*[:=]?\s*\[?\s*(\d+)\s*\]?(?:\s*\/\s*(\d+))?/i.exec(after);
      if (!f.progress && keyed && !/\(val|\(test/i.test(e[0])) {
        if (keyed[1]) f.phase ??= PHASE_WORDS[keyed[1].toLowerCase()];
        const k = Number(keyed[2]);
        const n = keyed[3] !== undefined ? Number(keyed[3]) : undefined;
        // with a total and no epoch total, the counter may be global (PaddleSeg counts iterations
        // over the whole run): it is, until it restarts when the epoch changes
        const epochTotal = e[2] !== undefined && /\//.test(e[2]);
        if (n !== undefined && !epochTotal && !this.counterRestarts) {
          if (this.lastKeyed && f.epoch > this.lastKeyed.e && k < this.lastKeyed.k) this.counterRestarts = true;
          this.lastKeyed = { e: f.epoch, k };
        }
        if (n !== undefined && !epochTotal && !this.counterRestarts) f.step = k;
        else f.progress = { e: f.epoch, k, n };
      }
    }
    // ESPnet: "1epoch:train:683-1364batch" is epoch 1 up to batch 1364
    const esp = /\b(\d+)epoch:(?:(train|valid|eval|test):)?(\d+)-(\d+)batch\b/i.exec(t);
    if (esp) {
      f.epoch = Number(esp[1]);
      f.progress = { e: f.epoch, k: Number(esp[4]) };
      if (esp[2]) f.phase ??= PHASE_WORDS[esp[2].toLowerCase()];
    }
    // "30/42 of epoch 28/30", char-rnn's "168/446 (epoch 0)": progress first, then the epoch
    const of = /^(\d+)\s*\/\s*(\d+)\s+(?:of\s+|\()epoch\s+(\d+)/i.exec(t);
    if (of) {
      f.epoch = Number(of[3]);
      f.progress = { e: f.epoch, k: Number(of[1]), n: Number(of[2]) };
    }
    // (not a total: "total steps 10", "max iterations 500")
    const step = /(?:^|[\s[|,(])(?<!(?:total|max|num|number of)\s)(?:global[ _])?(?:step|iteration|iter)s?\b\s*[:=]?\s*(\d+)(?!\s*\/)(?!\d)(?!\.\d)/i.exec(t);
    if (step && f.progress === undefined && f.step === undefined) f.step = Number(step[1]);
    // DeepSpeed's timer: "0/130, SamplesPerSec=36.8" is epoch/global step
    const ds = /^(\d+)\/(\d+),\s+[A-Za-z]\w*=/.exec(t);
    if (ds && f.step === undefined) f.step = Number(ds[2]);
    // a hyperparameter search counts trials: "Trial 59 finished with value: 1.56", "Finished trial#0"
    const trial = /\btrial\s*#?\s*(\d+)\b(?!\s*\/)/i.exec(t);
    if (trial && f.step === undefined && f.epoch === undefined && !f.progress) f.step = Number(trial[1]);
    const it = f.epoch === undefined ? /\biteration\s+(\d+)\s*\/\s*(\d+)/i.exec(t) : null;
    if (it) f.step = Number(it[1]);
    const keras = /^(\d+)\/(\d+)\s*(?:\[[=>.]*\]|━+|-\s+\d+m?s\b)/.exec(t);
    if (keras) {
      f.bar = true;
      const k = Number(keras[1]);
      const n = Number(keras[2]);
      if (this.headerEpoch !== undefined && f.epoch === undefined) {
        if (k < n) f.progress = { e: this.headerEpoch, k, n };
        else if (this.headerClosed) f.phase = 'test';
        else {
          f.epoch = this.headerEpoch;
          f.closes = true;
          this.lastN = n;
        }
      } else if (f.epoch === undefined && k < n) f.step = k;
      else if (f.epoch === undefined && this.lastEpoch !== undefined) f.phase = 'test';
    }
    const tq = /(\d{1,3})%(?:\|[^|]*\|)?\s*(\d+)\/(\d+|\?)\s*\[/.exec(t);
    if (tq) {
      f.bar = true;
      if (/valid|sanity|test|predict/i.test(t.slice(0, tq.index))) f.values = [];
      if (f.epoch !== undefined && !f.progress) {
        const k = Number(tq[2]);
        const n = Number(tq[3]);
        if (k < n) f.progress = { e: f.epoch, k, n };
        else f.closes = true;
      } else if (f.epoch === undefined) f.step = Number(tq[2]);
    }
  }

  private keyValues(t: string, f: Found): void {
    if (/(?:valid|sanity|test|predict)\w*(?: DataLoader \d+)?:\s*\d+%(?:\||\s+\d+\/)/i.test(t)) return;
    let rest = t;
    // key: value / key=value, with up to two words in the key
    const re = KV;
    re.lastIndex = 0;
    const keep: Array<[number, number]> = [];
    for (let m = re.exec(t); m; m = re.exec(t)) {
      const after = t.slice(m.index + m[0].length);
      let y = toNumber(m[4]);
      if (m[7] !== undefined) y = Number(m[7]); // Accuracy: 9062/10000 (91%) -> 91
      else if (m[8] !== undefined) y = Number(m[8]); // acc: 45476/54430=0.8355 -> 0.8355
      else if (/^\/\d/.test(after)) continue; // "0/40" style ratios are counters
      if (/^:\d/.test(after)) continue; // a clock: 0:00:08
      if (/^,\d/.test(after)) continue; // a list or a label, not a number: "gt: 974294,196"
      if (/^[A-Za-z/]/.test(after) && !/^[A-Z][a-z]{3,}/.test(after)) continue; // a unit glued to the value: 2.6s, 6.73G, 0.26GB (not a message glued on: "0.143Exception ignored")
      if (m[5] && /^\|/.test(after)) continue; // a progress bar's percentage
      const words = /^\s+([A-Za-z][\w/]*(?: [A-Za-z][\w/]*)*)( ?[:=(])?/.exec(after);
      if (words && !words[2] && !/^\s+(?:train|valid|val|test|eval|training|validation)\b/i.test(after)) continue; // "0 TPU cores", "3 days", "583 samples/sec"
      let key = m[2].replace(/^'|'$/g, '');
      const before = t.slice(0, m.index + m[1].length);
      let phase: Phase;
      const sp = splitPhase(key);
      if (sp.phase) {
        phase = sp.phase;
        key = sp.name;
      } else {
        const pw = /(?:^|[\s|,])(train(?:ing)?|valid(?:ation)?|val|eval|test)(?:'s)?\s+$/i.exec(before);
        if (pw) phase = PHASE_WORDS[pw[1].toLowerCase()];
        // leading words belong to the name only from a separator on ("| elapsed time per iteration (ms):"),
        // never across prose ("ℹ Initial learn rate:" -> "rate", then rejected below)
        const ws = key.split(' ');
        let pre = before;
        while (ws.length > 1 && !pw && !/(?:^|\s{2,}|\t|[,;|:\]\-]\s?|\d\s)$/.test(pre)) pre += `${ws.shift()} `;
        while (ws.length > 1 && STOP_WORDS.test(ws[0])) ws.shift();
        for (let i = ws.length - 2; i >= 0; i--) if (PROSE_WORDS.test(ws[i])) ws.splice(0, i + 1);
        key = ws.join(' ');
      }
      key = cleanName(key).replace(/\s+(?:is|are|was|of)$/i, '');
      // an argument inside a call ("FloatProgress(value=0.0, ...") or the end of a unit in
      // parentheses ("(ms): 4103.1" read as "ms)") is not a metric name
      if (key.split('(').length !== key.split(')').length) continue;
      const base = key.toLowerCase();
      // a counter named in a phrase: "LightGBM running iteration: 0"
      const lastWord = base.includes(' ') ? base.slice(base.lastIndexOf(' ') + 1) : '';
      if (STEP_KEYS.test(base) || /^global_steps?$/.test(base) || (lastWord && /^(?:iteration|iter|step)$/.test(lastWord))) {
        if (Number.isInteger(y)) f.step = y; // "step: 1172.13" (ms) is a time, not a counter
        continue;
      }
      if (EPOCH_KEYS.test(base)) {
        f.epoch ??= y;
        continue;
      }
      if (PHASE_WORDS[base] || /^init(?:ial)?\b/.test(base) || /\binit(?:ial)?\b/i.test(m[2]) || DENY.test(base) || (!RATE_KEY.test(base) && DENY.test(base.split(/[\s/]/).pop() ?? '')) || /\bnumber of\b/i.test(key) || FILE_NAME.test(base) || /^best[_\s]/.test(base) || /\b(?:seen|processed)$/.test(base)) continue;
      keep.push([m.index + m[1].length, m.index + m[0].length]);
      f.values.push({ name: key, y, phase });
    }
    for (const [a, b] of keep.reverse()) rest = rest.slice(0, a) + ' | ' + rest.slice(b);
    // a list of one value reads as the value ("Pseudo dice [0.8399]"); a sentence's full stop ends it
    if (rest.includes('[')) rest = rest.replace(ONE_VALUE_LIST, '$1$2');
    if (rest.trimEnd().endsWith('.')) rest = rest.replace(/(\d)\.\s*$/, '$1');
    // "words number" pairs without a colon: "Epoch 01 loss 75.6049 | train 2.1s", "Loss 6.98e+00 (7.08e+00)"
    if (!/[\w@%)]\s+[+-]?\.?\d/.test(rest)) return;
    for (const seg of rest.split(/\s*(?:\||\t|;|,|\s-\s|\[|\]|:|\*)\s*/)) {
      const s = seg.trim();
      if (!s || !/\d|\bnan\b/.test(s)) continue;
      if (!WORDS_WHOLE.test(s)) continue;
      const part = WORDS_PART;
      part.lastIndex = 0;
      for (let m = part.exec(s); m; m = part.exec(s)) {
        const sp = splitPhase(m[1]);
        const key = cleanName(sp.name);
        const base = key.toLowerCase();
        const y = toNumber(m[2]);
        if (/^(?:epoch|pass)$/i.test(base)) {
          f.epoch ??= y;
          continue;
        }
        if (/^(?:global )?(?:step|iter|iteration|trial)$/i.test(base) || STEP_KEYS.test(base)) {
          if (!f.progress) f.step ??= y; // "Step 50/781" after an epoch is progress, read by counters()
          continue;
        }
        // "tree 3 of 100", "batch 20 of 500": a counter with its total
        const total = /^\s*of\s+\d+/.exec(s.slice(m.index + m[0].length));
        if (total) {
          if (!f.progress) f.step ??= y;
          part.lastIndex = m.index + m[0].length + total[0].length;
          continue;
        }
        // a whole number after words, on a line with no counter, is a count ("Total Bins 70025")
        // (not on a pipe line after a step: the rest of a wrapped line, "0 | clip 0.000 | wall 1692")
        if (f.step === undefined && f.epoch === undefined && !f.progress && Number.isInteger(y) && Math.abs(y) >= 100 && !(t.includes(' | ') && this.lastWasExplicitStep)) continue;
        if (DENY.test(base) || DENY_WORDS.test(key) || FILE_NAME.test(base) || /^best[_\s]/.test(base) || /^(?!learning\b)[A-Za-z][a-z]+ing\b/i.test(key) || (t.trim() === s && /^[A-Z][a-z]+ [a-z]+ [a-z]+$/.test(key))) continue;
        f.values.push({ name: key, y, phase: sp.phase ?? (f.phase && !OWN_PHASE.test(key) ? f.phase : undefined) });
      }
    }
  }

  private inheritedX(countLine: boolean): Omit<LinePoint, 'name' | 'y'> {
    if (this.lastWasExplicitStep && this.lastStep !== undefined) return { x: this.lastStep, xKind: 'step' };
    const e = this.headerEpoch ?? this.lastEpoch;
    if (e !== undefined) return { x: e, xKind: 'epoch' };
    return { x: countLine ? this.lineCount + 1 : this.lineCount, xKind: 'line' };
  }

  private place(f: Found): LinePoint[] {
    if (f.epoch !== undefined || f.progress) {
      const e = f.epoch ?? f.progress!.e;
      this.firstEpoch = Math.min(this.firstEpoch ?? e, e);
      this.lastEpoch = e;
    }
    if (!f.values.length) {
      if (f.step !== undefined && f.progress === undefined) {
        this.lastStep = f.step;
        this.lastWasExplicitStep = true;
      }
      return [];
    }
    // a header's epoch holds for its bars; another counter ends it
    if (f.epoch !== undefined && !f.closes && !(f.progress && f.progress.e === this.headerEpoch)) this.headerEpoch = undefined;
    let base: Omit<LinePoint, 'name' | 'y'>;
    let closeEpoch: number | undefined;
    if (f.step !== undefined) {
      base = { x: f.step, xKind: 'step' };
      this.lastStep = f.step;
      this.lastWasExplicitStep = true;
    } else if (f.progress) {
      const { e, k, n } = f.progress;
      const e0 = (this.firstEpoch ?? e) === 0 ? 0 : 1;
      let x: number;
      if (n !== undefined) {
        x = (e - e0) * n + k;
        this.lastN = n;
      } else {
        // no total: the epochs before count as far as their largest counter plus one interval
        const cur = this.epochMaxK.get(e) ?? { max: k, interval: 0 };
        if (k > cur.max) cur.interval = cur.interval ? Math.min(cur.interval, k - cur.max) : k - cur.max;
        cur.max = Math.max(cur.max, k);
        this.epochMaxK.set(e, cur);
        let off = 0;
        for (const [pe, v] of this.epochMaxK) if (pe < e) off += v.max + (v.interval || 1);
        x = off + k;
      }
      base = { x, xKind: 'step' };
      this.lastStep = x;
      this.lastWasExplicitStep = false;
    } else if (f.epoch !== undefined) {
      base = { x: f.epoch, xKind: 'epoch' };
      closeEpoch = f.epoch;
      this.lastWasExplicitStep = false;
    } else {
      base = this.inheritedX(true);
      if (base.xKind === 'epoch') closeEpoch = base.x;
    }
    if (f.closes && f.epoch !== undefined) this.headerClosed = true;
    else if (f.epoch !== undefined && f.progress === undefined) this.headerClosed = false;
    if (this.headerEpoch !== undefined && f.progress) this.headerClosed = false;
    this.lineCount++;
    return f.values.map((v) => {
      const name = this.phasedName(v, f);
      let x = base;
      // an epoch-level value for a series that counts steps goes at the epoch's last step
      if (closeEpoch !== undefined && this.kinds.get(name) === 'step') {
        const e0 = (this.firstEpoch ?? closeEpoch) === 0 ? 0 : 1;
        x = this.lastN !== undefined ? { x: (closeEpoch - e0 + 1) * this.lastN, xKind: 'step' } : { x: this.lastStep ?? closeEpoch, xKind: 'step' };
      }
      return this.point(name, v.y, x, f.bar);
    });
  }

  /** A value's series name: its phase (its own, else the line's) as a prefix. */
  private phasedName(v: Found['values'][number], f: Found): string {
    const phase = v.phase ?? (f.phase && !OWN_PHASE.test(v.name) ? f.phase : undefined);
    return phase && phase !== 'train' ? `${phase}/${v.name}` : phase === 'train' && !/^train/i.test(v.name) ? `train/${v.name}` : v.name;
  }

  private point(name: string, y: number, x: Omit<LinePoint, 'name' | 'y'>, replace?: boolean): LinePoint {
    if (!this.kinds.has(name)) this.kinds.set(name, x.xKind);
    return { name, y, ...x, ...(replace ? { replace } : {}) };
  }
}
