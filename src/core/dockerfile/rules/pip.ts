/**
 * pip rules: ML002 (--no-cache-dir), ML003 (pin versions), ML013 (sklearn), ML019 (merge
 * consecutive pip RUNs), ML020 (CPU wheels for torch on a non-CUDA base).
 */
import { type PipInstall, normalizeName, pipArgs, pipInstall, pythonModule, splitRequirement, type UnpinnedKind, unpinnedPackages } from '../commands';
import type { FixSpec, Rule, RuleContext } from '../engine';
import { type Instruction, rootImage, runInvocations, scripts, variablesAt } from '../model';
import { mountCovers } from '../mounts';
import { basename, type Invocation, type Word } from '../shell';
import type { TextEdit } from '../types';

export function pipInstalls(inst: Instruction): PipInstall[] {
  if (inst.keyword !== 'RUN') return [];
  const out: PipInstall[] = [];
  for (const inv of runInvocations(inst)) {
    const p = pipInstall(inv);
    if (p) out.push(p);
  }
  return out;
}

function runs(ctx: RuleContext): Instruction[] {
  return ctx.model.instructions.filter((i) => i.keyword === 'RUN' && i.stage);
}

const TRUTHY = /^(1|true|yes|on|y)$/i;

function assignValue(words: Word[], name: string): string | undefined {
  for (const w of words) if (w.value.startsWith(name + '=')) return w.value.slice(name.length + 1);
  return undefined;
}


/**
 * Removes pip's cache: `pip cache purge` (or `remove`), or `rm` of `~/.cache/pip`,
 * `/root/.cache/pip`, `$HOME/.cache/pip` (or of the whole `.cache` folder there).
 */
export function isPipCacheCleanup(inv: Invocation): boolean {
  const w = inv.words;
  if (!w.length) return false;
  const prog = basename(w[0].value);
  if (prog === 'rm') return w.slice(1).some((x) => /^(~|\$\{?HOME\}?|\/root)\/\.cache(\/pip)?\/?\*?$/.test(x.value) || /\/\.cache\/pip\/?\*?$/.test(x.value));
  let i = -1;
  if (/^pip(\d+(\.\d+)?)?$/.test(prog)) i = 1;
  else {
    const m = pythonModule(w);
    if (m >= 0 && w[m].value === 'pip') i = m + 1;
  }
  if (i < 0) return false;
  const rest = w.slice(i).filter((x) => !x.value.startsWith('-')).map((x) => x.value);
  return rest[0] === 'cache' && (rest[1] === 'purge' || rest[1] === 'remove');
}

const ML002: Rule = {
  id: 'ML002',
  title: 'pip install --no-cache-dir',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const inst of runs(ctx)) {
      const pis = pipInstalls(inst);
      if (!pis.length) continue;
      if (mountCovers(inst, /pip|\/\.cache\/?$/)) continue;
      const env = variablesAt(ctx.model, inst.stage!, inst.index).get('PIP_NO_CACHE_DIR');
      if (env && TRUTHY.test(env)) continue;
      const invs = runInvocations(inst);
      const lastCleanup = invs.reduce((k, inv, i) => (isPipCacheCleanup(inv) ? i : k), -1);
      const edits: TextEdit[] = [];
      for (const pi of pis) {
        if (pi.all.some((w) => w.value.startsWith('--no-cache'))) continue;
        if (invs.indexOf(pi.inv) < lastCleanup) continue; // the cache is removed before the layer is committed
        const inline = assignValue(pi.inv.assigns, 'PIP_NO_CACHE_DIR');
        if (inline !== undefined && TRUTHY.test(inline)) continue;
        edits.push(ctx.insertAfterWord(pi.all[pi.installIdx], '--no-cache-dir'));
      }
      if (!edits.length) continue;
      ctx.report(inst, 'pip install keeps its download cache in the layer: add --no-cache-dir.', [{ title: 'Add --no-cache-dir', edits, safe: true }]);
    }
  },
};

