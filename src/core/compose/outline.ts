/**
 * Structure of a compose file for the editor, as document offsets: the outline (top-level
 * sections and their entries), where each service is defined, the `depends_on` entries that
 * name services, and the Dockerfiles that `build:` points at. Plain data; never throws (a
 * broken file yields what could be read).
 */
import * as path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';

/** `[start, end)` document offsets (UTF-16 code units). */
export interface Span {
  start: number;
  end: number;
}

export interface ComposeSymbol {
  name: string;
  /** top-level key (`services`), or an entry under one (`service`, `volume`...), or `key` for any other top-level entry */
  kind: 'section' | 'service' | 'volume' | 'network' | 'config' | 'secret' | 'key';
  /** the whole entry, key to end of value */
  range: Span;
  /** the key */
  selection: Span;
  children: ComposeSymbol[];
}

export interface ComposeReferences {
  /** service name -> its key in `services:` */
  services: Map<string, Span>;
  /** each `depends_on` entry (list item or map key) with the service it names */
  dependsOn: Array<{ service: string; from: string; span: Span }>;
  /**
   * Dockerfiles named by `build.dockerfile` (the span is that value) or implied by a `build:`
   * context without one (the span is the context value): `path` is relative to the compose
   * file's folder, with `/` separators.
   */
  dockerfiles: Array<{ path: string; span: Span }>;
}

const ENTRY_KIND: Record<string, ComposeSymbol['kind']> = { services: 'service', volumes: 'volume', networks: 'network', configs: 'config', secrets: 'secret' };

function span(node: { range?: [number, number, number] | null } | null | undefined): Span | undefined {
  const r = node?.range;
  return r ? { start: r[0], end: r[1] } : undefined;
}

function keyName(p: Pair): string {
  return String(isScalar(p.key) ? p.key.value : p.key);
}

function pairSpan(p: Pair): { range: Span; selection: Span } | undefined {
  const k = span(p.key as Node | null);
  if (!k) return undefined;
  const v = p.value as Node | null;
  const end = v?.range ? v.range[1] : k.end;
  return { range: { start: k.start, end: Math.max(end, k.end) }, selection: k };
}

function root(text: string) {
  try {
    const doc = parseDocument(text, { keepSourceTokens: false });
    return isMap(doc.contents) ? doc.contents : undefined;
  } catch {
    return undefined;
  }
}

/** The outline: each top-level key, with the entries of services/volumes/networks/configs/secrets under it. */
export function composeOutline(text: string): ComposeSymbol[] {
  const r = root(text);
  if (!r) return [];
  const out: ComposeSymbol[] = [];
  for (const p of r.items) {
    const s = pairSpan(p);
    if (!s) continue;
    const name = keyName(p);
    const kind = ENTRY_KIND[name];
    const children: ComposeSymbol[] = [];
    if (kind && isMap(p.value)) {
      for (const c of p.value.items) {
        const cs = pairSpan(c);
        if (cs) children.push({ name: keyName(c), kind, ...cs, children: [] });
      }
    }
    out.push({ name, kind: kind ? 'section' : 'key', ...s, children });
  }
  return out;
}

/** Services, their `depends_on` entries and the Dockerfiles their `build:` uses. */
export function composeReferences(text: string): ComposeReferences {
  const refs: ComposeReferences = { services: new Map(), dependsOn: [], dockerfiles: [] };
  const services = root(text)?.get('services', true);
  if (!isMap(services)) return refs;
  for (const p of services.items) {
    const name = keyName(p);
    const k = span(p.key as Node | null);
    if (k) refs.services.set(name, k);
    if (!isMap(p.value)) continue;
    const deps = p.value.get('depends_on', true);
    const entries = isSeq(deps) ? deps.items : isMap(deps) ? deps.items.map((d) => d.key) : [];
    for (const e of entries) {
      const s = span(e as Node | null);
      if (isScalar(e) && typeof e.value === 'string' && s) refs.dependsOn.push({ service: e.value, from: name, span: s });
    }
    const build = p.value.get('build', true);
    if (isScalar(build) && typeof build.value === 'string') {
      const s = span(build);
      if (s && !/^[a-z]+:\/\//i.test(build.value)) refs.dockerfiles.push({ path: path.posix.join(build.value, 'Dockerfile'), span: s });
    } else if (isMap(build)) {
      const ctx = build.get('context');
      const context = typeof ctx === 'string' ? ctx : '.';
      if (/^[a-z]+:\/\//i.test(context)) continue; // a Git or HTTP build context: no local Dockerfile
      const df = build.get('dockerfile', true);
      const s = span(df as Node | null);
      if (isScalar(df) && typeof df.value === 'string' && s) refs.dockerfiles.push({ path: path.posix.join(context, df.value), span: s });
      else {
        const cs = span(build.get('context', true) as Node | null);
        if (cs) refs.dockerfiles.push({ path: path.posix.join(context, 'Dockerfile'), span: cs });
      }
    }
  }
  return refs;
}

/** The service names a `depends_on` completion offers inside service `from`: every other service. */
export function dependsOnCandidates(refs: ComposeReferences, from: string | undefined): string[] {
  return [...refs.services.keys()].filter((s) => s !== from);
}

/** The service whose definition contains `offset`, from the references' service keys (the last key before it). */
export function serviceAt(text: string, offset: number): string | undefined {
  const services = root(text)?.get('services', true);
  if (!isMap(services)) return undefined;
  for (const p of services.items) {
    const k = span(p.key as Node | null);
    const v = p.value as Node | null;
    const end = v?.range ? v.range[2] : k?.end;
    if (k && end !== undefined && offset >= k.start && offset <= end) return keyName(p);
  }
  return undefined;
}

const indentOf = (l: string): number => /^\s*/.exec(l)![0].length;

/**
 * Whether the cursor is on a `depends_on` entry: a `- name` item under `depends_on:`, or inside
 * `depends_on: [a, b]` on one line. Returns the column where the typed name starts, what is
 * typed, and the service the entry belongs to (the key above `depends_on:`), else undefined.
 */
export function dependsOnSpot(lines: readonly string[], line: number, character: number): { start: number; typed: string; from: string | undefined } | undefined {
  const before = (lines[line] ?? '').slice(0, character);
  const inline = /^(\s*depends_on:\s*\[(?:[^\]]*,)?\s*)([\w.-]*)$/.exec(before);
  let dependsLine = -1;
  let start = -1;
  let typed = '';
  if (inline) {
    dependsLine = line;
    start = inline[1].length;
    typed = inline[2];
  } else {
    const item = /^(\s*-\s*)([\w.-]*)$/.exec(before);
    if (!item) return undefined;
    const ind = indentOf(before);
    for (let l = line - 1; l >= 0; l--) {
      const t = lines[l];
      if (!t.trim() || t.trim().startsWith('#')) continue;
      if (/^\s*-\s/.test(t) && indentOf(t) === ind) continue;
      if (indentOf(t) <= ind && /^\s*depends_on:\s*$/.test(t)) dependsLine = l;
      break;
    }
    if (dependsLine < 0) return undefined;
    start = item[1].length;
    typed = item[2];
  }
  let from: string | undefined;
  const di = indentOf(lines[dependsLine]);
  for (let l = dependsLine - 1; l >= 0; l--) {
    const t = lines[l];
    if (!t.trim() || t.trim().startsWith('#') || indentOf(t) >= di) continue;
    from = /^\s*([^\s:#][^:#]*?):\s*$/.exec(t)?.[1];
    break;
  }
  return { start, typed, from };
}
