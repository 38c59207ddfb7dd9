/** apt rules: ML009 (--no-install-recommends), ML010 (remove apt lists), ML015 (apt-get, not apt). */
import { aptInstall, aptSubcommand } from '../commands';
import type { Rule, RuleContext } from '../engine';
import { type Instruction, runInvocations, stageChain } from '../model';
import { basename, type Invocation } from '../shell';
import type { TextEdit } from '../types';
import { mountCovers } from '../mounts';
import { appendCommand } from './shared';

function runs(ctx: RuleContext): Instruction[] {
  return ctx.model.instructions.filter((i) => i.keyword === 'RUN' && i.stage);
}

const ML009: Rule = {
  id: 'ML009',
  title: 'apt-get install --no-install-recommends',
  defaultSeverity: 'information',
  check(ctx) {
    for (const inst of runs(ctx)) {
      const edits: TextEdit[] = [];
      for (const inv of runInvocations(inst)) {
        const a = aptInstall(inv);
        if (!a) continue;
        if (inv.words.some((w) => w.value === '--no-install-recommends' || /Install-Recommends=(false|0|no|off)/i.test(w.value))) continue;
        edits.push(ctx.insertAfterWord(inv.words[a.installIdx], '--no-install-recommends'));
      }
      if (edits.length) ctx.report(inst, 'apt-get install without --no-install-recommends also installs recommended packages the image does not need.', [{ title: 'Add --no-install-recommends', edits, safe: false }]);
    }
  },
};

/** `rm -rf /var/lib/apt/lists/*`, or `find /var/lib/apt/lists ... -delete` (or `-exec rm`). */
export function removesAptLists(inv: Invocation): boolean {
  const w = inv.words;
  if (w.length < 2) return false;
  const prog = basename(w[0].value);
  const names = w.some((x) => x.value.startsWith('/var/lib/apt/lists'));
  if (prog === 'rm') return names;
  return prog === 'find' && names && w.some((x, i) => x.value === '-delete' || (x.value === '-exec' && basename(w[i + 1]?.value ?? '') === 'rm'));
}

const ML010: Rule = {
  id: 'ML010',
  title: 'Remove apt lists after install',
  defaultSeverity: 'information',
  check(ctx) {
    // Only the final stage and the stages it builds FROM reach the image: a builder stage whose
    // files are copied selectively leaves its lists behind (lab-rules ML010).
    const final = ctx.finalStage;
    if (!final) return;
    const image = new Set(stageChain(final));
    for (const inst of runs(ctx)) {
      if (!image.has(inst.stage!)) continue;
      const invs = runInvocations(inst);
      if (!invs.some((v) => aptInstall(v))) continue;
      if (mountCovers(inst, /^\/var\/lib\/apt\/?(lists\/?)?$/, ['cache', 'tmpfs'])) continue;
      const cleaned = invs.some(removesAptLists);
      if (cleaned) continue;
      const edit = appendCommand(ctx, inst, 'rm -rf /var/lib/apt/lists/*');
      ctx.report(inst, 'The apt package lists stay in this layer: remove /var/lib/apt/lists/* in the same RUN.', edit ? [{ title: 'Append && rm -rf /var/lib/apt/lists/*', edits: [edit], safe: true }] : []);
    }
  },
};

const APT_TO: Record<string, string> = {
  update: 'apt-get', upgrade: 'apt-get', install: 'apt-get', remove: 'apt-get', purge: 'apt-get', autoremove: 'apt-get',
  clean: 'apt-get', autoclean: 'apt-get', 'dist-upgrade': 'apt-get', 'full-upgrade': 'apt-get', source: 'apt-get',
  'build-dep': 'apt-get', download: 'apt-get', satisfy: 'apt-get', search: 'apt-cache', show: 'apt-cache', policy: 'apt-cache', depends: 'apt-cache', rdepends: 'apt-cache',
};

const ML015: Rule = {
  id: 'ML015',
  title: 'apt-get, not apt, in scripts',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const inst of runs(ctx)) {
      const edits: TextEdit[] = [];
      let found = false;
      for (const inv of runInvocations(inst)) {
        if (!inv.words.length || basename(inv.words[0].value) !== 'apt') continue;
        found = true;
        const sub = aptSubcommand(inv);
        const subWord = sub ? inv.words[sub.idx] : null;
        const to = subWord ? APT_TO[subWord.value] : 'apt-get';
        if (!to) continue;
        const w = inv.words[0];
        if (w.json) edits.push(ctx.edit(w.start, w.end, JSON.stringify(to)));
        else edits.push(ctx.edit(w.start, w.end, to));
        if (subWord && subWord.value === 'full-upgrade') edits.push(ctx.edit(subWord.start, subWord.end, subWord.json ? '"dist-upgrade"' : 'dist-upgrade'));
      }
      if (found) ctx.report(inst, "apt's command-line interface is not stable for scripts: use apt-get (or apt-cache) in RUN.", edits.length ? [{ title: 'Use apt-get', edits, safe: true }] : []);
    }
  },
};

export const aptRules: Rule[] = [ML009, ML010, ML015];