const ML003: Rule = {
  id: 'ML003',
  title: 'Pin pip package versions',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const inst of runs(ctx)) {
      const bare: { word: Word; pi: PipInstall; kind: UnpinnedKind }[] = [];
      for (const pi of pipInstalls(inst)) {
        for (const u of unpinnedPackages(pi)) bare.push({ ...u, pi });
      }
      if (!bare.length) continue;
      const names = bare.map((b) => b.word.value);
      const fixes: FixSpec[] = [];
      // 1. ==VERSION placeholders (@REF for a VCS URL), inside the word's quotes. An archive URL needs a different URL: no placeholder.
      const placeable = bare.filter((b) => b.kind !== 'archive');
      if (placeable.length) {
        fixes.push({
          title: placeable.some((b) => b.kind === 'vcs') ? 'Add ==<version> (or @<ref>) to each package' : 'Add ==<version> to each package',
          edits: placeable.map((b, k) => {
            const end = b.word.valueOffsets[b.word.valueOffsets.length - 1] + 1;
            if (b.kind !== 'vcs') return ctx.insert(end, '==VERSION', `==\${${k + 1}:VERSION}`);
            const hash = b.word.value.indexOf('#'); // the ref goes before #egg=...
            return ctx.insert(hash > 0 ? b.word.valueOffsets[hash] : end, '@REF', `@\${${k + 1}:REF}`);
          }),
          safe: false,
        });
      }
      // 2. Move the names into requirements.txt (shell form only).
      if (!inst.json && bare.every((b) => !b.word.json && !b.word.quoted && b.pi.all[b.pi.all.indexOf(b.word) - 1]?.value !== '@')) {
        const edits: TextEdit[] = [];
        const seen = new Set<PipInstall>();
        for (const b of bare) {
          const words = b.pi.all;
          const idx = words.indexOf(b.word);
          const prev = words[idx - 1];
          edits.push(ctx.edit(prev.end, b.word.end, ''));
          if (!seen.has(b.pi)) {
            seen.add(b.pi);
            edits.push(ctx.insertAfterWord(words[b.pi.installIdx], '-r requirements.txt'));
          }
        }
        const copied = inst.stage!.instructions.some((i) => i.index < inst.index && (i.keyword === 'COPY' || i.keyword === 'ADD') && /(^|[\s/])requirements\.txt(\s|$)/.test(i.args.text));
        if (!copied) edits.push(ctx.insertLinesBefore(inst, ['COPY requirements.txt .']));
        fixes.push({
          title: 'Move the packages into requirements.txt and install with -r',
          edits,
          safe: false,
          files: [{ path: 'requirements.txt', appendLines: names }],
        });
      }
      const how = [bare.some((b) => b.kind === 'name') && 'versions (==)', bare.some((b) => b.kind === 'vcs') && 'a tag or commit (@<ref>) on VCS URLs', bare.some((b) => b.kind === 'archive') && 'archive URLs of a release'].filter(Boolean).join(', ');
      ctx.report(inst, `Unpinned pip package${names.length > 1 ? 's' : ''} ${names.join(', ')}: pin ${how}, or install from a pinned requirements.txt, so rebuilds are reproducible.`, fixes);
    }
  },
};

const ML013: Rule = {
  id: 'ML013',
  title: 'sklearn is not scikit-learn',
  defaultSeverity: 'error',
  check(ctx) {
    for (const inst of runs(ctx)) {
      const edits: TextEdit[] = [];
      for (const pi of pipInstalls(inst)) {
        for (const w of pipArgs(pi).packages) {
          const s = splitRequirement(w.value);
          if (!s || s.name.toLowerCase() !== 'sklearn') continue;
          const nameStart = w.valueOffsets[0];
          const nameEnd = w.valueOffsets[s.name.length - 1] + 1;
          // The dummy sklearn package's own versions (0.0, 0.0.postN) mean nothing for scikit-learn.
          const dummy = /^==\s*0\.0(\.post\d+)?$/.exec(s.rest.trim());
          const end = dummy && w.valueOffsets.length === w.value.length ? w.valueOffsets[w.value.length - 1] + 1 : nameEnd;
          edits.push(ctx.edit(nameStart, end, 'scikit-learn'));
        }
      }
      if (edits.length) ctx.report(inst, "The 'sklearn' package on PyPI refuses to install: the package is 'scikit-learn'.", [{ title: 'Replace sklearn with scikit-learn', edits, safe: true }]);
    }
  },
};

const ML019: Rule = {
  id: 'ML019',
  title: 'Merge consecutive pip RUNs',
  defaultSeverity: 'information',
  check(ctx) {
    for (const stage of ctx.model.stages) {
      let prev: Instruction | null = null;
      for (const inst of stage.instructions) {
        const isPip = pipInstalls(inst).length > 0;
        if (prev && isPip) {
          ctx.report(inst, 'Consecutive RUN instructions each run pip install: one RUN joined with && makes one layer and lets pip resolve everything together.', mergeFix(ctx, prev, inst));
        }
        prev = isPip ? inst : null;
      }
    }
  },
};

