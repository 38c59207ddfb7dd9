/**
 * Base image rules: ML001 (pin the base image), ML017 (FROM ... AS casing), ML018 (CUDA tags).
 */
import type { Rule, RuleContext } from '../engine';
import { argWords, workdirAt, type Stage } from '../model';
import type { TextEdit } from '../types';

export interface ImageParts {
  /** Registry and repository, e.g. `docker.io/library/python` or `python`. */
  name: string;
  tag: string | null;
  digest: string | null;
}

export function parseImage(ref: string): ImageParts {
  let rest = ref;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | null = null;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, tag, digest };
}

/** Repository without registry and `library/`: `docker.io/library/python` -> `python`. */
export function shortName(name: string): string {
  return name.toLowerCase().replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '').replace(/^library\//, '');
}

export function isCudaImage(name: string): boolean {
  return /^((docker\.io|nvcr\.io)\/)?nvidia\/cuda$/i.test(name);
}

/**
 * An edit that replaces a stage's base image with `newImage`: in the `ARG` default when the
 * FROM names only that ARG, in the FROM otherwise.
 */
export function imageEdit(ctx: RuleContext, stage: Stage, newImage: string, snippet?: string): TextEdit | null {
  const img = stage.image;
  if (!img) return null;
  if (img.argValue) return ctx.edit(img.argValue.start, img.argValue.end, newImage, snippet);
  return ctx.edit(img.start, img.end, newImage, snippet);
}

const ML001: Rule = {
  id: 'ML001',
  title: 'Pin the base image tag',
  defaultSeverity: 'warning',
  check(ctx) {
    for (const stage of ctx.model.stages) {
      const img = stage.image;
      if (!img || img.resolved === null || img.resolved.includes('$') || img.resolved === '') continue;
      if (img.resolved.toLowerCase() === 'scratch' || stage.parent) continue;
      const p = parseImage(img.resolved);
      if (p.digest || isCudaImage(p.name)) continue; // nvidia/cuda: ML018 says more
      if (p.tag !== null && p.tag.toLowerCase() !== 'latest') continue;
      const isPython = shortName(p.name) === 'python';
      const newImage = `${p.name}:${isPython ? '3.12-slim' : 'TAG'}`;
      const snippet = `${p.name}:\${1:${isPython ? '3.12-slim' : 'TAG'}}`;
      const edit = imageEdit(ctx, stage, newImage, snippet);
      const what = p.tag === null ? 'has no tag' : 'uses :latest';
      ctx.report(stage.from, `Base image ${img.resolved} ${what}: pin a version (e.g. ${isPython ? 'python:3.12-slim' : `${p.name}:<version>`}) so rebuilds give the same image.`, edit ? [{ title: `Pin the base image to ${newImage}`, edits: [edit], safe: false }] : []);
    }
  },
};

const ML017: Rule = {
  id: 'ML017',
  title: "FROM ... AS casing matches FROM",
  defaultSeverity: 'warning',
  check(ctx) {
    for (const stage of ctx.model.stages) {
      const words = argWords(stage.from);
      if (words.length < 3 || !/^as$/i.test(words[1].value)) continue;
      const kw = stage.from.keywordRaw;
      const as = words[1].value;
      let want: string | null = null;
      if (kw === kw.toUpperCase() && as !== 'AS') want = 'AS';
      else if (kw === kw.toLowerCase() && as !== 'as') want = 'as';
      if (!want) continue;
      ctx.report(stage.from, `'${as}' and '${kw}' differ in case: write '${kw} ... ${want}'.`, [
        { title: `Write '${want}'`, edits: [ctx.edit(words[1].start, words[1].end, want)], safe: true },
      ]);
    }
  },
};

const FULL_CUDA_TAG = /^(\d+\.\d+(?:\.\d+)?)-(cudnn\d*-)?(base|runtime|devel)-([a-z]+\d+(?:\.\d+)*)$/i;
const DEFAULT_CUDA = '12.4.1';
const DEFAULT_OS = 'ubuntu22.04';

