/**
 * BuildKit builds through the Engine API (`POST /build?version=2`): the stream carries
 * `{"id":"moby.buildkit.trace","aux":"<base64>"}` messages, each a protobuf `StatusResponse`
 * of github.com/moby/buildkit api/services/control/control.proto (moby builder/builder-next
 * builder.go marshals every status update and emits it with that id), then
 * `{"id":"moby.image.id","aux":{"ID":"sha256:..."}}` and, on failure, the usual
 * `{"error":"...","errorDetail":{...}}`.
 *
 * This module decodes those messages with protobufjs (static code that every build generates
 * out of BuildKit's own control.proto, kept in src/core/build/buildkit-proto with
 * their source; at run time only protobufjs/minimal) and turns them into our
 * {@link BuildEvent}s, printing roughly what `docker build --progress=plain` prints
 * (`#3 [2/6] COPY requirements.txt ./`, `#3 CACHED`, `#5 0.412 output line`, `#5 DONE 0.4s`).
 */
import { BuildTranscript, interpretBuildMessage, type BuildEvent } from './output';

/** A protobuf Timestamp as milliseconds since the epoch. */
export type Millis = number;

export interface BkVertex {
  digest: string;
  inputs: string[];
  name: string;
  cached: boolean;
  started?: Millis;
  completed?: Millis;
  error?: string;
}

export interface BkVertexStatus {
  id: string;
  vertex: string;
  name: string;
  current: number;
  total: number;
  timestamp?: Millis;
  started?: Millis;
  completed?: Millis;
}

export interface BkVertexLog {
  vertex: string;
  timestamp?: Millis;
  /** 1 stdout, 2 stderr */
  stream: number;
  msg: Uint8Array;
}

export interface BkVertexWarning {
  vertex: string;
  level: number;
  short: string;
  detail: string[];
  url: string;
}

export interface StatusResponse {
  vertexes: BkVertex[];
  statuses: BkVertexStatus[];
  logs: BkVertexLog[];
  warnings: BkVertexWarning[];
}

/** Thrown for bytes that are not a well-formed protobuf message. */
export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

const utf8 = new TextDecoder('utf-8');

/** protobufjs' Long when the `long` package is present (it is in tests, not in the bundle), else a number. */
type Int64 = number | { toNumber(): number };
const num = (v: Int64 | null | undefined): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());

interface PbTimestamp {
  seconds: Int64;
  nanos: number;
}
/** What protobufjs decodes, field names as in control.proto; absent messages are null. */
interface PbStatusResponse {
  vertexes: Array<{ digest: string; inputs: string[]; name: string; cached: boolean; started: PbTimestamp | null; completed: PbTimestamp | null; error: string }>;
  statuses: Array<{ ID: string; vertex: string; name: string; current: Int64; total: Int64; timestamp: PbTimestamp | null; started: PbTimestamp | null; completed: PbTimestamp | null }>;
  logs: Array<{ vertex: string; timestamp: PbTimestamp | null; stream: Int64; msg: Uint8Array }>;
  warnings: Array<{ vertex: string; level: Int64; short: Uint8Array; detail: Uint8Array[]; url: string }>;
}

/** The generated decoder, required on the first trace: it reads protobufjs/minimal (a lazy vendor bundle) as it loads. */
let generated: { moby: { buildkit: { v1: { StatusResponse: { decode(bytes: Uint8Array): unknown } } } } } | undefined;

/** A protobuf Timestamp as ms since the epoch; undefined when the field is absent. */
function millis(t: PbTimestamp | null | undefined): Millis | undefined {
  return t ? num(t.seconds) * 1000 + Math.floor(t.nanos / 1e6) : undefined;
}

/** Copies the timestamps that are present (absent ones stay absent keys). */
function times<K extends string>(src: Partial<Record<K, PbTimestamp | null>>, keys: K[]): Partial<Record<K, Millis>> {
  const out: Partial<Record<K, Millis>> = {};
  for (const k of keys) {
    const ms = millis(src[k]);
    if (ms !== undefined) out[k] = ms;
  }
  return out;
}

/**
 * Decodes a protobuf `moby.buildkit.v1.StatusResponse` with protobufjs' static code generated
 * out of BuildKit's control.proto (src/core/build/buildkit-proto, scripts/lib/buildkitProto.mjs).
 * Unknown fields are skipped.
 * @throws ProtobufError for malformed bytes
 */
