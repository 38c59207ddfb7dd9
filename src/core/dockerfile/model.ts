/**
 * The Dockerfile model the rules read: instructions with their logical text (line
 * continuations joined, comment lines inside them dropped, as BuildKit does), flags, JSON or
 * shell form, here-documents, build stages and variable resolution. Built on dockerfile-ast
 * for instruction boundaries, keywords, here-document ranges and the `# escape=` directive;
 * arguments are re-read here so every word keeps its document offset for fixes.
 */
import { DockerfileParser } from 'dockerfile-ast';
import { LineIndex } from './text';
import {
  type Invocation,
  type Script,
  type SourceText,
  type Word,
  invocations,
  sourceFromString,
  tokenize,
  basename,
} from './shell';

export interface Flag {
  name: string;
  value: string | null;
  start: number;
  end: number;
}

export interface Property {
  name: string;
  value: string | null;
  start: number;
  end: number;
  nameEnd: number;
  valueStart: number | null;
  valueEnd: number | null;
}

export interface Heredoc {
  name: string;
  body: SourceText | null;
  /** Document offset of the start of the delimiter line that closes the body. */
  delimiterStart: number | null;
}

export interface Instruction {
  index: number;
  /** Upper-case keyword (`RUN`). */
  keyword: string;
  /** Keyword as written (`run`). */
  keywordRaw: string;
  start: number;
  end: number;
  startLine: number;
  endLine: number;
  keywordStart: number;
  keywordEnd: number;
  /** Logical text after the keyword: continuations joined, comment lines dropped. */
  line: SourceText;
  flags: Flag[];
  /** Arguments after the flags (document-mapped). */
  args: SourceText;
  /** Exec-form words when the arguments are a valid JSON array of strings. */
  json: Word[] | null;
  heredocs: Heredoc[];
  /** ENV/ARG key-value pairs. */
  props: Property[];
  stage: Stage | null;
  /** Document offset just after the instruction's logical line (before its line break). */
  lineEnd: number;
  cache: { words?: Word[]; scripts?: Script[]; invocations?: Invocation[] };
}

export interface ImageRef {
  /** Image text as written in FROM (`${BASE}`, `python:3.12-slim`). */
  raw: string;
  /** After resolving ARG defaults; null when a variable has no default. */
  resolved: string | null;
  /** Where the image text is in the document. */
  start: number;
  end: number;
  /** When the whole image is one ARG variable: that ARG's value in the document. */
  argValue: { start: number; end: number } | null;
}

export interface Stage {
  index: number;
  from: Instruction;
  name: string | null;
  image: ImageRef | null;
  /** Instructions after FROM up to the next FROM. */
  instructions: Instruction[];
  /** The earlier stage this one is built FROM, if any. */
  parent: Stage | null;
}

export interface Model {
  text: string;
  index: LineIndex;
  lines: string[];
  escape: string;
  instructions: Instruction[];
  stages: Stage[];
  /** ARG defaults declared before the first FROM. */
  globalArgs: Map<string, string | null>;
}

function logicalLine(index: LineIndex, escape: string, from: number, startLine: number, maxLine: number): { src: SourceText; endLine: number; lineEnd: number } {
  let text = '';
  const offsets: number[] = [];
  let line = startLine;
  let pos = from;
  let lineEnd = index.lineEnd(line);
  for (;;) {
    lineEnd = index.lineEnd(line);
    const chunk = index.text.slice(pos, lineEnd);
    const trimmed = chunk.replace(/[ \t]+$/, '');
    const continues = trimmed.endsWith(escape) && line < maxLine && line + 1 < index.lineCount;
    const keep = continues ? trimmed.slice(0, -1) : chunk;
    for (let k = 0; k < keep.length; k++) {
      text += keep[k];
      offsets.push(pos + k);
    }
    if (!continues) break;
    line++;
    // Comment lines and empty lines inside a continuation are dropped.
    while (line <= maxLine && line < index.lineCount) {
      const lt = index.lineText(line);
      if (/^\s*#/.test(lt) || lt.trim() === '') {
        if (line === maxLine) break;
        line++;
        continue;
      }
      break;
    }
    pos = index.lineStarts[line] ?? index.text.length;
    if (line >= index.lineCount) break;
  }
  return { src: { text, offsets, end: offsets.length ? offsets[offsets.length - 1] + 1 : from }, endLine: line, lineEnd };
}

