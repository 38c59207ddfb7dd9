/**
 * Which workspace folder is which folder in the container, for the debugger: a breakpoint set
 * in the workspace's `train.py` is sent as the container's `/usr/local/app/train.py`, and a
 * frame in the container opens the workspace file. debugpy takes the result as its
 * `pathMappings` (`[{localRoot, remoteRoot}]`, the first whose root prefixes a path applies).
 *
 * The rule, in order:
 * 1. bind mounts: host folder -> container folder (the container runs the mounted files, not
 *    the image's copies);
 * 2. `COPY`/`ADD` of the build context in the built stage and the stages it is built FROM
 *    (`--from` copies come from elsewhere and are left out), each destination resolved against
 *    the `WORKDIR` before it: a folder maps to the destination folder; a file maps its folder to
 *    the destination's folder when it keeps its name (`COPY train.py ./`); a later copy to the
 *    same destination wins over an earlier one;
 * 3. nothing found: the build context (or the workspace) -> the working folder.
 * Mappings are ordered most specific container folder first. Folders only, never single files:
 * debugpy matches roots as folder prefixes.
 */
import * as path from 'node:path';
import type { MountSpec } from '../run/mounts';
import { argWords, buildModel, normalizePath, stageChain, substitute, variablesAt, workdirAt, type Stage } from '../dockerfile/model';

export interface PathMapping {
  /** absolute host path */
  localRoot: string;
  /** absolute container path */
  remoteRoot: string;
}

export interface MappingInput {
  /** the workspace folder (absolute) */
  workspace: string;
  /** the run's bind mounts and volumes (bind sources absolute) */
  mounts: MountSpec[];
  /** the Dockerfile's text and its build, when the profile builds its image */
  build?: { dockerfileText: string; context: string; target?: string; args?: Record<string, string> };
  /** the container's working folder (`run.workdir`, else the image's `WorkingDir`); '' or undefined: `/` */
  workingDir?: string;
  /** whether a host path is a folder (injected: the caller reads the disk) */
  isDirectory: (hostPath: string) => boolean;
}

/**
 * The path mappings of a debug run, by the rule above.
 * @returns mappings, most specific `remoteRoot` first; never empty
 */
export function derivePathMappings(o: MappingInput): PathMapping[] {
  const found: PathMapping[] = [];
  const add = (m: PathMapping) => {
    if (!found.some((f) => f.remoteRoot === m.remoteRoot)) found.push(m);
  };
  for (const m of o.mounts) if (m.type === 'bind') add({ localRoot: path.resolve(m.source), remoteRoot: normalizePath(m.target) });
  if (o.build) for (const m of copyMappings(o.build, o.isDirectory).reverse()) add(m);
  if (found.length === 0) add({ localRoot: o.build?.context ?? o.workspace, remoteRoot: normalizePath(o.workingDir || '/') });
  return sortMappings(found);
}

/** Longest container folder first, so `/app/artifacts` applies before `/app`. Stable otherwise. */
export function sortMappings(mappings: PathMapping[]): PathMapping[] {
  return mappings
    .map((m, i) => ({ m, i }))
    .sort((a, b) => b.m.remoteRoot.length - a.m.remoteRoot.length || a.i - b.i)
    .map((x) => x.m);
}

/** The mappings of COPY/ADD lines of the context, in file order. */
function copyMappings(build: NonNullable<MappingInput['build']>, isDirectory: (p: string) => boolean): PathMapping[] {
  const model = buildModel(build.dockerfileText);
  if (model.stages.length === 0) return [];
  const stage: Stage = (build.target && model.stages.find((s) => s.name?.toLowerCase() === build.target!.toLowerCase())) || model.stages[model.stages.length - 1];
  const out: PathMapping[] = [];
  for (const s of stageChain(stage).reverse()) {
    for (const inst of s.instructions) {
      if ((inst.keyword !== 'COPY' && inst.keyword !== 'ADD') || inst.flags.some((f) => f.name === 'from')) continue;
      if (inst.heredocs.length) continue;
      const vars = variablesAt(model, s, inst.index);
      const lookup = (n: string) => vars.get(n) ?? build.args?.[n] ?? model.globalArgs.get(n);
      const words = argWords(inst).map((w) => substitute(w.value, lookup));
      if (words.length < 2 || words.some((w) => w === null)) continue;
      const sources = words.slice(0, -1) as string[];
      const destRaw = words[words.length - 1] as string;
      const workdir = workdirAt(model, s, inst.index).dir;
      if (!destRaw.startsWith('/') && workdir === null) continue;
      const dest = normalizePath(destRaw.startsWith('/') ? destRaw : `${workdir}/${destRaw}`);
      const destIsFolder = destRaw.endsWith('/') || destRaw === '.' || sources.length > 1;
      for (const src of sources) {
        if (/^[a-z]+:\/\//i.test(src)) continue; // ADD of a URL
        const rel = src.replace(/\/+$/, '');
        const wildcard = /[*?[]/.test(path.posix.basename(rel));
        if (/[*?[]/.test(path.posix.dirname(rel))) continue;
        const local = path.resolve(build.context, wildcard ? path.posix.dirname(rel) : rel);
        if (!isInside(local, build.context)) continue;
        if (wildcard) out.push({ localRoot: local, remoteRoot: dest });
        else if (rel === '' || rel === '.' || isDirectory(local)) out.push({ localRoot: local, remoteRoot: dest });
        else if (destIsFolder) out.push({ localRoot: path.dirname(local), remoteRoot: dest });
        else if (path.posix.basename(dest) === path.basename(local)) out.push({ localRoot: path.dirname(local), remoteRoot: path.posix.dirname(dest) });
      }
    }
  }
  return out;
}

function isInside(p: string, root: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Checks user-given `pathMappings` (launch.json), which replace the derived ones.
 * @returns them, sorted most specific first
 * @throws Error naming the entry when one is not `{localRoot, remoteRoot}` with absolute paths
 *   (`${workspaceFolder}` is substituted by VS Code before this runs)
 */
export function checkPathMappings(value: unknown): PathMapping[] {
  if (!Array.isArray(value)) throw new Error('pathMappings must be a list of {"localRoot": "${workspaceFolder}", "remoteRoot": "/usr/local/app"}.');
  return sortMappings(value.map((v, i) => {
    const m = v as Partial<PathMapping> | null;
    if (!m || typeof m.localRoot !== 'string' || typeof m.remoteRoot !== 'string' || !path.isAbsolute(m.localRoot) || !m.remoteRoot.startsWith('/')) {
      throw new Error(`pathMappings[${i}] must have an absolute localRoot (a workspace folder) and an absolute remoteRoot (a container folder), e.g. {"localRoot": "\${workspaceFolder}", "remoteRoot": "/usr/local/app"}.`);
    }
    return { localRoot: m.localRoot, remoteRoot: normalizePath(m.remoteRoot) };
  }));
}
