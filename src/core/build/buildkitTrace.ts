/**
 * BuildKit builds through the Engine API (`POST /build?version=2`): the stream carries
 * `{"id":"moby.buildkit.trace","aux":"<base64>"}` messages, each a protobuf `StatusResponse`
 * of github.com/moby/buildkit api/services/control/control.proto (moby builder/builder-next
 * builder.go marshals every status update and emits it with that id), then
 * `{"id":"moby.image.id","aux":{"ID":"sha256:..."}}` and, on failure, the usual
 * `{"error":"...","errorDetail":{...}}`.
 *
 * This module decodes those messages (a minimal protobuf reader, no dependencies) and turns
 * them into our {@link BuildEvent}s, printing roughly what `docker build --progress=plain`
 * prints (`#3 [2/6] COPY requirements.txt ./`, `#3 CACHED`, `#5 0.412 output line`, `#5 DONE 0.4s`).
 *
 * Field numbers (control.proto, checked against moby's vendored copy):
 *   StatusResponse: vertexes=1, statuses=2, logs=3, warnings=4
 *   Vertex: digest=1, inputs=2, name=3, cached=4, started=5, completed=6, error=7, progressGroup=8
 *   VertexStatus: ID=1, vertex=2, name=3, current=4, total=5, timestamp=6, started=7, completed=8
 *   VertexLog: vertex=1, timestamp=2, stream=3, msg=4
 *   VertexWarning: vertex=1, level=2, short=3, detail=4, url=5
 *   google.protobuf.Timestamp: seconds=1, nanos=2
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

/** A cursor over protobuf wire-format bytes. */
class Reader {
  pos: number;
  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** An unsigned varint as a JS number (exact up to 2^53; larger values lose precision, never throw). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError('truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new ProtobufError('varint longer than 10 bytes');
  }

  /** A signed int64 varint (two's complement over 64 bits) as a JS number. */
  int64(): number {
    const v = this.varint();
    return v >= 2 ** 63 ? v - 2 ** 64 : v;
  }

  /** The bytes of a length-delimited field. */
  bytes(): Uint8Array {
    const len = this.varint();
    if (this.pos + len > this.end) throw new ProtobufError('length-delimited field runs past the end');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  /** A Reader over an embedded message. */
  sub(): Reader {
    const b = this.bytes();
    return new Reader(b);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.advance(8);
        return;
      case 2:
        this.bytes();
        return;
      case 5:
        this.advance(4);
        return;
      default:
        throw new ProtobufError(`unsupported wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw new ProtobufError('fixed-size field runs past the end');
    this.pos += n;
  }

  /** Iterates fields: calls `onField(fieldNumber, wireType)`, which must consume the value or return false to skip it. */
  fields(onField: (field: number, wireType: number) => boolean): void {
    while (!this.done) {
      const key = this.varint();
      const field = Math.floor(key / 8);
      const wireType = key % 8;
      if (field === 0) throw new ProtobufError('field number 0');
      const startPos = this.pos;
      const consumed = onField(field, wireType);
      if (!consumed) {
        this.pos = startPos;
        this.skip(wireType);
      }
    }
  }
}

function readTimestamp(r: Reader): Millis {
  let seconds = 0;
  let nanos = 0;
  r.fields((f, w) => {
    if (f === 1 && w === 0) seconds = r.int64();
    else if (f === 2 && w === 0) nanos = r.int64();
    else return false;
    return true;
  });
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

function readVertex(r: Reader): BkVertex {
  const v: BkVertex = { digest: '', inputs: [], name: '', cached: false };
  r.fields((f, w) => {
    if (f === 1 && w === 2) v.digest = r.string();
    else if (f === 2 && w === 2) v.inputs.push(r.string());
    else if (f === 3 && w === 2) v.name = r.string();
    else if (f === 4 && w === 0) v.cached = r.varint() !== 0;
    else if (f === 5 && w === 2) v.started = readTimestamp(r.sub());
    else if (f === 6 && w === 2) v.completed = readTimestamp(r.sub());
    else if (f === 7 && w === 2) v.error = r.string();
    else return false;
    return true;
  });
  return v;
}

function readVertexStatus(r: Reader): BkVertexStatus {
  const s: BkVertexStatus = { id: '', vertex: '', name: '', current: 0, total: 0 };
  r.fields((f, w) => {
    if (f === 1 && w === 2) s.id = r.string();
    else if (f === 2 && w === 2) s.vertex = r.string();
    else if (f === 3 && w === 2) s.name = r.string();
    else if (f === 4 && w === 0) s.current = r.int64();
    else if (f === 5 && w === 0) s.total = r.int64();
    else if (f === 6 && w === 2) s.timestamp = readTimestamp(r.sub());
    else if (f === 7 && w === 2) s.started = readTimestamp(r.sub());
    else if (f === 8 && w === 2) s.completed = readTimestamp(r.sub());
    else return false;
    return true;
  });
  return s;
}

function readVertexLog(r: Reader): BkVertexLog {
  const l: BkVertexLog = { vertex: '', stream: 0, msg: new Uint8Array(0) };
  r.fields((f, w) => {
    if (f === 1 && w === 2) l.vertex = r.string();
    else if (f === 2 && w === 2) l.timestamp = readTimestamp(r.sub());
    else if (f === 3 && w === 0) l.stream = r.int64();
    else if (f === 4 && w === 2) l.msg = r.bytes();
    else return false;
    return true;
  });
  return l;
}

function readVertexWarning(r: Reader): BkVertexWarning {
  const wn: BkVertexWarning = { vertex: '', level: 0, short: '', detail: [], url: '' };
  r.fields((f, w) => {
    if (f === 1 && w === 2) wn.vertex = r.string();
    else if (f === 2 && w === 0) wn.level = r.int64();
    else if (f === 3 && w === 2) wn.short = r.string();
    else if (f === 4 && w === 2) wn.detail.push(r.string());
    else if (f === 5 && w === 2) wn.url = r.string();
    else return false;
    return true;
  });
  return wn;
}

/**
 * Decodes a protobuf `moby.buildkit.v1.StatusResponse`. Unknown fields are skipped.
 * @throws ProtobufError for malformed bytes
 */
export function decodeStatusResponse(bytes: Uint8Array): StatusResponse {
  const out: StatusResponse = { vertexes: [], statuses: [], logs: [], warnings: [] };
  const r = new Reader(bytes);
  r.fields((f, w) => {
    if (w !== 2) return false;
    if (f === 1) out.vertexes.push(readVertex(r.sub()));
    else if (f === 2) out.statuses.push(readVertexStatus(r.sub()));
    else if (f === 3) out.logs.push(readVertexLog(r.sub()));
    else if (f === 4) out.warnings.push(readVertexWarning(r.sub()));
    else return false;
    return true;
  });
  return out;
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
