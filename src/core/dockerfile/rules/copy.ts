/**
 * COPY/ADD rules: ML004 (dependency install after the broad COPY), ML012 (ADD for local
 * files), ML014 (datasets and weights baked into the image), ML024 (broad COPY without a
 * .dockerignore).
 */
import { condaInstall, pipArgs, pipInstall } from '../commands';
import type { FixSpec, Rule, RuleContext } from '../engine';
import { argWords, type Instruction, normalizePath, runInvocations, type Stage, workdirAt } from '../model';
import { basename, type Word } from '../shell';
import type { TextEdit } from '../types';

/** Sources and destination of a COPY/ADD from the build context; null for `--from` and here-documents. */
export function copyParts(inst: Instruction): { sources: Word[]; dest: Word } | null {
  if (inst.keyword !== 'COPY' && inst.keyword !== 'ADD') return null;
  if (inst.flags.some((f) => f.name === 'from') || inst.heredocs.length) return null;
  const words = argWords(inst);
  if (words.length < 2) return null;
  return { sources: words.slice(0, -1), dest: words[words.length - 1] };
}

export function isWholeContext(src: string): boolean {
  return src === '.' || src === './';
}

function broadCopy(inst: Instruction): boolean {
  const p = copyParts(inst);
  return !!p && p.sources.some((s) => isWholeContext(s.value));
}

/** Requirement files a dependency-install RUN reads, or null when it installs none. */
function dependencyFiles(inst: Instruction): { files: string[]; needsSource: boolean } | null {
  let files: string[] | null = null;
  let needsSource = false;
  for (const inv of runInvocations(inst)) {
    const w = inv.words.map((x) => x.value);
    const pi = pipInstall(inv);
    if (pi) {
      const a = pipArgs(pi);
      const reqs = [...(a.options.get('-r') ?? []), ...(a.options.get('--requirement') ?? [])];
      if (a.packages.some((p) => p.value === '.' || p.value.startsWith('./')) || (a.options.get('-e') ?? []).concat(a.options.get('--editable') ?? []).some((e) => e.startsWith('.'))) needsSource = true;
      if (reqs.length) files = [...(files ?? []), ...reqs];
      continue;
    }
    const c = condaInstall(inv);
    if (c && c.sub.startsWith('env ')) {
      const k = w.findIndex((x) => x === '-f' || x === '--file');
      const f = k >= 0 ? w[k + 1] : w.find((x) => x.startsWith('--file='))?.slice(7);
      files = [...(files ?? []), f ?? 'environment.yml'];
      continue;
    }
    const prog = w.length ? basename(w[0]) : '';
    if (prog === 'poetry' && w[1] === 'install') {
      files = [...(files ?? []), 'pyproject.toml', 'poetry.lock*'];
      if (!w.includes('--no-root')) needsSource = true;
    } else if (prog === 'pipenv' && w[1] === 'install') files = [...(files ?? []), 'Pipfile', 'Pipfile.lock*'];
    else if (prog === 'uv' && w[1] === 'sync') files = [...(files ?? []), 'pyproject.toml', 'uv.lock*'];
  }
  return files ? { files, needsSource } : null;
}

function resolveIn(dir: string | null, p: string): string | null {
  if (p.startsWith('/')) return normalizePath(p);
  return dir === null ? null : normalizePath(`${dir}/${p}`);
}

