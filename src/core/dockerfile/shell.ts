/**
 * A small, linear-time POSIX shell tokenizer: enough to find simple commands (`pip install x`)
 * and their words in `RUN`/`CMD` text, with each word's place in the document so fixes can
 * edit it. Not a full shell parser: compound commands are flattened into their simple
 * commands, and anything it does not understand becomes plain words. Never throws.
 */

/** Text to tokenize, with the document offset of each of its characters. */
export interface SourceText {
  text: string;
  /** offsets[i] = document offset of text[i]. */
  offsets: number[];
  /** Document offset just after the last character. */
  end: number;
}

export interface Word {
  /** The word after quote removal; expansions (`$X`, `$(..)`) are kept verbatim. */
  value: string;
  /** Document offsets of the word's first character and just after its last (quotes included). */
  start: number;
  end: number;
  /** Document offset of each character of `value`. */
  valueOffsets: number[];
  quoted: boolean;
  /** The word contains a parameter expansion, command substitution or backquote. */
  expansion: boolean;
  /** The word is an element of a JSON (exec form) array; `start`/`end` include its quotes. */
  json?: boolean;
}

export interface SimpleCommand {
  words: Word[];
  /** Redirection operators seen (`>`, `2>&1`, `<<EOF`...). */
  redirects: string[];
  /** Operator after the command: '&&', '||', ';', '|', '&', '\n', '(' , ')' or '' at the end. */
  sep: string;
}

export interface Script {
  commands: SimpleCommand[];
  /** Document offset just after the last word of the script (before any trailing comment). */
  lastWordEnd: number | null;
  /** The last token of the script is an operator (`;`, `&`, `&&`...), not a word. */
  endsWithOperator: boolean;
}

export function sourceFromString(text: string, startOffset: number): SourceText {
  const offsets = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) offsets[i] = startOffset + i;
  return { text, offsets, end: startOffset + text.length };
}

export function sourceFromWord(w: Word): SourceText {
  const end = w.valueOffsets.length ? w.valueOffsets[w.valueOffsets.length - 1] + 1 : w.end;
  return { text: w.value, offsets: w.valueOffsets, end };
}

const OP_CHARS = new Set([';', '&', '|', '(', ')']);

