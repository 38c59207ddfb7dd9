import type { Position, Range } from './types';

/** Converts between absolute offsets and 0-based line/character positions of one text. */
export class LineIndex {
  readonly lineStarts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) starts.push(i + 1);
    }
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** Offset of a position; characters past the end of a line clamp to the line end. */
  offsetAt(pos: Position): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.lineStarts.length) return this.text.length;
    const start = this.lineStarts[pos.line];
    const end = this.lineEnd(pos.line);
    return Math.min(Math.max(start + Math.max(0, pos.character), start), end);
  }

  positionAt(offset: number): Position {
    const o = Math.min(Math.max(0, offset), this.text.length);
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.lineStarts[lo] };
  }

  range(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  /** Offset just before the line break (`\n` or `\r\n`) of a line. */
  lineEnd(line: number): number {
    if (line >= this.lineStarts.length - 1) {
      const e = this.text.length;
      return line === this.lineStarts.length - 1 ? e : e;
    }
    let e = this.lineStarts[line + 1] - 1;
    if (e > this.lineStarts[line] && this.text.charCodeAt(e - 1) === 13) e--;
    return e;
  }

  lineText(line: number): string {
    if (line < 0 || line >= this.lineStarts.length) return '';
    return this.text.slice(this.lineStarts[line], this.lineEnd(line));
  }

  /** Offset of the start of the line after `line` (or the text's end). */
  nextLineStart(line: number): number {
    return line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] : this.text.length;
  }

  /** The text's line break style, so inserted lines match it. */
  get eol(): string {
    return this.text.includes('\r\n') ? '\r\n' : '\n';
  }
}