function moveFix(ctx: RuleContext, stage: Stage, copy: Instruction, installs: Instruction[]): FixSpec | null {
  const between = stage.instructions.filter((i) => i.index > copy.index && i.index < installs[installs.length - 1].index);
  if (between.some((i) => i.keyword === 'WORKDIR' || i.keyword === 'USER')) return null;
  const parts = copyParts(copy)!;
  const copyDir = workdirAt(ctx.model, stage, copy.index).dir;
  const destAbs = resolveIn(copyDir, parts.dest.value);
  if (destAbs === null || parts.dest.value.includes('$')) return null;
  const already = new Set<string>();
  for (const i of stage.instructions) {
    if (i.index >= copy.index) break;
    const p = copyParts(i);
    if (p) for (const s of p.sources) already.add(s.value.replace(/^\.\//, ''));
  }
  const simple: string[] = [];
  const lines: string[] = [];
  for (const inst of installs) {
    const deps = dependencyFiles(inst)!;
    if (deps.needsSource) return null;
    for (const f of deps.files) {
      if (f.includes('$')) return null;
      const abs = resolveIn(copyDir, f.replace(/\*$/, ''));
      if (abs === null) return null;
      const prefix = destAbs === '/' ? '/' : destAbs + '/';
      if (!abs.startsWith(prefix)) return null;
      const ctxPath = abs.slice(prefix.length) + (f.endsWith('*') ? '*' : '');
      if (already.has(ctxPath) || already.has(ctxPath.replace(/\*$/, ''))) continue;
      already.add(ctxPath);
      if (!ctxPath.includes('/') && (copyDir === destAbs || parts.dest.value === '.' || parts.dest.value === './')) simple.push(ctxPath);
      else lines.push(`COPY ${ctxPath} ${abs}`);
    }
  }
  if (simple.length) lines.unshift(`COPY ${simple.join(' ')} ./`);
  const edits: TextEdit[] = [];
  const idx = ctx.model.index;
  let moved = '';
  for (const inst of installs) {
    const del = ctx.deleteLines(inst, true);
    const s = idx.offsetAt(del.range.start);
    const e = idx.offsetAt(del.range.end);
    let block = ctx.text(s, e);
    if (!block.endsWith('\n')) block += ctx.eol;
    moved += block;
    edits.push(del);
  }
  const at = idx.lineStarts[copy.startLine];
  edits.unshift(ctx.insert(at, lines.map((l) => l + ctx.eol).join('') + moved));
  return { title: 'Install dependencies before copying the source (copy only the requirement files first)', edits, safe: false };
}

const ML004: Rule = {
  id: 'ML004',
  title: 'Install dependencies before copying the source',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const stage of ctx.model.stages) {
      const copy = stage.instructions.find(broadCopy);
      if (!copy) continue;
      const installs = stage.instructions.filter((i) => i.index > copy.index && i.keyword === 'RUN' && dependencyFiles(i) !== null);
      if (!installs.length) continue;
      const fix = moveFix(ctx, stage, copy, installs);
      ctx.report(copy, 'The whole source is copied before the dependencies are installed, so every code edit reinstalls them: copy the requirement file(s) and install first, then COPY the rest.', fix ? [fix] : []);
    }
  },
};

const URL = /^([a-z][a-z0-9+.-]*:\/\/|git@)/i;
const TAR = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst)$/i;

const ML012: Rule = {
  id: 'ML012',
  title: 'COPY, not ADD, for local files',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const inst of ctx.model.instructions) {
      if (inst.keyword !== 'ADD') continue;
      const p = copyParts(inst);
      if (!p) continue;
      const local = p.sources.filter((s) => !URL.test(s.value) && !TAR.test(s.value));
      if (!local.length) continue;
      const addOnly = inst.flags.some((f) => f.name === 'checksum' || f.name === 'keep-git-dir' || f.name === 'unpack');
      const kw = inst.keywordRaw === inst.keywordRaw.toLowerCase() ? 'copy' : 'COPY';
      const fixes: FixSpec[] = local.length === p.sources.length && !addOnly ? [{ title: 'Use COPY', edits: [ctx.edit(inst.keywordStart, inst.keywordEnd, kw)], safe: true }] : [];
      ctx.report(inst, `ADD of local ${local.map((s) => s.value).join(', ')}: use COPY, which only copies (ADD also fetches URLs and extracts archives).`, fixes);
    }
  },
};

const DATA = /\.(csv|parquet|npy)$/i;
const WEIGHTS = /\.(pt|pth|ckpt|h5|pkl|safetensors)$/i;

