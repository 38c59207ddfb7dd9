import { LineIndex } from './text';
import { FILE_DIRECTIVE, LINE_DIRECTIVE, parseIds } from './suppress';
import type { FileChange, Finding, TextEdit } from './types';

interface OffsetEdit {
  start: number;
  end: number;
  text: string;
  order: number;
}

function toOffsets(index: LineIndex, edits: readonly TextEdit[]): OffsetEdit[] {
  return edits.map((e, order) => {
    const a = index.offsetAt(e.range.start);
    const b = index.offsetAt(e.range.end);
    return { start: Math.min(a, b), end: Math.max(a, b), text: e.newText, order };
  });
}

/** True when two edits cannot both apply: their ranges overlap, or both insert at one point. */
function conflicts(a: OffsetEdit, b: OffsetEdit): boolean {
  if (a.start === a.end && b.start === b.end) return a.start === b.start;
  if (a.start === a.end) return a.start > b.start && a.start < b.end;
  if (b.start === b.end) return b.start > a.start && b.start < a.end;
  return a.start < b.end && b.start < a.end;
}

/**
 * Applies text edits given against the same original text, as a WorkspaceEdit would.
 * Inserts at one point keep their given order. Positions past a line's end clamp to it.
 * @throws RangeError when two edits overlap (ranges intersect, or an insert falls strictly
 *   inside a replaced range).
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  if (edits.length === 0) return text;
  const index = new LineIndex(text);
  const list = toOffsets(index, edits).sort((x, y) => x.start - y.start || x.end - y.end || x.order - y.order);
  for (let i = 1; i < list.length; i++) {
    const p = list[i - 1];
    const c = list[i];
    if (c.start < p.end) {
      throw new RangeError(`overlapping edits at offsets ${p.start}-${p.end} and ${c.start}-${c.end}`);
    }
  }
  let out = '';
  let at = 0;
  for (const e of list) {
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}

/**
 * Every safe fix of the findings that can apply together, as one edit set ("Fix all").
 * Fixes are taken in finding order; a fix whose edits conflict with one already taken is
 * left for the next round (re-lint and call again). Fixes that change other files are skipped.
 */
export function safeFixEdits(text: string, findings: readonly Finding[]): TextEdit[] {
  const index = new LineIndex(text);
  const taken: OffsetEdit[] = [];
  const out: TextEdit[] = [];
  for (const f of findings) {
    const fix = f.fixes.find((x) => x.safe && x.edits.length > 0 && !(x.files && x.files.length));
    if (!fix) continue;
    const mine = toOffsets(index, fix.edits);
    let ok = true;
    for (let i = 0; ok && i < mine.length; i++) {
      for (let j = i + 1; ok && j < mine.length; j++) if (mine[i].start < mine[j].end && mine[j].start < mine[i].end) ok = false;
      for (const t of taken) if (conflicts(mine[i], t)) { ok = false; break; }
    }
    if (!ok) continue;
    taken.push(...mine);
    out.push(...fix.edits);
  }
  return out;
}

/**
 * The edit behind "Ignore this rule here" (scope 'line': a `# mllab-ignore MLxxx` comment
 * directly above the finding's first line, or the id added to one already there) and
 * "Ignore this rule in this file" (scope 'file': a `# mllab-ignore-file MLxxx` comment after
 * any parser directives such as `# escape=`, which must stay first, or the id added to an
 * existing one).
 */
export function suppressionEdit(text: string, finding: Finding, scope: 'line' | 'file'): TextEdit {
  const index = new LineIndex(text);
  const eol = index.eol;
  const id = finding.rule;
  if (scope === 'file') {
    for (let l = 0; l < index.lineCount; l++) {
      const lt = index.lineText(l);
      const m = FILE_DIRECTIVE.exec(lt);
      if (m) return appendId(index, l, lt, id);
    }
    // Parser directives (`# escape=`, `# syntax=`, `# check=`) only count at the very top.
    let l = 0;
    while (l < index.lineCount && /^\s*#\s*[a-zA-Z]+\s*=/.test(index.lineText(l)) && !/mllab/i.test(index.lineText(l))) l++;
    const pos = { line: l, character: 0 };
    if (l >= index.lineCount || (l === index.lineCount - 1 && index.lineText(l) === '' && l > 0)) {
      // Append at the end of a text that has only directives.
      const end = index.positionAt(text.length);
      const prefix = text.length === 0 || text.endsWith('\n') ? '' : eol;
      return { range: { start: end, end }, newText: `${prefix}# mllab-ignore-file ${id}${eol}` };
    }
    return { range: { start: pos, end: pos }, newText: `# mllab-ignore-file ${id}${eol}` };
  }
  const line = Math.min(Math.max(0, finding.range.start.line), Math.max(0, index.lineCount - 1));
  if (line > 0) {
    const above = index.lineText(line - 1);
    const m = LINE_DIRECTIVE.exec(above);
    if (m) return appendId(index, line - 1, above, id);
  }
  const indent = /^[ \t]*/.exec(index.lineText(line))?.[0] ?? '';
  const pos = { line, character: 0 };
  return { range: { start: pos, end: pos }, newText: `${indent}# mllab-ignore ${id}${eol}` };
}

function appendId(_index: LineIndex, line: number, lineText: string, id: string): TextEdit {
  const trimmed = lineText.replace(/\s+$/, '');
  const end = { line, character: trimmed.length };
  if (parseIds(lineText).includes(id)) return { range: { start: end, end }, newText: '' };
  const sep = /ML\d{3}\s*$/i.test(trimmed) ? ', ' : ' ';
  return { range: { start: end, end }, newText: `${sep}${id}` };
}

/** Result of a FileChange on a file's current text (`undefined`: the file does not exist yet). */
export function applyFileChange(current: string | undefined, change: FileChange): string {
  const text = current ?? '';
  const have = new Set(text.split(/\r?\n/).map((l) => l.trim()));
  const add = change.appendLines.filter((l) => !have.has(l.trim()));
  if (add.length === 0) return text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const sep = text === '' || text.endsWith('\n') ? '' : eol;
  return text + sep + add.join(eol) + eol;
}
