/**
 * Run records: what a training run was (profile, image reference and digest, command, env
 * variable names, ports, mounts, GPUs, shm, engine, git commit) and what it gave (exit code,
 * duration, metrics, artifacts). Env values are never in a record: users put tokens there.
 * Plain data, stored as one JSON file per run (src/core/runs/store.ts).
 */
import type { RunRequest } from '../run/createOptions';
import { summarize, thin, type MetricSeries, type MetricSummary } from '../logs/metrics';
import { peakCells, type ResourcePeaks } from './stats';
import type { Diagnosis } from './diagnosis';

/** Which entry point started the run. */
export type RunSource = 'guided' | 'profile' | 'task' | 'rerun' | 'debug';

/** A run request without env values (names only). */
export type RecordedRequest = Omit<RunRequest, 'env'> & { envNames: string[] };

export interface ArtifactFile {
  /** path relative to the artifacts folder, '/'-separated */
  path: string;
  bytes: number;
}

export interface RunRecord {
  /** record format version */
  version: 1;
  /** unique id: `<start time in ms, base 36>-<container id prefix>` */
  id: string;
  source: RunSource;
  /** run profile name; undefined for guided runs */
  profile?: string;
  containerId: string;
  containerName: string;
  image: {
    /** as asked for, e.g. "iris-train:v1" */
    reference: string;
    /** image id (`sha256:...`), the content digest of its config: re-run uses it */
    id?: string;
    /** `RepoDigests` (`repo@sha256:...`) when the image came from or went to a registry */
    repoDigests: string[];
  };
  request: RecordedRequest;
  /** where the extension reached the engine (the connection's description) */
  engine: string;
  /** the workspace's git commit; undefined outside a git repository */
  git?: { commit: string; dirty: boolean };
  /** ISO 8601 */
  startedAt: string;
  /** ISO 8601, when the container exited */
  endedAt?: string;
  durationMs?: number;
  exitCode?: number;
  status: 'running' | 'exited' | 'lost';
  metrics: Record<string, MetricSummary>;
  /** each metric's points, thinned to at most 2,000 (`thin`) */
  series: Record<string, MetricSeries>;
  artifacts?: { folder: string; files: ArtifactFile[]; totalBytes: number; truncated?: boolean };
  /** the highest CPU, memory and GPU memory seen on the container's stats during the run */
  peaks?: ResourcePeaks;
  /** why the run died, when it exited non-zero for a reason the logs or the engine tell (src/core/runs/diagnosis.ts) */
  diagnosis?: Diagnosis;
}

/** Strips env values from a run request (names kept, sorted). */
export function recordedRequest(req: RunRequest): RecordedRequest {
  const { env, ...rest } = req;
  return { ...rest, envNames: Object.keys(env ?? {}).sort() };
}

/** A new record for a run that just started. */
export function newRecord(o: {
  source: RunSource;
  profile?: string;
  container: { id: string; name: string };
  request: RunRequest;
  image: RunRecord['image'];
  engine: string;
  git?: RunRecord['git'];
  startedAt: Date;
}): RunRecord {
  return {
    version: 1,
    id: `${o.startedAt.getTime().toString(36)}-${o.container.id.slice(0, 12)}`,
    source: o.source,
    profile: o.profile,
    containerId: o.container.id,
    containerName: o.container.name,
    image: o.image,
    request: recordedRequest(o.request),
    engine: o.engine,
    git: o.git,
    startedAt: o.startedAt.toISOString(),
    status: 'running',
    metrics: {},
    series: {},
  };
}

/** The record with the metrics of `series` (summaries, thinned points). */
export function withMetrics(r: RunRecord, series: Map<string, MetricSeries>): RunRecord {
  const stored: Record<string, MetricSeries> = {};
  for (const [name, s] of series) stored[name] = thin(s);
  return { ...r, metrics: summarize(series), series: stored };
}