const ML018: Rule = {
  id: 'ML018',
  title: 'CUDA image tags',
  defaultSeverity: 'error',
  check(ctx) {
    const final = ctx.finalStage;
    for (const stage of ctx.model.stages) {
      const img = stage.image;
      if (!img || img.resolved === null || img.resolved.includes('$')) continue;
      const p = parseImage(img.resolved);
      if (!isCudaImage(p.name) || p.digest) continue;
      const m = p.tag ? FULL_CUDA_TAG.exec(p.tag) : null;
      if (!m) {
        const ver = p.tag ? /^\d+\.\d+(\.\d+)?/.exec(p.tag)?.[0] : undefined;
        const flavour = p.tag ? /(base|runtime|devel)/i.exec(p.tag)?.[1]?.toLowerCase() : undefined;
        const cudnn = p.tag && /cudnn/i.test(p.tag) ? 'cudnn-' : '';
        const v = ver ?? DEFAULT_CUDA;
        const f = flavour ?? 'runtime';
        const newImage = `${p.name}:${v}-${cudnn}${f}-${DEFAULT_OS}`;
        const snippet = `${p.name}:\${1:${v}}-${cudnn}\${2|${[f, ...['runtime', 'devel', 'base'].filter((x) => x !== f)].join(',')}|}-\${3:${DEFAULT_OS}}`;
        const edit = imageEdit(ctx, stage, newImage, snippet);
        ctx.report(
          stage.from,
          `${img.resolved}: nvidia/cuda has no 'latest' and no short tags; use a full tag <cuda>-<base|runtime|devel>-<os>, e.g. ${newImage.slice(p.name.length + 1)}.`,
          edit ? [{ title: `Use ${newImage}`, edits: [edit], safe: false }] : [],
          'error',
        );
        continue;
      }
      if (stage !== final || m[3].toLowerCase() !== 'devel') continue;
      const runtimeTag = p.tag!.replace(/devel/i, 'runtime');
      const fixes = [];
      const e1 = imageEdit(ctx, stage, `${p.name}:${runtimeTag}`);
      if (e1) fixes.push({ title: `Use the -runtime image (${runtimeTag})`, edits: [e1], safe: false });
      fixes.push(multiStageFix(ctx, stage, `${p.name}:${runtimeTag}`));
      ctx.report(stage.from, `The final stage is a -devel CUDA image, several GB larger than -runtime: build in a devel stage and run from ${runtimeTag}.`, fixes, 'information');
    }
  },
};

function multiStageFix(ctx: RuleContext, stage: Stage, runtimeImage: string): { title: string; edits: TextEdit[]; safe: boolean } {
  const edits: TextEdit[] = [];
  const lower = stage.from.keywordRaw === stage.from.keywordRaw.toLowerCase();
  let name = stage.name;
  if (!name) {
    name = 'build';
    const words = argWords(stage.from);
    const last = words[0];
    edits.push(ctx.insert(last.end, lower ? ' as build' : ' AS build'));
  }
  const wd = workdirAt(ctx.model, stage, Number.MAX_SAFE_INTEGER);
  const dir = wd.explicit && wd.dir && wd.dir !== '/' ? wd.dir : '/app';
  const eol = ctx.eol;
  const lines = [
    '',
    `FROM ${runtimeImage} AS runtime`,
    `WORKDIR ${dir}`,
    '# Copy only what the app needs at run time (code, model, Python environment) from the build stage:',
    `COPY --from=${name} ${dir} ${dir}`,
  ];
  for (const inst of stage.instructions) {
    if (inst.keyword === 'CMD' || inst.keyword === 'ENTRYPOINT' || inst.keyword === 'EXPOSE') lines.push(ctx.text(inst.start, inst.end));
  }
  const text = ctx.model.text;
  const prefix = text.endsWith('\n') || text === '' ? '' : eol;
  edits.push(ctx.insert(text.length, prefix + lines.join(eol) + eol));
  return { title: 'Add a slim -runtime final stage (multi-stage build)', edits, safe: false };
}

export const fromRules: Rule[] = [ML001, ML017, ML018];