function mergeFix(ctx: RuleContext, prev: Instruction, inst: Instruction): FixSpec[] {
  if (prev.json || inst.json || prev.heredocs.length || inst.heredocs.length) return [];
  const flagText = (i: Instruction): string => i.flags.map((f) => ctx.text(f.start, f.end)).join(' ');
  if (flagText(prev) !== flagText(inst)) return [];
  const s = scripts(prev)[0];
  if (!s || s.lastWordEnd === null || s.endsWithOperator) return [];
  if (ctx.text(s.lastWordEnd, prev.lineEnd).trim() !== '') return []; // a trailing comment would swallow the rest
  if (!inst.args.text.trim()) return [];
  const idx = ctx.model.index;
  const edits: TextEdit[] = [ctx.edit(s.lastWordEnd, prev.lineEnd, ` && ${ctx.model.escape}`)];
  const prevLast = idx.positionAt(prev.end).line;
  for (let l = prevLast + 1; l < inst.startLine; l++) {
    // Empty lines inside a continuation are deprecated; comment lines are fine.
    if (ctx.model.lines[l].trim() === '') edits.push(ctx.edit(idx.lineStarts[l], idx.nextLineStart(l), ''));
  }
  edits.push(ctx.edit(idx.lineStarts[inst.startLine], inst.args.offsets[0], '    '));
  return [{ title: 'Merge into the RUN above with &&', edits, safe: true }];
}

const TORCH_FAMILY = new Set(['torch', 'torchvision', 'torchaudio']);
const CPU_INDEX = 'https://download.pytorch.org/whl/cpu';
const GPU_INDEX = /\/whl\/(cu\d+|rocm[\d.]*)(\/|$)/;

/** CUDA-enabled base images: nvidia/cuda, NGC images, tags that say cuda or gpu. */
export function isCudaBase(image: string): boolean {
  return /cuda|nvidia|gpu|nvcr\.io/i.test(image);
}

const ML020: Rule = {
  id: 'ML020',
  title: 'CPU wheels for torch on a non-CUDA base',
  defaultSeverity: 'information',
  check(ctx) {
    for (const inst of runs(ctx)) {
      const pis = pipInstalls(inst);
      if (!pis.length) continue;
      const base = rootImage(inst.stage!);
      if (base === null || base.includes('$') || isCudaBase(base)) continue;
      const vars = variablesAt(ctx.model, inst.stage!, inst.index);
      const envIdx = `${vars.get('PIP_INDEX_URL') ?? ''} ${vars.get('PIP_EXTRA_INDEX_URL') ?? ''}`;
      if (/\/whl\/cpu/.test(envIdx)) continue;
      const edits: TextEdit[] = [];
      for (const pi of pis) {
        const { packages, options } = pipArgs(pi);
        const torch = packages.filter((w) => normalizeName(splitRequirement(w.value)?.name ?? '') === 'torch');
        if (!torch.length || torch.some((w) => /\+cpu/.test(w.value))) continue;
        const urls = ['--index-url', '-i', '--extra-index-url', '-f', '--find-links'].flatMap((k) => options.get(k) ?? []);
        const inline = `${assignValue(pi.inv.assigns, 'PIP_INDEX_URL') ?? ''} ${assignValue(pi.inv.assigns, 'PIP_EXTRA_INDEX_URL') ?? ''}`;
        if (urls.some((u) => /\/whl\/cpu/.test(u)) || /\/whl\/cpu/.test(inline)) continue;
        // An index of CUDA or ROCm wheels (download.pytorch.org/whl/cu128) is a deliberate GPU choice:
        // those wheels bring their own CUDA libraries and run on a base without CUDA.
        if ([...urls, inline, envIdx].some((u) => GPU_INDEX.test(u))) continue;
        const onlyTorch = packages.every((w) => TORCH_FAMILY.has(normalizeName(splitRequirement(w.value)?.name ?? '')));
        const last = pi.inv.words[pi.inv.words.length - 1];
        edits.push(ctx.insertAfterWord(last, `${onlyTorch ? '--index-url' : '--extra-index-url'}=${CPU_INDEX}`));
      }
      if (!edits.length) continue;
      ctx.report(inst, `torch from PyPI brings several GB of CUDA libraries that a CPU base image (${base}) cannot use: install the CPU wheels from ${CPU_INDEX}.`, [{ title: 'Install torch from the CPU wheel index', edits, safe: false }]);
    }
  },
};

export const pipRules: Rule[] = [ML002, ML003, ML013, ML019, ML020];
