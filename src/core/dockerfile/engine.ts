/**
 * What a rule sees and how it reports: the model plus helpers that turn document offsets
 * into findings and text edits.
 */
import type { Instruction, Model, Stage } from './model';
import type { Word } from './shell';
import type { FileChange, Finding, LintOptions, Severity, TextEdit } from './types';

export interface Rule {
  id: string;
  title: string;
  defaultSeverity: Severity;
  check(ctx: RuleContext): void;
}

export interface FixSpec {
  title: string;
  edits: TextEdit[];
  safe: boolean;
  files?: FileChange[];
}

export class RuleContext {
  readonly findings: Finding[] = [];
  private rule = '';
  private severity: Severity = 'warning';

  constructor(
    readonly model: Model,
    readonly options: LintOptions,
  ) {}

  /** Called by the engine before each rule runs. */
  begin(rule: Rule): void {
    this.rule = rule.id;
    this.severity = rule.defaultSeverity;
  }

  get eol(): string {
    return this.model.index.eol;
  }

  /** The last stage (the "final stage" of the catalogue), or null when there is no FROM. */
  get finalStage(): Stage | null {
    const s = this.model.stages;
    return s.length ? s[s.length - 1] : null;
  }

  /** Reports a finding on an instruction's whole range. */
  report(inst: Instruction, message: string, fixes: FixSpec[] = [], severity?: Severity): void {
    this.findings.push({
      rule: this.rule,
      severity: severity ?? this.severity,
      message,
      range: this.model.index.range(inst.start, inst.end),
      fixes: fixes.filter((f) => f.edits.length > 0 || (f.files?.length ?? 0) > 0),
    });
  }

  edit(start: number, end: number, newText: string, snippet?: string): TextEdit {
    const e: TextEdit = { range: this.model.index.range(start, end), newText };
    if (snippet !== undefined) e.snippet = snippet;
    return e;
  }

  insert(offset: number, newText: string, snippet?: string): TextEdit {
    return this.edit(offset, offset, newText, snippet);
  }

  /** Inserts whole lines before the line an instruction starts on. */
  insertLinesBefore(inst: Instruction, lines: string[], snippetLines?: string[]): TextEdit {
    const at = this.model.index.lineStarts[inst.startLine] ?? inst.start;
    const eol = this.eol;
    return this.insert(at, lines.map((l) => l + eol).join(''), snippetLines?.map((l) => l + eol).join(''));
  }

  /** Inserts whole lines after an instruction (after its last line, here-documents included). */
  insertLinesAfter(inst: Instruction, lines: string[]): TextEdit {
    const idx = this.model.index;
    const lastLine = idx.positionAt(inst.end).line;
    const eol = this.eol;
    if (lastLine + 1 < idx.lineCount) return this.insert(idx.lineStarts[lastLine + 1], lines.map((l) => l + eol).join(''));
    return this.insert(idx.text.length, lines.map((l) => eol + l).join('') + (idx.text.endsWith('\n') ? '' : ''));
  }

  /** Deletes an instruction's lines (and the comment lines directly above it when asked). */
  deleteLines(inst: Instruction, withCommentsAbove = false): TextEdit {
    const idx = this.model.index;
    let first = inst.startLine;
    if (withCommentsAbove) while (first > 0 && /^\s*#/.test(this.model.lines[first - 1]) && !isDirectiveLine(this.model, first - 1)) first--;
    const lastLine = idx.positionAt(inst.end).line;
    return this.edit(idx.lineStarts[first], idx.nextLineStart(lastLine), '');
  }

  /** Text of the document between two offsets. */
  text(start: number, end: number): string {
    return this.model.text.slice(start, end);
  }

  /** Adds a token after a word: ` token` in shell form, `, "token"` in exec form. */
  insertAfterWord(w: Word, token: string, snippet?: string): TextEdit {
    if (w.json) return this.insert(w.end, `, ${JSON.stringify(token)}`, snippet === undefined ? undefined : `, "${snippet}"`);
    return this.insert(w.end, ` ${token}`, snippet === undefined ? undefined : ` ${snippet}`);
  }
}

function isDirectiveLine(model: Model, line: number): boolean {
  for (let l = 0; l <= line; l++) if (!/^\s*#\s*[a-zA-Z]+\s*=/.test(model.lines[l])) return false;
  return true;
}