export function classifyPath(src: string): 'data' | 'weights' | null {
  const p = src.replace(/^\.\//, '').replace(/\/+$/, '');
  if (!p || p === '.') return null;
  const segs = p.split('/');
  if (segs.some((s) => s.toLowerCase() === 'data' || /^dataset/i.test(s)) || DATA.test(p)) return 'data';
  if (WEIGHTS.test(p) || segs.some((s) => s.toLowerCase() === 'checkpoints')) return 'weights';
  return null;
}

const ML014: Rule = {
  id: 'ML014',
  title: 'Mount data and weights, do not bake them in',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const inst of ctx.model.instructions) {
      const p = copyParts(inst);
      if (!p || !inst.stage) continue;
      const hits = p.sources.map((s) => ({ s, kind: classifyPath(s.value) })).filter((h) => h.kind !== null);
      if (!hits.length) continue;
      const data = hits.some((h) => h.kind === 'data');
      const wd = workdirAt(ctx.model, inst.stage, inst.index).dir ?? '/app';
      const destAbs = resolveIn(wd, p.dest.value) ?? '/app';
      const destIsDir = p.dest.value.endsWith('/') || p.sources.length > 1 || p.dest.value === '.';
      const comment: string[] = [];
      const ignore: string[] = [];
      for (const h of hits) {
        const host = h.s.value.replace(/^\.\//, '').replace(/\/+$/, '');
        // A folder's contents land in the destination; a file goes into it when it is a folder.
        const srcIsDir = h.s.value.endsWith('/') || !/\.[A-Za-z0-9]+$/.test(basename(host));
        const intoWorkdir = p.dest.value === '.' || p.dest.value === './';
        const inContainer = (destIsDir && !srcIsDir) || intoWorkdir ? normalizePath(`${destAbs}/${basename(host)}`) : destAbs;
        comment.push(`# ${host} stays out of the image: mount it at run time, e.g.`, `#   docker run -v ./${host}:${inContainer}:ro IMAGE`);
        ignore.push(host);
      }
      const edits: TextEdit[] = [];
      const idx = ctx.model.index;
      if (hits.length === p.sources.length) {
        const lastLine = idx.positionAt(inst.end).line;
        edits.push(ctx.edit(idx.lineStarts[inst.startLine], idx.nextLineStart(lastLine), comment.map((l) => l + ctx.eol).join('')));
      } else if (!inst.json) {
        edits.push(ctx.insertLinesBefore(inst, comment));
        const words = argWords(inst);
        for (const h of hits) {
          const k = words.indexOf(h.s);
          edits.push(ctx.edit(k > 0 ? words[k - 1].end : h.s.start, h.s.end, ''));
        }
      }
      const what = hits.map((h) => h.s.value).join(', ');
      ctx.report(inst, data
        ? `${what}: datasets baked into the image make it large and stale; mount them as a volume at run time (-v ./data:/app/data:ro).`
        : `${what}: model weights baked into the image; for training outputs and large checkpoints prefer a mounted volume.`,
      edits.length ? [{ title: 'Replace with a volume mount comment and add to .dockerignore', edits, safe: false, files: [{ path: '.dockerignore', appendLines: ignore }] }] : [],
      data ? 'warning' : 'information');
    }
  },
};

/** `.dockerignore` defaults for ML projects (ML024's fix, the ml-dockerignore snippet). */
export const ML_DOCKERIGNORE = ['.git', '.venv', 'venv', '__pycache__/', '*.pyc', '.ipynb_checkpoints/', 'data/', 'datasets/', 'mlruns/', 'wandb/', 'checkpoints/', 'artifacts/', '.env'];

const ML024: Rule = {
  id: 'ML024',
  title: 'A .dockerignore for the whole-context COPY',
  defaultSeverity: 'warning',
  check(ctx) {
    if (ctx.options.buildContext?.hasDockerignore !== false) return;
    for (const inst of ctx.model.instructions) {
      if (!broadCopy(inst)) continue;
      ctx.report(inst, 'The whole build context is copied and there is no .dockerignore: .git, virtualenvs, data and checkpoints end up in the image. Add a .dockerignore.', [
        { title: 'Create .dockerignore with ML defaults', edits: [], safe: false, files: [{ path: '.dockerignore', appendLines: ML_DOCKERIGNORE }] },
      ]);
    }
  },
};

export const copyRules: Rule[] = [ML004, ML012, ML014, ML024];
