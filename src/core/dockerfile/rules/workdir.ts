/** WORKDIR rules: ML022 (a stage that copies or runs has no WORKDIR), ML023 (relative WORKDIR). */
import type { Rule, RuleContext } from '../engine';
import { argWords, type Instruction, rootImage, stageChain, substitute, variablesAt } from '../model';
import { parseImage, shortName } from './from';

/** Base images known not to set a WORKDIR (so a relative one is relative to `/`). */
const NO_WORKDIR_BASES = new Set(['python', 'ubuntu', 'debian', 'alpine', 'nvidia/cuda', 'busybox', 'scratch', 'continuumio/miniconda3', 'mambaorg/micromamba']);

function absoluteDest(ctx: RuleContext, inst: Instruction): boolean {
  const words = argWords(inst);
  const dest = words[words.length - 1];
  if (words.length < 2 || !dest) return false;
  const v = substitute(dest.value, (n) => variablesAt(ctx.model, inst.stage!, inst.index).get(n));
  return v !== null && /^(\/|[A-Za-z]:[\\/])/.test(v);
}

const ML022: Rule = {
  id: 'ML022',
  title: 'Set a WORKDIR',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const stage of ctx.model.stages) {
      // Copies to absolute destinations (`COPY --from=build /out/ /`) land where they say: the
      // working directory matters to RUN and to relative destinations only.
      const acts = stage.instructions.some((i) => i.keyword === 'RUN' || ((i.keyword === 'COPY' || i.keyword === 'ADD') && !absoluteDest(ctx, i)));
      if (!acts) continue;
      if (stageChain(stage).some((s) => s.instructions.some((i) => i.keyword === 'WORKDIR'))) continue;
      ctx.report(stage.from, `Stage ${stage.name ?? stage.index + 1} copies files or runs commands without a WORKDIR, so they land in the base image's working directory (/ for most bases): add WORKDIR /app.`, [
        { title: 'Insert WORKDIR /app', edits: [ctx.insertLinesAfter(stage.from, ['WORKDIR /app'])], safe: false },
      ]);
    }
  },
};

const ML023: Rule = {
  id: 'ML023',
  title: 'Absolute WORKDIR',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const stage of ctx.model.stages) {
      let absolute = stageChain(stage).slice(1).some((s) => s.instructions.some((i) => i.keyword === 'WORKDIR' && /^(\/|[A-Za-z]:)/.test(argWords(i)[0]?.value ?? '')));
      for (const inst of stage.instructions) {
        if (inst.keyword !== 'WORKDIR') continue;
        const w = argWords(inst)[0];
        if (!w) continue;
        const v = substitute(w.value, (n) => variablesAt(ctx.model, stage, inst.index).get(n));
        if (v === null) continue;
        if (/^(\/|[A-Za-z]:)/.test(v)) { absolute = true; continue; }
        if (absolute) continue;
        const base = rootImage(stage);
        const safe = base !== null && NO_WORKDIR_BASES.has(shortName(parseImage(base).name));
        const at = w.valueOffsets[0] ?? w.start;
        ctx.report(inst, `WORKDIR ${w.value} is relative to the base image's working directory: use an absolute path (/${v}).`, [
          { title: `Use /${v}`, edits: [ctx.insert(at, '/')], safe },
        ]);
      }
    }
  },
};

export const workdirRules: Rule[] = [ML022, ML023];
