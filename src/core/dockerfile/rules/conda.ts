/** ML021: conda/mamba install without cleaning the package cache in the same RUN. */
import { condaInstall, isCondaClean } from '../commands';
import type { Rule } from '../engine';
import { runInvocations } from '../model';
import { mountCovers } from '../mounts';
import { appendCommand } from './shared';

const ML021: Rule = {
  id: 'ML021',
  title: 'Clean the conda cache',
  defaultSeverity: 'information',
  check(ctx) {
    for (const inst of ctx.model.instructions) {
      if (inst.keyword !== 'RUN' || !inst.stage) continue;
      const invs = runInvocations(inst);
      const c = invs.map(condaInstall).find((x) => x !== null);
      if (!c) continue;
      if (invs.some(isCondaClean) || mountCovers(inst, /conda|mamba|pkgs/)) continue;
      const cmd = c.tool === 'micromamba' ? 'micromamba clean --all --yes' : `${c.tool} clean -afy`;
      const edit = appendCommand(ctx, inst, cmd);
      ctx.report(inst, `${c.tool} ${c.sub} leaves downloaded packages and caches in the layer: run '${cmd}' in the same RUN.`, edit ? [{ title: `Append && ${cmd}`, edits: [edit], safe: true }] : []);
    }
  },
};

export const condaRules: Rule[] = [ML021];