export function slice(src: SourceText, from: number, to = src.text.length): SourceText {
  const f = Math.max(0, Math.min(from, src.text.length));
  const t = Math.max(f, Math.min(to, src.text.length));
  return {
    text: src.text.slice(f, t),
    offsets: src.offsets.slice(f, t),
    end: t < src.text.length ? src.offsets[t] : src.end,
  };
}

/** Reads `--name=value` flags at the start of an instruction's arguments. */
function readFlags(src: SourceText): { flags: Flag[]; rest: number } {
  const flags: Flag[] = [];
  const t = src.text;
  let i = 0;
  for (let guard = 0; guard < 64; guard++) {
    while (i < t.length && /\s/.test(t[i])) i++;
    if (!t.startsWith('--', i) || t.startsWith('--', i) && /\s/.test(t[i + 2] ?? ' ')) break;
    const s = i;
    let quote = '';
    while (i < t.length && (quote || !/\s/.test(t[i]))) {
      if (quote) { if (t[i] === quote) quote = ''; }
      else if (t[i] === '"' || t[i] === "'") quote = t[i];
      i++;
    }
    const body = t.slice(s + 2, i);
    const eq = body.indexOf('=');
    flags.push({
      name: (eq >= 0 ? body.slice(0, eq) : body).toLowerCase(),
      // Quotes around the whole value go; quotes inside it (--mount=type=cache,target="/x") stay for the flag's own parser.
      value: eq >= 0 ? body.slice(eq + 1).replace(/^(["'])(.*)\1$/s, '$2') : null,
      start: src.offsets[s],
      end: i > 0 ? src.offsets[i - 1] + 1 : src.end,
    });
  }
  while (i < t.length && /\s/.test(t[i])) i++;
  return { flags, rest: i };
}

/** Parses a JSON array of strings (exec form); null when the text is not one. */
export function parseJsonArray(src: SourceText): Word[] | null {
  const t = src.text;
  let i = 0;
  const ws = (): void => { while (i < t.length && /\s/.test(t[i])) i++; };
  ws();
  if (t[i] !== '[') return null;
  i++;
  const words: Word[] = [];
  ws();
  if (t[i] === ']') {
    i++;
    ws();
    return i === t.length ? words : null;
  }
  for (let guard = 0; guard < 100000; guard++) {
    ws();
    if (t[i] !== '"') return null;
    const start = src.offsets[i];
    i++;
    let value = '';
    const valueOffsets: number[] = [];
    let closed = false;
    while (i < t.length) {
      const c = t[i];
      if (c === '"') { closed = true; break; }
      if (c.charCodeAt(0) < 0x20) return null;
      if (c === '\\') {
        const e = t[i + 1];
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in map) { value += map[e]; valueOffsets.push(src.offsets[i]); i += 2; continue; }
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(t.slice(i + 2, i + 6))) {
          value += String.fromCharCode(parseInt(t.slice(i + 2, i + 6), 16));
          valueOffsets.push(src.offsets[i]);
          i += 6;
          continue;
        }
        return null;
      }
      value += c;
      valueOffsets.push(src.offsets[i]);
      i++;
    }
    if (!closed) return null;
    const end = src.offsets[i] + 1;
    i++;
    words.push({ value, start, end, valueOffsets, quoted: true, expansion: /\$/.test(value), json: true });
    ws();
    if (t[i] === ',') { i++; continue; }
    if (t[i] === ']') {
      i++;
      ws();
      return i === t.length ? words : null;
    }
    return null;
  }
  return null;
}

const JSON_KEYWORDS = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'COPY', 'ADD', 'VOLUME', 'SHELL']);

interface AstProperty {
  getName(): string;
  getValue(): string | null;
  getRange(): { start: { line: number; character: number }; end: { line: number; character: number } };
  getNameRange(): { start: { line: number; character: number }; end: { line: number; character: number } };
  getValueRange(): { start: { line: number; character: number }; end: { line: number; character: number } } | null;
}
interface AstHeredoc {
  getName(): string;
  getContentRange(): { start: { line: number; character: number }; end: { line: number; character: number } } | null;
  getDelimiterRange(): { start: { line: number; character: number }; end: { line: number; character: number } } | null;
}

/**
 * Builds the model. Never throws for any input text: dockerfile-ast accepts anything, and
 * every step here is bounded by the text's length.
 */