export function decodeStatusResponse(bytes: Uint8Array): StatusResponse {
  // Not imported at the top: the bundle evaluates it on this first require, so activation never loads protobufjs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  generated ??= require('./buildkitStatusProto') as NonNullable<typeof generated>;
  let m: PbStatusResponse;
  try {
    m = generated.moby.buildkit.v1.StatusResponse.decode(bytes) as PbStatusResponse;
  } catch (err) {
    throw new ProtobufError((err as Error).message);
  }
  return {
    vertexes: m.vertexes.map((v) => ({
      digest: v.digest, inputs: v.inputs, name: v.name, cached: v.cached, ...times(v, ['started', 'completed']), ...(v.error !== '' ? { error: v.error } : {}),
    })),
    statuses: m.statuses.map((s) => ({
      id: s.ID, vertex: s.vertex, name: s.name, current: num(s.current), total: num(s.total), ...times(s, ['timestamp', 'started', 'completed']),
    })),
    logs: m.logs.map((l) => ({ vertex: l.vertex, stream: num(l.stream), msg: l.msg, ...times(l, ['timestamp']) })),
    warnings: m.warnings.map((w) => ({ vertex: w.vertex, level: num(w.level), short: utf8.decode(w.short), detail: w.detail.map((d) => utf8.decode(d)), url: w.url })),
  };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes the `aux` of a `moby.buildkit.trace` message (base64 of a StatusResponse).
 * @throws ProtobufError when the text is not base64 or not a StatusResponse
 */
export function decodeTraceAux(aux: string): StatusResponse {
  if (!BASE64.test(aux)) throw new ProtobufError('trace aux is not base64');
  return decodeStatusResponse(Buffer.from(aux, 'base64'));
}

/** `[2/6] RUN ...`, `[builder 3/5] COPY ...`, `[stage-1 2/2] COPY --from=...`. */
const STEP_NAME = /^\[(?:(\S+) )?(\d+)\/(\d+)\] (.*)$/s;

/**
 * Splits a BuildKit vertex name into its step position and instruction, when it has the
 * Dockerfile frontend's `[n/m]` prefix (names like `[internal] load .dockerignore` have none).
 */
export function parseVertexName(name: string): { stage?: string; index: number; total: number; instruction: string } | undefined {
  const m = STEP_NAME.exec(name);
  if (!m) return undefined;
  return { ...(m[1] !== undefined ? { stage: m[1] } : {}), index: Number(m[2]), total: Number(m[3]), instruction: m[4].trim() };
}

interface VertexState {
  /** 1-based order of first appearance, the `#N` the CLI prints. */
  n: number;
  name: string;
  announced: boolean;
  cached: boolean;
  done: boolean;
  errored: boolean;
  started?: Millis;
  /** An incomplete last log line, per stream. */
  partial: Map<number, string>;
  /** Status ids already reported as done. */
  statusesDone: Set<string>;
}

/** A failing step: the vertex that reported an error. */
export interface FailedVertex {
  name: string;
  /** `[n/m]` position, when the vertex is a Dockerfile step. */
  index?: number;
  total?: number;
  /** The Dockerfile instruction (name without its `[n/m]` prefix). */
  instruction: string;
  error: string;
}

/**
 * Accumulates a BuildKit build's stream (every raw JSON message, traces and others) into
 * {@link BuildEvent}s. Same outcome fields as BuildTranscript (`lastStep`, `error`, `imageId`),
 * plus `failedVertex`, the step whose vertex failed, which is the one to point at (BuildKit
 * runs independent steps in parallel, so the last started step need not be the failing one).
 */
export class BuildkitTranscript extends BuildTranscript {
  failedVertex?: FailedVertex;
  /** Trace messages seen (0 means the engine did not build with BuildKit at all). */
  traces = 0;
  private readonly vertices = new Map<string, VertexState>();

  /** Interprets one raw stream message, records its events and returns them. */
  override accept(msg: unknown): BuildEvent[] {
    const events: BuildEvent[] = [];
    if (typeof msg === 'object' && msg !== null && (msg as { id?: unknown }).id === 'moby.buildkit.trace') {
      const aux = (msg as { aux?: unknown }).aux;
      if (typeof aux === 'string') {
        let status: StatusResponse | undefined;
        try {
          status = decodeTraceAux(aux);
        } catch {
          status = undefined; // a malformed trace must not break the build; it only loses progress detail
        }
        if (status) {
          this.traces++;
          events.push(...this.acceptStatus(status));
        }
      }
    } else {
      for (const e of interpretBuildMessage(msg)) {
        // The engine's final error repeats the failing vertex's error: report it once.
        if (e.kind === 'error' && this.error !== undefined && sameError(e.message, this.error)) {
          this.error = e.message;
          continue;
        }
        events.push(e);
      }
    }
    for (const e of events) this.add(e);
    return events;
  }

  /** Turns one decoded StatusResponse into events (not yet recorded). */
  private acceptStatus(status: StatusResponse): BuildEvent[] {
    const events: BuildEvent[] = [];
    const log = (text: string): void => {
      events.push({ kind: 'log', text });
    };
    for (const v of status.vertexes) {
      const st = this.vertex(v.digest, v.name);
      if (v.name !== '') st.name = v.name;
      if (v.started !== undefined) st.started = v.started;
      const begins = !st.announced && (v.started !== undefined || v.cached || v.completed !== undefined || v.error !== undefined);
      if (begins) {
        st.announced = true;
        const step = parseVertexName(st.name);
        if (step) events.push({ kind: 'step', index: step.index, total: step.total, instruction: step.instruction });
        log(`#${st.n} ${st.name}\n`);
      }
      if (v.cached && !st.cached) {
        st.cached = true;
        log(`#${st.n} CACHED\n`);
      }
      if (v.error !== undefined && v.error !== '' && !st.errored) {
        st.errored = true;
        flushPartial(st, log);
        // No "#N ERROR:" log line: the 'error' event below carries it (the UI prints it as "ERROR: ...").
        const step = parseVertexName(st.name);
        if (!v.error.startsWith('context canceled') || this.failedVertex === undefined) {
          this.failedVertex = {
            name: st.name,
            ...(step ? { index: step.index, total: step.total } : {}),
            instruction: step ? step.instruction : st.name,
            error: v.error,
          };
        }
        events.push({ kind: 'error', message: v.error });
      } else if (v.completed !== undefined && !st.done && !st.errored) {
        st.done = true;
        flushPartial(st, log);
        if (!st.cached) {
          const secs = st.started !== undefined ? Math.max(0, v.completed - st.started) / 1000 : 0;
          log(`#${st.n} DONE ${secs.toFixed(1)}s\n`);
        }
      }
    }
    for (const s of status.statuses) {
      const st = this.vertex(s.vertex, '');
      if (s.completed === undefined || st.statusesDone.has(s.id)) continue;
      st.statusesDone.add(s.id);
      const amount = s.current > 0 ? ` ${formatAmount(s.current, s.id)}` : '';
      log(`#${st.n} ${s.name || s.id}${amount} done\n`);
    }
    for (const l of status.logs) {
      const st = this.vertex(l.vertex, '');
      const prev = st.partial.get(l.stream) ?? '';
      const text = prev + utf8.decode(l.msg);
      const lines = text.split(/\r?\n/);
      const rest = lines.pop() ?? '';
      if (rest === '') st.partial.delete(l.stream);
      else st.partial.set(l.stream, rest);
      if (lines.length > 0) log(lines.map((line) => `#${st.n} ${line}\n`).join(''));
    }
    for (const w of status.warnings) {
      const st = this.vertex(w.vertex, '');
      log(`#${st.n} WARNING: ${w.short}\n`);
    }
    return events;
  }

  private vertex(digest: string, name: string): VertexState {
    let st = this.vertices.get(digest);
    if (!st) {
      st = { n: this.vertices.size + 1, name, announced: false, cached: false, done: false, errored: false, partial: new Map(), statusesDone: new Set() };
      this.vertices.set(digest, st);
    }
    return st;
  }

  /** All log text so far, concatenated. */
  get logText(): string {
    return this.events.map((e) => (e.kind === 'log' ? e.text : '')).join('');
  }
}

function flushPartial(st: VertexState, log: (text: string) => void): void {
  for (const [, rest] of st.partial) log(`#${st.n} ${rest}\n`);
  st.partial.clear();
}

/** "transferring context: 97.2kB": byte counts for transfers, plain numbers otherwise. */
function formatAmount(n: number, id: string): string {
  if (!/transferring|sending|extracting|exporting|writing|copying/i.test(id)) return String(n);
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? String(v) : v.toFixed(v < 10 ? 2 : 1)}${units[u]}`;
}

function sameError(a: string, b: string): boolean {
  const norm = (s: string): string => s.trim();
  return norm(a) === norm(b) || norm(a).endsWith(norm(b));
}