/** The record of a run that ended with `exitCode` at `endedAt`. */
export function finished(r: RunRecord, exitCode: number, endedAt: Date): RunRecord {
  return { ...r, status: 'exited', exitCode, endedAt: endedAt.toISOString(), durationMs: endedAt.getTime() - Date.parse(r.startedAt) };
}

/**
 * The bind mount that holds a run's artifacts: the first whose container path names
 * artifacts, outputs, checkpoints or models (the guided run's `./artifacts -> <WORKDIR>/artifacts`).
 */
export function artifactsMount(req: Pick<RunRequest, 'mounts'>): { source: string; target: string } | undefined {
  return req.mounts.find((m) => m.type === 'bind' && /artifact|output|checkpoint|model/i.test(m.target));
}

/** The run request to run a record again: env names get the values from `envValues` (missing names are left out). */
export function rerunRequest(r: RunRecord, envValues: Record<string, string>, imageRef: string): RunRequest {
  const { envNames, ...rest } = r.request;
  const env: Record<string, string> = {};
  for (const n of envNames) if (envValues[n] !== undefined) env[n] = envValues[n];
  return { ...rest, image: imageRef, env };
}

/**
 * Which records to delete so that the total size is at most `maxBytes`: the oldest first
 * (by start time), never `keepId` (the run being written).
 * @param entries each record's id, start time (ISO) and file size in bytes
 */
export function overCap(entries: Array<{ id: string; startedAt: string; bytes: number }>, maxBytes: number, keepId?: string): string[] {
  let total = entries.reduce((n, e) => n + e.bytes, 0);
  const drop: string[] = [];
  for (const e of [...entries].sort((a, b) => a.startedAt.localeCompare(b.startedAt))) {
    if (total <= maxBytes) break;
    if (e.id === keepId) continue;
    drop.push(e.id);
    total -= e.bytes;
  }
  return drop;
}

/** A metric value for tables: 5 significant digits, exponent form below 0.001 and from 1e6. */
export function formatMetricValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(5)));
}

/** Fields compared between runs, in table order: name and how to show the field. */
const compareFields: Array<[string, (r: RunRecord) => string]> = [
  ['profile', (r) => r.profile ?? '(guided run)'],
  ['image', (r) => r.image.reference],
  ['image digest', (r) => r.image.repoDigests[0] ?? r.image.id ?? '(unknown)'],
  ['command', (r) => [...(r.request.entrypoint ?? []), ...(r.request.cmd ?? [])].join(' ') || '(image default)'],
  ['env names', (r) => r.request.envNames.join(', ') || '(none)'],
  ['ports', (r) => r.request.ports.map((p) => `${p.hostPort ?? ''}:${p.containerPort}/${p.protocol}`).join(', ') || '(none)'],
  ['mounts', (r) => r.request.mounts.map((m) => `${m.source}:${m.target}`).join(', ') || '(none)'],
  ['GPUs', (r) => (r.request.gpus ? JSON.stringify(r.request.gpus) : '(none)')],
  ['shm', (r) => (r.request.shmSize !== undefined ? `${r.request.shmSize} bytes` : '(default)')],
  ['engine', (r) => r.engine],
  ['git commit', (r) => (r.git ? `${r.git.commit.slice(0, 12)}${r.git.dirty ? ' (dirty)' : ''}` : '(not a git repository)')],
  ['exit code', (r) => (r.exitCode === undefined ? r.status : String(r.exitCode))],
  ['why it died', (r) => r.diagnosis?.message ?? '-'],
];

/** Peak rows of the comparison: always shown (one row per peak), '-' for a run that has none. */
const peakFields: Array<[string, (r: RunRecord) => string]> = [
  ['peak CPU', (r) => peakCells(r.peaks).cpu],
  ['peak memory', (r) => peakCells(r.peaks).memory],
  ['peak GPU memory', (r) => peakCells(r.peaks).gpuMemory],
];

