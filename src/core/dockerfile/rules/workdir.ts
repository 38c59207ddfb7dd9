/** WORKDIR rules: ML022 (a stage that copies or runs has no WORKDIR), ML023 (relative WORKDIR). */
import type { Rule } from '../engine';
import { argWords, rootImage, stageChain, substitute, variablesAt } from '../model';
import { parseImage, shortName } from './from';

/** Base images known not to set a WORKDIR (so a relative one is relative to `/`). */
const NO_WORKDIR_BASES = new Set(['python', 'ubuntu', 'debian', 'alpine', 'nvidia/cuda', 'busybox', 'scratch', 'continuumio/miniconda3', 'mambaorg/micromamba']);

const ML022: Rule = {
  id: 'ML022',
  title: 'Set a WORKDIR',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const stage of ctx.model.stages) {
      const acts = stage.instructions.some((i) => i.keyword === 'COPY' || i.keyword === 'ADD' || i.keyword === 'RUN');
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