export function buildModel(text: string): Model {
  const index = new LineIndex(text);
  const ast = DockerfileParser.parse(text);
  const escape = ast.getEscapeCharacter() === '`' ? '`' : '\\';
  const lines: string[] = [];
  for (let l = 0; l < index.lineCount; l++) lines.push(index.lineText(l));
  const instructions: Instruction[] = [];
  const stages: Stage[] = [];
  const globalArgs = new Map<string, string | null>();
  let stage: Stage | null = null;

  for (const ai of ast.getInstructions()) {
    const r = ai.getRange();
    const kr = ai.getInstructionRange();
    const keywordRaw = ai.getInstruction();
    const keyword = keywordRaw.toUpperCase();
    const start = index.offsetAt(r.start);
    const end = index.offsetAt(r.end);
    const keywordStart = index.offsetAt(kr.start);
    const keywordEnd = index.offsetAt(kr.end);
    const ll = logicalLine(index, escape, keywordEnd, kr.end.line, Math.max(r.end.line, kr.end.line));
    const { flags, rest } = readFlags(ll.src);
    const args = slice(ll.src, rest);
    const json = JSON_KEYWORDS.has(keyword) ? parseJsonArray(args) : null;
    const heredocs: Heredoc[] = [];
    if ((keyword === 'RUN' || keyword === 'COPY' || keyword === 'ADD') && text.slice(start, end).includes('<<')) {
      const getHeredocs = (ai as unknown as { getHeredocs?: () => AstHeredoc[] }).getHeredocs;
      const hds = typeof getHeredocs === 'function' ? getHeredocs.call(ai) : [];
      for (const h of hds) {
        const cr = h.getContentRange();
        const dr = h.getDelimiterRange();
        let body: SourceText | null = null;
        if (cr) {
          const s = index.offsetAt(cr.start);
          const e = index.offsetAt(cr.end);
          body = sourceFromString(text.slice(s, e), s);
        }
        heredocs.push({ name: h.getName(), body, delimiterStart: dr ? index.lineStarts[dr.start.line] ?? null : null });
      }
    }
    const props: Property[] = [];
    if (keyword === 'ENV' || keyword === 'ARG') {
      const getProperties = (ai as unknown as { getProperties?: () => AstProperty[] }).getProperties;
      const ps = typeof getProperties === 'function' ? getProperties.call(ai) : [];
      for (const p of ps) {
        const vr = p.getValueRange();
        props.push({
          name: p.getName(),
          value: p.getValue(),
          start: index.offsetAt(p.getRange().start),
          end: index.offsetAt(p.getRange().end),
          nameEnd: index.offsetAt(p.getNameRange().end),
          valueStart: vr ? index.offsetAt(vr.start) : null,
          valueEnd: vr ? index.offsetAt(vr.end) : null,
        });
      }
    }
    const inst: Instruction = {
      index: instructions.length,
      keyword,
      keywordRaw,
      start,
      end: Math.max(end, keywordEnd),
      startLine: r.start.line,
      endLine: Math.max(r.end.line, kr.end.line),
      keywordStart,
      keywordEnd,
      line: ll.src,
      flags,
      args,
      json,
      heredocs,
      props,
      stage: null,
      lineEnd: ll.lineEnd,
      cache: {},
    };
    instructions.push(inst);
    if (keyword === 'FROM') {
      stage = { index: stages.length, from: inst, name: null, image: null, instructions: [], parent: null };
      inst.stage = stage;
      stages.push(stage);
      const words = argWords(inst);
      if (words.length) {
        const w = words[0];
        const raw = w.value;
        const resolved = substitute(raw, (n) => globalArgs.get(n));
        let argValue: ImageRef['argValue'] = null;
        const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(raw);
        if (m) {
          const argInst = [...instructions].reverse().find((x) => x.keyword === 'ARG' && x.stage === null && x.props.some((p) => p.name === m[1]));
          const p = argInst?.props.find((q) => q.name === m[1]);
          if (p && p.valueStart !== null && p.valueEnd !== null) {
            // Skip the quotes around a quoted default.
            const v = text.slice(p.valueStart, p.valueEnd);
            const q = /^(["']).*\1$/.test(v) ? 1 : 0;
            argValue = { start: p.valueStart + q, end: p.valueEnd - q };
          }
        }
        stage.image = { raw, resolved, start: w.start, end: w.end, argValue };
        if (words.length >= 3 && /^as$/i.test(words[1].value)) stage.name = words[2].value;
        const base = (resolved ?? raw).toLowerCase();
        stage.parent = stages.slice(0, -1).reverse().find((s) => s.name !== null && s.name.toLowerCase() === base) ?? null;
      }
      continue;
    }
    if (!stage) {
      // A global ARG's default may use earlier global ARGs (ARG BASE_IMAGE=$REGISTRY/$OWNER/scipy-notebook).
      if (keyword === 'ARG') for (const p of props) globalArgs.set(p.name, p.value === null ? globalArgs.get(p.name) ?? null : substitute(p.value, (n) => globalArgs.get(n)) ?? p.value);
      continue;
    }
    inst.stage = stage;
    stage.instructions.push(inst);
  }
  return { text, index, lines, escape, instructions, stages, globalArgs };
}

/** Shell-like words of an instruction's arguments (exec-form JSON strings when it has them). */
export function argWords(inst: Instruction): Word[] {
  if (inst.cache.words) return inst.cache.words;
  let words: Word[];
  if (inst.json) words = inst.json;
  else {
    const script = tokenize(inst.args);
    words = [];
    for (const c of script.commands) words.push(...c.words);
  }
  inst.cache.words = words;
  return words;
}

const SHELLS = /^(sh|bash|dash|ash|zsh)$/;

/** Shell scripts a RUN (or shell-form CMD/ENTRYPOINT) executes, here-document bodies included. */
export function scripts(inst: Instruction): Script[] {
  if (inst.cache.scripts) return inst.cache.scripts;
  const out: Script[] = [];
  if (inst.json) {
    out.push({ commands: [{ words: inst.json, redirects: [], sep: '' }], lastWordEnd: null, endsWithOperator: false });
  } else {
    const first = tokenize(inst.args);
    out.push(first);
    if (inst.heredocs.length) {
      const inv = invocations(first);
      const onlyShell = inv.length === 0 || inv.every((v) => v.words.length === 0 || (SHELLS.test(basename(v.words[0].value)) && v.words.slice(1).every((x) => x.value.startsWith('-'))));
      if (onlyShell) {
        for (const h of inst.heredocs) {
          if (!h.body) continue;
          const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(h.body.text);
          if (shebang) {
            const prog = basename(shebang[1]) === 'env' ? shebang[2] ?? '' : basename(shebang[1]);
            if (!SHELLS.test(prog)) continue;
          }
          out.push(tokenize(h.body));
        }
      }
    }
  }
  inst.cache.scripts = out;
  return out;
}

/** Every simple command a RUN executes, unwrapped (see shell.ts `invocations`). */
export function runInvocations(inst: Instruction): Invocation[] {
  if (inst.cache.invocations) return inst.cache.invocations;
  const out: Invocation[] = [];
  for (const s of scripts(inst)) out.push(...invocations(s));
  inst.cache.invocations = out;
  return out;
}

/**
 * Replaces `$X`, `${X}`, `${X:-default}`, `${X-default}`, `${X:+alt}` with values from
 * `lookup`. Returns null when a variable without a default is unknown (undefined) or has
 * no value (null).
 */
export function substitute(s: string, lookup: (name: string) => string | null | undefined): string | null {
  if (!s.includes('$')) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\' && s[i + 1] === '$') { out += '$'; i += 2; continue; }
    if (c !== '$') { out += c; i++; continue; }
    if (s[i + 1] === '{') {
      const close = s.indexOf('}', i + 2);
      if (close < 0) return null;
      const body = s.slice(i + 2, close);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])(.*))?$/s.exec(body);
      if (!m) return null;
      const v = lookup(m[1]);
      const set = v !== undefined && v !== null;
      const nonEmpty = set && v !== '';
      if (m[2] === ':-' || m[2] === '-') {
        const useValue = m[2] === ':-' ? nonEmpty : set;
        if (useValue) out += v;
        else {
          const d = substitute(m[3], lookup);
          if (d === null) return null;
          out += d;
        }
      } else if (m[2] === ':+' || m[2] === '+') {
        const useAlt = m[2] === ':+' ? nonEmpty : set;
        if (useAlt) {
          const d = substitute(m[3], lookup);
          if (d === null) return null;
          out += d;
        }
      } else {
        if (!set) return null;
        out += v;
      }
      i = close + 1;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i + 1, i + 200));
    if (!m) { out += c; i++; continue; }
    const v = lookup(m[0]);
    if (v === undefined || v === null) return null;
    out += v;
    i += 1 + m[0].length;
  }
  return out;
}

