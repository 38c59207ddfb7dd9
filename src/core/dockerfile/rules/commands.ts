/**
 * Container command rules: ML006 (exec form for CMD/ENTRYPOINT), ML011 (PYTHONUNBUFFERED),
 * ML026 (training at build time), ML027 (an output VOLUME for training runs).
 */
import { runsPython, trainingScript } from '../commands';
import type { FixSpec, Rule } from '../engine';
import { commandInvocations, type Instruction, runInvocations, scripts, stageChain, variablesAt, workdirAt } from '../model';
import { type Word, sourceFromString, tokenize } from '../shell';

function tokenizeArgs(text: string): string[] | null {
  const s = tokenize(sourceFromString(text, 0));
  if (s.commands.length !== 1 || s.commands[0].redirects.length) return null;
  const words = s.commands[0].words;
  if (!words.length || words.some((w) => w.expansion)) return null;
  return words.map((w) => w.value);
}
import type { TextEdit } from '../types';

/** JSON exec form of a shell-form command, or null when the shell is needed. */
export function toExecForm(text: string): string | null {
  const t = text.trim();
  if (!t || t.includes('\n')) return null;
  // ['python', 'app.py']: a JSON array written with single quotes.
  if (/^\[.*\]$/.test(t)) {
    const items: string[] = [];
    const re = /\s*(?:'([^']*)'|"([^"\\]*)")\s*(,|$)/y;
    const inner = t.slice(1, -1);
    re.lastIndex = 0;
    for (;;) {
      if (re.lastIndex >= inner.length) break;
      const m = re.exec(inner);
      if (!m) return null;
      items.push(m[1] ?? m[2]);
      if (m[3] === '') break;
    }
    return items.length ? `[${items.map((s) => JSON.stringify(s)).join(', ')}]` : null;
  }
  if (/[$`&|;<>*?[\]{}()~!#\\]/.test(t)) return null;
  const words = tokenizeArgs(t);
  if (!words) return null;
  return `[${words.map((s) => JSON.stringify(s)).join(', ')}]`;
}

const ML006: Rule = {
  id: 'ML006',
  title: 'Exec form for CMD and ENTRYPOINT',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const inst of ctx.model.instructions) {
      if ((inst.keyword !== 'CMD' && inst.keyword !== 'ENTRYPOINT') || inst.json || !inst.args.text.trim()) continue;
      const exec = toExecForm(inst.args.text);
      // `CMD exec uvicorn ...`: the shell replaces itself, so signals do reach the program.
      const msg = /^exec\s/.test(inst.args.text.trim())
        ? `${inst.keyword} in shell form starts /bin/sh -c first; 'exec' passes stop signals (SIGTERM) on, but the JSON exec form needs no shell: use it.`
        : `${inst.keyword} in shell form runs under /bin/sh -c, so the program does not receive stop signals (SIGTERM): use the JSON exec form.`;
      ctx.report(inst, msg, exec ? [
        { title: `Rewrite as ${inst.keywordRaw} ${exec}`, edits: [ctx.edit(inst.args.offsets[0], inst.args.end, exec)], safe: true },
      ] : []);
    }
  },
};

const ML011: Rule = {
  id: 'ML011',
  title: 'PYTHONUNBUFFERED for live logs',
  defaultSeverity: 'hint',
  check(ctx) {
    const final = ctx.finalStage;
    if (!final) return;
    const invs = commandInvocations(final);
    const py = invs.map(({ inv }) => ({ inv, ...runsPython(inv) }));
    if (!py.some((p) => p.python) || py.some((p) => p.unbuffered)) return;
    const v = variablesAt(ctx.model, final, Number.MAX_SAFE_INTEGER).get('PYTHONUNBUFFERED');
    if (v) return;
    if (py.some((p) => p.inv.assigns.some((a) => /^PYTHONUNBUFFERED=./.test(a.value)))) return;
    ctx.report(final.from, 'Python buffers its output when not on a terminal, so logs (training progress, requests) arrive late in docker logs: set ENV PYTHONUNBUFFERED=1.', [
      { title: 'Insert ENV PYTHONUNBUFFERED=1', edits: [ctx.insertLinesAfter(final.from, ['ENV PYTHONUNBUFFERED=1'])], safe: true },
    ]);
  },
};

function execOrShell(words: Word[]): string {
  if (words.every((w) => !w.expansion)) return JSON.stringify(words.map((w) => w.value)).replace(/","/g, '", "');
  return words.map((w) => w.value).join(' ');
}

const ML026: Rule = {
  id: 'ML026',
  title: 'Train when the container runs, not at build time',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const stage of ctx.model.stages) {
      const hasCmd = stage.instructions.some((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT');
      for (const inst of stage.instructions) {
        if (inst.keyword !== 'RUN') continue;
        const invs = runInvocations(inst);
        const train = invs.find((v) => trainingScript(v));
        if (!train) continue;
        const fixes: FixSpec[] = [];
        if (!hasCmd && !inst.heredocs.length) {
          const cmdLine = `CMD ${execOrShell(train.words)}`;
          const last = stage.instructions[stage.instructions.length - 1];
          const edits: TextEdit[] = [];
          const s = scripts(inst)[0];
          const k = s ? s.commands.indexOf(train.command) : -1;
          if (invs.length === 1) edits.push(ctx.deleteLines(inst));
          else if (s && k > 0 && k === s.commands.length - 1 && s.commands[k - 1].sep === '&&' && !inst.json) {
            const prevWords = s.commands[k - 1].words;
            const w = train.command.words;
            edits.push(ctx.edit(prevWords[prevWords.length - 1].end, w[w.length - 1].end, ''));
          }
          if (edits.length) {
            edits.push(ctx.insertLinesAfter(last, [cmdLine]));
            fixes.push({ title: `Run the training as the container's command (${cmdLine})`, edits, safe: false });
          }
        }
        ctx.report(inst, `${train.words.map((w) => w.value).join(' ')} trains while the image builds: the model lands in a layer and every rebuild retrains. Train when the container runs (CMD) and write to a mounted folder.`, fixes);
      }
    }
  },
};

const ML027: Rule = {
  id: 'ML027',
  title: 'Declare where training writes its outputs',
  defaultSeverity: 'information',
  check(ctx) {
    const final = ctx.finalStage;
    if (!final) return;
    const train = commandInvocations(final).find(({ inv }) => trainingScript(inv));
    if (!train) return;
    if (stageChain(final).some((s) => s.instructions.some((i) => i.keyword === 'VOLUME'))) return;
    const inFinal = train.inst.stage === final;
    const wd = workdirAt(ctx.model, final, inFinal ? train.inst.index : Number.MAX_SAFE_INTEGER);
    const dir = wd.dir === null ? '/app' : wd.dir;
    const out = `${dir === '/' ? '' : dir}/artifacts`;
    const line = `VOLUME ["${out}"]`;
    const last: Instruction = final.instructions[final.instructions.length - 1] ?? final.from;
    const edit = inFinal ? ctx.insertLinesBefore(train.inst, [line]) : ctx.insertLinesAfter(last, [line]);
    ctx.report(final.from, `The container trains but declares no output location: declare VOLUME ${out} and mount it (docker run -v ./artifacts:${out} ...) so the model outlives the container.`, [
      { title: `Insert ${line}`, edits: [edit], safe: false },
    ]);
  },
};

export const commandRules: Rule[] = [ML006, ML011, ML026, ML027];