/** A row of the comparison: a field, a peak (`peak`) or a metric (`metric`). */
export interface CompareRow {
  field: string;
  values: string[];
  differs: boolean;
  metric?: boolean;
  peak?: boolean;
}

/**
 * The comparison table of runs: rows of the fields whose values differ (or all with
 * `all`), then one row per resource peak (CPU, memory, GPU memory) when any run has it,
 * then one row per metric with each run's final value (best in brackets).
 */
export function compareTable(runs: RunRecord[], o: { all?: boolean } = {}): { header: string[]; rows: CompareRow[] } {
  const rows: CompareRow[] = [];
  for (const [field, get] of compareFields) {
    const values = runs.map(get);
    const differs = new Set(values).size > 1;
    if (differs || o.all) rows.push({ field, values, differs });
  }
  for (const [field, get] of peakFields) {
    const values = runs.map(get);
    if (o.all || values.some((v) => v !== '-')) rows.push({ field, values, differs: new Set(values).size > 1, peak: true });
  }
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  for (const n of names) {
    const values = runs.map((r) => {
      const m = r.metrics[n];
      return m ? `${formatMetricValue(m.final)} (best ${formatMetricValue(m.best)})` : '-';
    });
    rows.push({ field: n, values, differs: new Set(values).size > 1, metric: true });
  }
  return { header: runs.map((r) => runLabel(r)), rows };
}

/** "train 2026-11-30 12:03" or "guided 2026-11-30 12:03" (UTC). */
export function runLabel(r: RunRecord): string {
  return `${r.profile ?? r.request.name ?? r.containerName} ${r.startedAt.slice(0, 16).replace('T', ' ')}`;
}

/** Records as JSON text for export (pretty, one array). */
export function exportJson(runs: RunRecord[]): string {
  return `${JSON.stringify(runs, null, 2)}\n`;
}

function csvCell(v: string | number | undefined): string {
  const s = v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Records as CSV (RFC 4180 quoting), one row per run: identity, image, git, outcome, then
 * `<metric>.final` and `<metric>.best` for every metric any run has.
 */
export function exportCsv(runs: RunRecord[]): string {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  const header = ['id', 'profile', 'container', 'image', 'image_id', 'repo_digest', 'command', 'env_names', 'engine', 'git_commit', 'git_dirty', 'started_at', 'duration_ms', 'exit_code', 'artifacts_bytes', ...names.flatMap((n) => [`${n}.final`, `${n}.best`])];
  const lines = [header.map(csvCell).join(',')];
  for (const r of runs) {
    const row = [
      r.id, r.profile, r.containerName, r.image.reference, r.image.id, r.image.repoDigests[0],
      [...(r.request.entrypoint ?? []), ...(r.request.cmd ?? [])].join(' '), r.request.envNames.join(' '), r.engine,
      r.git?.commit, r.git ? String(r.git.dirty) : undefined, r.startedAt, r.durationMs, r.exitCode, r.artifacts?.totalBytes,
      ...names.flatMap((n) => [r.metrics[n]?.final, r.metrics[n]?.best]),
    ];
    lines.push(row.map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * Series of several runs on one x axis, for uPlot (which wants one sorted x array and one
 * y array per series, `null` where a series has no point at that x).
 */
export function alignSeries(list: Array<MetricSeries | undefined>): { xs: number[]; ys: Array<Array<number | null>> } {
  const xs = [...new Set(list.flatMap((s) => s?.xs ?? []))].sort((a, b) => a - b);
  const ys = list.map((s) => {
    const at = new Map<number, number>();
    if (s) s.xs.forEach((x, i) => at.set(x, s.ys[i]));
    return xs.map((x) => at.get(x) ?? null);
  });
  return { xs, ys };
}

/** Parses a stored record; undefined when the text is not a version-1 record. */
export function parseRecord(text: string): RunRecord | undefined {
  try {
    const r = JSON.parse(text) as RunRecord;
    return r && r.version === 1 && typeof r.id === 'string' && typeof r.startedAt === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}