/** Stages from `stage` up through the stages it is built FROM (nearest first). */
export function stageChain(stage: Stage): Stage[] {
  const out: Stage[] = [];
  const seen = new Set<Stage>();
  for (let s: Stage | null = stage; s && !seen.has(s); s = s.parent) {
    seen.add(s);
    out.push(s);
  }
  return out;
}

/** The image at the root of a stage's chain (the external base image), resolved; null if unknown. */
export function rootImage(stage: Stage): string | null {
  const chain = stageChain(stage);
  const root = chain[chain.length - 1];
  return root.image?.resolved ?? null;
}

/**
 * Variables visible at an instruction of a stage: ENV of this and parent stages, and ARGs
 * declared in this stage (a bare `ARG X` takes the global default). Later wins.
 */
export function variablesAt(model: Model, stage: Stage, beforeIndex: number): Map<string, string | null> {
  const vars = new Map<string, string | null>();
  const chain = stageChain(stage).reverse();
  for (const s of chain) {
    for (const inst of s.instructions) {
      if (s === stage && inst.index >= beforeIndex) break;
      if (inst.keyword === 'ENV') {
        for (const p of inst.props) vars.set(p.name, p.value === null ? null : substitute(p.value, (n) => vars.get(n)));
      } else if (inst.keyword === 'ARG' && s === stage) {
        for (const p of inst.props) {
          if (p.value !== null) vars.set(p.name, substitute(p.value, (n) => vars.get(n)));
          else if (!vars.has(p.name)) vars.set(p.name, model.globalArgs.get(p.name) ?? null);
        }
      }
    }
  }
  return vars;
}

