/** Edits several rules share: appending a command to a RUN. */
import type { RuleContext } from '../engine';
import { type Instruction, scripts } from '../model';
import { shellQuote, sourceFromWord, tokenize, basename } from '../shell';
import type { TextEdit } from '../types';

/**
 * Edit that runs `command` at the end of a RUN: ` && command` after the last word in shell
 * form, a new line before the here-document's delimiter, inside `sh -c "..."`, or the
 * exec form rewritten as shell form. Null when there is no safe place (the script ends with
 * an operator).
 */
export function appendCommand(ctx: RuleContext, inst: Instruction, command: string): TextEdit | null {
  if (inst.json) {
    const w = inst.json;
    if (w.length >= 3 && /^(sh|bash)$/.test(basename(w[0].value)) && /^-[a-z]*c$/.test(w[1].value)) {
      const inner = tokenize(sourceFromWord(w[2]));
      if (inner.lastWordEnd === null || inner.endsWithOperator) return null;
      return ctx.insert(inner.lastWordEnd, JSON.stringify(` && ${command}`).slice(1, -1));
    }
    if (!w.length) return null;
    return ctx.edit(inst.args.offsets[0], inst.args.end, `${w.map((x) => shellQuote(x.value)).join(' ')} && ${command}`);
  }
  const all = scripts(inst);
  if (inst.heredocs.length && all.length > 1) {
    const h = [...inst.heredocs].reverse().find((x) => x.body && x.delimiterStart !== null);
    if (!h || h.delimiterStart === null) return null;
    return ctx.insert(h.delimiterStart, `${command}${ctx.eol}`);
  }
  const s = all[0];
  if (!s || s.lastWordEnd === null || s.endsWithOperator) return null;
  return ctx.insert(s.lastWordEnd, ` && ${command}`);
}
