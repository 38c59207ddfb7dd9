/**
 * A small expander for VS Code snippet bodies, so tests can check what a snippet inserts
 * with its defaults: `${1:default}` (nested too), `${1|a,b|}` (first choice), `$1`, `${1}`,
 * `$0`, variables (`$TM_FILENAME`, `${NAME:default}` -> the default or ''), and the escapes
 * `\$`, `\}`, `\\`. Never throws; unbalanced syntax is kept as text.
 */
export interface Expansion {
  text: string;
  /** Placeholders in order of appearance: index, and offsets of their default text. */
  placeholders: Array<{ index: number; start: number; end: number }>;
}

export function expandSnippet(body: string | readonly string[]): Expansion {
  const src = typeof body === 'string' ? body : body.join('\n');
  const placeholders: Expansion['placeholders'] = [];
  let out = '';
  let i = 0;

  // Parses until `stop` (a '}' closing the current placeholder) or the end.
  const parse = (inside: boolean): void => {
    while (i < src.length) {
      const c = src[i];
      if (c === '\\' && i + 1 < src.length && '$}\\,|'.includes(src[i + 1])) {
        out += src[i + 1];
        i += 2;
        continue;
      }
      if (inside && c === '}') return;
      if (c === '$') {
        const m = /^\$(\d+)/.exec(src.slice(i, i + 12));
        if (m) {
          placeholders.push({ index: Number(m[1]), start: out.length, end: out.length });
          i += m[0].length;
          continue;
        }
        const v = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(src.slice(i, i + 64));
        if (v) {
          i += v[0].length; // variables expand to '' here
          continue;
        }
        if (src[i + 1] === '{') {
          const h = /^\$\{(\d+|[A-Za-z_][A-Za-z0-9_]*)(:|\||\})/.exec(src.slice(i, i + 64));
          if (h) {
            const isIndex = /^\d+$/.test(h[1]);
            i += h[0].length;
            const start = out.length;
            if (h[2] === '}') {
              if (isIndex) placeholders.push({ index: Number(h[1]), start, end: start });
              continue;
            }
            if (h[2] === '|') {
              // Choices: a,b,c|}
              const close = src.indexOf('|}', i);
              const list = close < 0 ? src.slice(i) : src.slice(i, close);
              const first = list.split(/(?<!\\),/)[0].replace(/\\(.)/g, '$1');
              out += first;
              i = close < 0 ? src.length : close + 2;
              if (isIndex) placeholders.push({ index: Number(h[1]), start, end: out.length });
              continue;
            }
            parse(true);
            if (src[i] === '}') i++;
            if (isIndex) placeholders.push({ index: Number(h[1]), start, end: out.length });
            continue;
          }
        }
      }
      out += c;
      i++;
    }
  };
  parse(false);
  return { text: out, placeholders };
}

/** The placeholder VS Code selects first: the lowest index above 0 (else $0). */
export function firstPlaceholder(exp: Expansion): { index: number; start: number; end: number } | null {
  const nonZero = exp.placeholders.filter((p) => p.index > 0).sort((a, b) => a.index - b.index || a.start - b.start);
  return nonZero[0] ?? exp.placeholders.find((p) => p.index === 0) ?? null;
}