/** Splits shell text into simple commands. */
export function tokenize(src: SourceText): Script {
  const t = src.text;
  const n = t.length;
  const commands: SimpleCommand[] = [];
  let words: Word[] = [];
  let redirects: string[] = [];
  let cur: { value: string; start: number; valueOffsets: number[]; quoted: boolean; expansion: boolean; lastRaw: number } | null = null;
  let targetNext = false; // the next word is a redirection target
  let heredocNext = false; // the next word is a here-document delimiter
  const pendingHeredocs: Array<{ delim: string; strip: boolean }> = [];
  let lastWordEnd: number | null = null;
  let endsWithOperator = false;

  const off = (i: number): number => (i < n ? src.offsets[i] : src.end);

  const startWord = (i: number): void => {
    if (!cur) cur = { value: '', start: off(i), valueOffsets: [], quoted: false, expansion: false, lastRaw: i };
  };
  const add = (ch: string, i: number): void => {
    startWord(i);
    cur!.value += ch;
    cur!.valueOffsets.push(off(i));
    cur!.lastRaw = i;
  };
  const finishWord = (): void => {
    if (!cur) return;
    const w: Word = {
      value: cur.value,
      start: cur.start,
      end: off(cur.lastRaw) + 1,
      valueOffsets: cur.valueOffsets,
      quoted: cur.quoted,
      expansion: cur.expansion,
    };
    cur = null;
    lastWordEnd = w.end;
    endsWithOperator = false;
    if (heredocNext) {
      heredocNext = false;
      pendingHeredocs.push({ delim: w.value, strip: redirects[redirects.length - 1] === '<<-' });
      return;
    }
    if (targetNext) {
      targetNext = false;
      return;
    }
    words.push(w);
  };
  const finishCommand = (sep: string): void => {
    finishWord();
    if (words.length || redirects.length) commands.push({ words, redirects, sep });
    else if (commands.length && sep && sep !== '\n') commands[commands.length - 1].sep = sep;
    words = [];
    redirects = [];
    targetNext = false;
    heredocNext = false;
  };
  /** Consumes a balanced `(...)`/`{...}` whose opening character is at i; returns the index after it. */
  const balanced = (i: number, open: string, close: string): number => {
    let depth = 0;
    let j = i;
    for (; j < n; j++) {
      const c = t[j];
      if (c === '\\') { j++; continue; }
      if (c === "'" && open === '(') {
        const k = t.indexOf("'", j + 1);
        j = k < 0 ? n : k;
        continue;
      }
      if (c === open) depth++;
      else if (c === close) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return n;
  };
  const addRaw = (from: number, to: number): void => {
    for (let k = from; k < to && k < n; k++) add(t[k], k);
  };

  let i = 0;
  while (i < n) {
    const c = t[i];
    if (c === '\\') {
      if (t[i + 1] === '\n') { i += 2; continue; }
      if (t[i + 1] === '\r' && t[i + 2] === '\n') { i += 3; continue; }
      if (i + 1 < n) { add(t[i + 1], i + 1); cur!.quoted = true; i += 2; continue; }
      add(c, i); i++; continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') { finishWord(); i++; continue; }
    if (c === '\n') {
      finishCommand('\n');
      i++;
      // Skip here-document bodies that start on the next line.
      while (pendingHeredocs.length && i < n) {
        const h = pendingHeredocs.shift()!;
        const delim = h.delim;
        while (i < n) {
          let e = t.indexOf('\n', i);
          if (e < 0) e = n;
          let line = t.slice(i, e).replace(/\r$/, '');
          if (h.strip) line = line.replace(/^\t+/, '');
          i = e + 1;
          if (line === delim) break;
        }
      }
      continue;
    }
    if (c === '#' && !cur) {
      const e = t.indexOf('\n', i);
      i = e < 0 ? n : e;
      continue;
    }
    if (c === "'") {
      startWord(i);
      cur!.quoted = true;
      const e = t.indexOf("'", i + 1);
      const stop = e < 0 ? n : e;
      for (let k = i + 1; k < stop; k++) add(t[k], k);
      cur!.lastRaw = Math.min(stop, n - 1);
      i = stop + 1;
      continue;
    }
    if (c === '"') {
      startWord(i);
      cur!.quoted = true;
      let k = i + 1;
      for (; k < n && t[k] !== '"'; k++) {
        const d = t[k];
        if (d === '\\' && k + 1 < n) {
          const e2 = t[k + 1];
          if (e2 === '\n') { k++; continue; }
          if (e2 === '"' || e2 === '\\' || e2 === '$' || e2 === '`') { add(e2, k + 1); k++; continue; }
          add(d, k);
          continue;
        }
        if (d === '$' && (t[k + 1] === '(' || t[k + 1] === '{')) {
          const end = balanced(k + 1, t[k + 1], t[k + 1] === '(' ? ')' : '}');
          cur!.expansion = true;
          addRaw(k, end);
          k = end - 1;
          continue;
        }
        if (d === '$' && /[A-Za-z_0-9@*#?$!-]/.test(t[k + 1] ?? '')) cur!.expansion = true;
        if (d === '`') {
          const e3 = t.indexOf('`', k + 1);
          const end = e3 < 0 ? n : e3 + 1;
          cur!.expansion = true;
          addRaw(k, end);
          k = end - 1;
          continue;
        }
        add(d, k);
      }
      cur!.lastRaw = Math.min(k, n - 1);
      i = k + 1;
      continue;
    }
    if (c === '$') {
      const d = t[i + 1];
      if (d === '(' || d === '{') {
        const end = balanced(i + 1, d, d === '(' ? ')' : '}');
        startWord(i);
        cur!.expansion = true;
        addRaw(i, end);
        i = end;
        continue;
      }
      if (d === "'") {
        startWord(i);
        cur!.quoted = true;
        let k = i + 2;
        for (; k < n && t[k] !== "'"; k++) {
          if (t[k] === '\\' && k + 1 < n) { k++; add(t[k], k); continue; }
          add(t[k], k);
        }
        cur!.lastRaw = Math.min(k, n - 1);
        i = k + 1;
        continue;
      }
      if (d !== undefined && /[A-Za-z_0-9@*#?$!-]/.test(d)) {
        startWord(i);
        cur!.expansion = true;
        add('$', i);
        i++;
        if (/[A-Za-z_]/.test(t[i])) {
          while (i < n && /[A-Za-z_0-9]/.test(t[i])) { add(t[i], i); i++; }
        } else { add(t[i], i); i++; }
        continue;
      }
      add(c, i);
      i++;
      continue;
    }
    if (c === '`') {
      const e = t.indexOf('`', i + 1);
      const end = e < 0 ? n : e + 1;
      startWord(i);
      cur!.expansion = true;
      addRaw(i, end);
      i = end;
      continue;
    }
    if (c === '<' || c === '>') {
      // A word of digits right before is a file descriptor number (2>&1).
      const pending = cur as { value: string; quoted: boolean } | null;
      if (pending && /^\d+$/.test(pending.value) && !pending.quoted) cur = null;
      else finishWord();
      let op = c;
      let k = i + 1;
      while (k < n && k < i + 3 && (t[k] === '<' || t[k] === '>' || t[k] === '&' || t[k] === '|' || t[k] === '-')) {
        op += t[k];
        k++;
      }
      redirects.push(op);
      endsWithOperator = true;
      if (op.startsWith('<<') && !op.startsWith('<<<')) heredocNext = true;
      else if (/&$/.test(op) && /^\d|-/.test(t[k] ?? '')) {
        // 2>&1, >&- : the descriptor follows directly.
        while (k < n && /[\d-]/.test(t[k])) k++;
      } else targetNext = true;
      i = k;
      continue;
    }
    if (c === '&' && t[i + 1] === '>') {
      finishWord();
      const op = t[i + 2] === '>' ? '&>>' : '&>';
      redirects.push(op);
      targetNext = true;
      i += op.length;
      continue;
    }
    if (OP_CHARS.has(c)) {
      let op = c;
      if ((c === '&' || c === '|' || c === ';') && t[i + 1] === c) op = c + c;
      else if (c === '|' && t[i + 1] === '&') op = '|&';
      finishCommand(op);
      endsWithOperator = true;
      i += op.length;
      continue;
    }
    add(c, i);
    i++;
  }
  finishCommand('');
  return { commands, lastWordEnd, endsWithOperator };
}

/**
 * Environment runners that start a command (`<tool> run [options] <command>`), with their
 * options that take a value as the next word: uv (docs.astral.sh/uv/reference/cli/#uv-run),
 * conda/mamba/micromamba (`conda run --help`), poetry, pipenv and pixi (no value options used here).
 */
const RUNNERS: Record<string, ReadonlySet<string>> = {
  uv: new Set(['--with', '--with-editable', '--with-requirements', '--python', '-p', '--project', '--directory', '--package', '--extra', '--group', '--only-group', '--env-file', '--index', '--default-index', '--index-url', '--extra-index-url', '--find-links', '-f', '--cache-dir', '--config-file', '--script']),
  conda: new Set(['-n', '--name', '-p', '--prefix', '--cwd']),
  mamba: new Set(['-n', '--name', '-p', '--prefix', '--cwd']),
  micromamba: new Set(['-n', '--name', '-p', '--prefix', '--cwd', '-a', '--attach', '-r', '--root-prefix', '-e', '--env', '--label']),
  poetry: new Set(['-C', '--directory', '-P', '--project']),
  pipenv: new Set([]),
  pixi: new Set(['-e', '--environment', '--manifest-path']),
};

const RESERVED = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', 'time', 'exec', 'command', 'builtin', 'nohup', 'xargs']);
const ASSIGN = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** A simple command with its leading `VAR=value` words and wrappers (sudo, env, exec...) removed. */
export interface Invocation {
  /** Words from the program name on. */
  words: Word[];
  /** Leading assignments (`PIP_NO_CACHE_DIR=1 pip ...`, `env X=1 ...`). */
  assigns: Word[];
  /** The command these words came from. */
  command: SimpleCommand;
}

export function basename(p: string): string {
  const s = p.replace(/\\/g, '/');
  const k = s.lastIndexOf('/');
  return k >= 0 ? s.slice(k + 1) : s;
}

/**
 * Strips assignments, reserved words and wrappers (sudo, env, exec, nice, timeout, `uv run`,
 * `conda run -n env`, `micromamba run`, `poetry run`, micromamba's `_entrypoint.sh`...) and
 * follows `sh -c '...'`/`bash -c` into the script they run. Returns one invocation per
 * simple command found.
 */
export function invocations(script: Script, depth = 0): Invocation[] {
  const out: Invocation[] = [];
  for (const cmd of script.commands) out.push(...unwrap(cmd, depth));
  return out;
}

export function unwrap(cmd: SimpleCommand, depth = 0): Invocation[] {
  let k = 0;
  const w = cmd.words;
  const assigns: Word[] = [];
  for (let guard = 0; guard < 64 && k < w.length; guard++) {
    const v = w[k].value;
    if (ASSIGN.test(v) && !w[k].json) { assigns.push(w[k]); k++; continue; }
    if (RESERVED.has(v)) { k++; continue; }
    const b = basename(v);
    if (b === 'sudo' || b === 'doas') {
      k++;
      while (k < w.length && w[k].value.startsWith('-')) {
        const f = w[k].value;
        k++;
        if (/^-[ugCDhpRrTt]$/.test(f) && k < w.length) k++;
      }
      continue;
    }
    if (b === 'env') {
      k++;
      while (k < w.length && (w[k].value.startsWith('-') || ASSIGN.test(w[k].value))) {
        if (ASSIGN.test(w[k].value)) assigns.push(w[k]);
        const f = w[k].value;
        k++;
        if ((f === '-u' || f === '-C' || f === '-S') && k < w.length) k++;
      }
      continue;
    }
    if (b === 'nice' || b === 'ionice' || b === 'stdbuf' || b === 'tini' || b === 'dumb-init') {
      k++;
      while (k < w.length && w[k].value.startsWith('-')) {
        const f = w[k].value;
        k++;
        if ((f === '-n' || f === '-c') && k < w.length) k++;
        if (f === '--') break;
      }
      continue;
    }
    if (b === 'timeout') {
      k++;
      while (k < w.length && w[k].value.startsWith('-')) k++;
      if (k < w.length) k++; // duration
      continue;
    }
    if (b === 'gosu' || b === 'su-exec') { k += 2; continue; }
    // micromamba-docker's entrypoint activates the environment, then execs its arguments
    // (micromamba-docker.readthedocs.io, "Running commands in Dockerfile within the conda environment").
    if (b === '_entrypoint.sh') { k++; continue; }
    const runner = RUNNERS[b];
    if (runner && w[k + 1]?.value === 'run') {
      // `uv run --with x uvicorn ...`, `micromamba run -n base python -m uvicorn ...`: the command after the runner's options.
      k += 2;
      while (k < w.length && w[k].value.startsWith('-')) {
        const f = w[k].value;
        k++;
        if (f === '--') break;
        if (!f.includes('=') && runner.has(f) && k < w.length) k++;
      }
      continue;
    }
    break;
  }
  const words = w.slice(k);
  if (words.length >= 2 && depth < 4 && /^(sh|bash|dash|ash|zsh)$/.test(basename(words[0].value))) {
    // sh -c 'script' / bash -ec 'script'
    for (let j = 1; j < words.length; j++) {
      const f = words[j].value;
      if (!f.startsWith('-')) break;
      if (/^-[a-z]*c[a-z]*$/.test(f) && j + 1 < words.length) {
        const inner = tokenize(sourceFromWord(words[j + 1]));
        return invocations(inner, depth + 1);
      }
    }
  }
  if (words.length === 0 && assigns.length === 0) return [];
  return [{ words, assigns, command: cmd }];
}

/** Quotes a word for a POSIX shell only when it needs it. */
export function shellQuote(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
