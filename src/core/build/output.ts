/**
 * Interprets the JSON messages of the Engine API `POST /build` stream.
 * Source: https://docs.docker.com/engine/api/v1.41/#tag/Image/operation/ImageBuild and the
 * classic builder's output (moby builder/dockerfile): `{"stream":"Step 3/9 : RUN ...\n"}`,
 * `{"error":"...","errorDetail":{"message":"..."}}`, `{"aux":{"ID":"sha256:..."}}`.
 * BuildKit (`version: '2'`) sends `{"id":"moby.buildkit.trace","aux":"<base64 protobuf>"}`,
 * ignored for now, and its image id as `{"id":"moby.image.id","aux":{"ID":"sha256:..."}}`.
 */

export type BuildEvent =
  | { kind: 'log'; text: string }
  | { kind: 'step'; index: number; total: number; instruction: string }
  | { kind: 'error'; message: string }
  | { kind: 'imageId'; id: string };

const STEP = /^Step (\d+)\/(\d+) : (.*)$/s;

/**
 * Turns one decoded stream message into events, in order. A `stream` text always gives a `log`
 * event (verbatim, newline included); a "Step N/M : INSTRUCTION" text gives a `step` event
 * first. `status` messages (pulls) give a log line, except byte-progress updates. Unknown
 * or malformed messages give [].
 */
export function interpretBuildMessage(msg: unknown): BuildEvent[] {
  if (typeof msg !== 'object' || msg === null) return [];
  const m = msg as Record<string, unknown>;
  const events: BuildEvent[] = [];
  if (typeof m.stream === 'string' && m.stream !== '') {
    const step = STEP.exec(m.stream.replace(/\s+$/, ''));
    if (step) {
      events.push({ kind: 'step', index: Number(step[1]), total: Number(step[2]), instruction: step[3].trim() });
    }
    events.push({ kind: 'log', text: m.stream });
  }
  if (typeof m.status === 'string' && m.status !== '') {
    const detail = m.progressDetail as Record<string, unknown> | undefined;
    const isByteProgress = typeof detail === 'object' && detail !== null && typeof detail.current === 'number';
    if (!isByteProgress) {
      const id = typeof m.id === 'string' && m.id !== '' ? `${m.id}: ` : '';
      events.push({ kind: 'log', text: `${id}${m.status}\n` });
    }
  }
  const detail = m.errorDetail as Record<string, unknown> | undefined;
  const errorText =
    typeof m.error === 'string' && m.error !== ''
      ? m.error
      : typeof detail === 'object' && detail !== null && typeof detail.message === 'string'
        ? detail.message
        : undefined;
  if (errorText !== undefined) events.push({ kind: 'error', message: errorText.trim() });
  if (m.id !== 'moby.buildkit.trace' && typeof m.aux === 'object' && m.aux !== null) {
    const id = (m.aux as Record<string, unknown>).ID;
    if (typeof id === 'string' && id !== '') events.push({ kind: 'imageId', id });
  }
  return events;
}

interface LogicalInstruction {
  /** 0-based line where the instruction starts. */
  line: number;
  /** Instruction text with continuations joined. */
  text: string;
}

/**
 * Finds the 0-based line where the instruction named by a failing build step starts, e.g.
 * `findFailingInstructionLine(text, 'RUN pip install -r requirements.txt')`.
 * Matching ignores whitespace and the keyword's case, and joins continuation lines (`\`, or
 * the character set by a `# escape=` directive); comment lines are skipped like Docker does.
 *
 * @param stepIndex the classic builder's 1-based "Step N"; it counts every instruction,
 *   ARGs before the first FROM included (checked against the 20.10 engine: "Step 1/11 : ARG ...").
 *   When given and that instruction matches, its line wins over an earlier identical
 *   instruction (e.g. `COPY . .` in two stages).
 * @returns the line, or undefined when no instruction matches.
 */
export function findFailingInstructionLine(dockerfileText: string, instruction: string, stepIndex?: number): number | undefined {
  const wanted = normalizeInstruction(instruction);
  if (wanted === '') return undefined;
  const all = logicalInstructions(dockerfileText);
  if (stepIndex !== undefined) {
    const candidate = all[stepIndex - 1];
    if (candidate && normalizeInstruction(candidate.text) === wanted) return candidate.line;
  }
  return all.find((i) => normalizeInstruction(i.text) === wanted)?.line;
}

function normalizeInstruction(text: string): string {
  const trimmed = text.trim();
  const keyword = /^\S+/.exec(trimmed)?.[0] ?? '';
  return keyword.toUpperCase() + trimmed.slice(keyword.length).replace(/\s+/g, '');
}

function logicalInstructions(text: string): LogicalInstruction[] {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  // Parser directives come first, before any other line (docs: "Parser directives").
  for (const line of lines) {
    const directive = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(line);
    if (!directive) break;
    if (directive[1].toLowerCase() === 'escape' && (directive[2] === '`' || directive[2] === '\\')) escape = directive[2];
  }
  const out: LogicalInstruction[] = [];
  let current: LogicalInstruction | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const trimmed = raw.trim();
    if (current === undefined) {
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      current = { line: i, text: '' };
    } else if (trimmed === '' || trimmed.startsWith('#')) {
      continue; // empty and comment lines inside a continuation are dropped
    }
    const continues = trimmed.endsWith(escape);
    current.text += continues ? trimmed.slice(0, -1) : trimmed;
    if (!continues) {
      out.push(current);
      current = undefined;
    } else {
      current.text += ' ';
    }
  }
  if (current) out.push(current);
  return out;
}

/** Accumulates build events; the build command feeds it and reads the outcome. */
export class BuildTranscript {
  readonly events: BuildEvent[] = [];
  /** The last "Step N/M" seen, i.e. the running or failing step. */
  lastStep?: { index: number; total: number; instruction: string };
  /** The build's error message, when it failed. */
  error?: string;
  /** The built image id (`sha256:...`), when the build succeeded. */
  imageId?: string;

  /** Interprets one raw stream message, records its events and returns them. */
  accept(msg: unknown): BuildEvent[] {
    const events = interpretBuildMessage(msg);
    for (const e of events) this.add(e);
    return events;
  }

  add(event: BuildEvent): void {
    this.events.push(event);
    switch (event.kind) {
      case 'step':
        this.lastStep = { index: event.index, total: event.total, instruction: event.instruction };
        break;
      case 'error':
        this.error = event.message;
        break;
      case 'imageId':
        this.imageId = event.id;
        break;
      case 'log':
        break;
    }
  }

  /** All log text so far, concatenated. */
  get logText(): string {
    return this.events.map((e) => (e.kind === 'log' ? e.text : '')).join('');
  }
}