/** The absolute working directory before an instruction, or null when unknown. `/` by default. */
export function workdirAt(model: Model, stage: Stage, beforeIndex: number): { dir: string | null; explicit: boolean } {
  let dir: string | null = '/';
  let explicit = false;
  const chain = stageChain(stage).reverse();
  for (const s of chain) {
    for (const inst of s.instructions) {
      if (s === stage && inst.index >= beforeIndex) break;
      if (inst.keyword !== 'WORKDIR') continue;
      const words = argWords(inst);
      if (!words.length) continue;
      const v = substitute(words[0].value, (n) => variablesAt(model, s, inst.index).get(n));
      explicit = true;
      if (v === null) { dir = null; continue; }
      if (v.startsWith('/')) dir = normalizePath(v);
      else dir = dir === null ? null : normalizePath(`${dir}/${v}`);
    }
  }
  return { dir, explicit };
}

export function normalizePath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return '/' + parts.join('/');
}

/** The last CMD and ENTRYPOINT that apply to a stage (inherited from parent stages). */
export function effectiveCommand(stage: Stage): { cmd: Instruction | null; entrypoint: Instruction | null } {
  let cmd: Instruction | null = null;
  let entrypoint: Instruction | null = null;
  for (const s of stageChain(stage).reverse()) {
    for (const inst of s.instructions) {
      if (inst.keyword === 'CMD') cmd = inst;
      else if (inst.keyword === 'ENTRYPOINT') {
        entrypoint = inst;
        cmd = null; // ENTRYPOINT resets an inherited CMD
      }
    }
  }
  return { cmd, entrypoint };
}

/** Words of the container's command: ENTRYPOINT then CMD, each as invocations. */
export function commandInvocations(stage: Stage): { inst: Instruction; inv: Invocation }[] {
  const { cmd, entrypoint } = effectiveCommand(stage);
  const out: { inst: Instruction; inv: Invocation }[] = [];
  if (entrypoint && entrypoint.json && cmd && cmd.json) {
    // Exec-form ENTRYPOINT + CMD: one command line.
    const words = [...entrypoint.json, ...cmd.json];
    const fake = { words, redirects: [], sep: '' };
    for (const inv of invocations({ commands: [fake], lastWordEnd: null, endsWithOperator: false })) {
      // Report on the instruction that holds the program name.
      out.push({ inst: entrypoint.json.length ? entrypoint : cmd, inv });
    }
    return out;
  }
  const src = entrypoint ?? cmd;
  if (src) for (const s of scripts(src)) for (const inv of invocations(s)) out.push({ inst: src, inv });
  if (entrypoint && cmd && cmd.json && !entrypoint.json) return out;
  if (entrypoint && cmd && out.length === 0) for (const s of scripts(cmd)) for (const inv of invocations(s)) out.push({ inst: cmd, inv });
  return out;
}
