/**
 * Run profiles: `.vscode/mllab.yaml` (path configurable) read into profiles a run can use. A
 * profile names how to build an image and/or which image to run, and how to run it. The file
 * format is described in docs/profiles.md and schemas/mllab-profiles.schema.json, which is the
 * one description of it: the file is checked against the schema (profileSchema.ts), then what a
 * schema cannot say is resolved in code (profileResolve.ts). The types are in profileTypes.ts.
 */
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { APPS_LABEL, appsLabelValue } from '../apps/apps';
import type { MetricPattern } from '../logs/metricLines';
import type { RunRequest } from './createOptions';
import { ProfileReporter } from './profileSchema';
import { parsedByCode, resolveProfile } from './profileResolve';
import type { MetricDefinition, Profile, ProfileError, ProfileInput } from './profileTypes';

export type { BuildInput, MetricDefinition, Profile, ProfileBuild, ProfileError, ProfileInput, ProfileRun, RunInput, SourceRange } from './profileTypes';
export { PROFILE_FIELDS } from './profileTypes';
export { parseEnvFile, splitCommand } from './commandLine';
export { suggestField } from './profileSchema';

/**
 * Compiles `metrics:` entries for the log parser. The value is the group named `value` or the
 * first group; the step the group named `step` or the second group.
 * @throws SyntaxError for an invalid regex (parseProfiles has reported it already with its line)
 */
export function compileMetricPatterns(defs: readonly MetricDefinition[]): MetricPattern[] {
  return defs.map((d) => ({ name: d.name, regex: new RegExp(d.regex) }));
}

/**
 * Turns a profile into a run request for `toCreateOptions`.
 * @param options.bindAddress host IP for port bindings that name none (setting `mlLab.run.bindAddress`).
 * @param options.envFromFiles variables read from the profile's `envFiles` (merged by the caller,
 *   e.g. with `parseEnvFile`); the profile's own `env` wins over them, as `-e` wins over `--env-file`.
 * @param options.extraLabels labels added to every run (setting `mlLab.run.labels`); the profile's win.
 */
export function toRunRequest(
  profile: Profile,
  options: { bindAddress: string; envFromFiles?: Record<string, string>; extraLabels?: Record<string, string> },
): RunRequest {
  const r = profile.run;
  const req: RunRequest = {
    image: profile.image,
    ports: r.ports,
    mounts: r.mounts,
    env: { ...(options.envFromFiles ?? {}), ...r.env },
    labels: { ...(options.extraLabels ?? {}), ...r.labels, ...(profile.apps?.length ? { [APPS_LABEL]: appsLabelValue(profile.apps) } : {}) },
    bindAddress: options.bindAddress,
    autoRemove: r.autoRemove,
    interactive: r.interactive,
    detach: r.detach,
  };
  if (r.name !== undefined) req.name = r.name;
  if (r.cmd !== undefined) req.cmd = r.cmd;
  if (r.entrypoint !== undefined) req.entrypoint = r.entrypoint;
  if (r.workingDir !== undefined) req.workingDir = r.workingDir;
  if (r.user !== undefined) req.user = r.user;
  if (r.gpus !== undefined) req.gpus = r.gpus;
  if (r.shmSize !== undefined) req.shmSize = r.shmSize;
  if (r.ipcMode !== undefined) req.ipcMode = r.ipcMode;
  if (r.memory !== undefined) req.memory = r.memory;
  if (r.nanoCpus !== undefined) req.nanoCpus = r.nanoCpus;
  if (r.network !== undefined) req.network = r.network;
  if (r.restart !== undefined) req.restart = r.restart;
  if (r.upload?.length) req.upload = r.upload;
  if (r.download?.length) req.download = r.download;
  return req;
}

/**
 * Parses the run-profile file (`.vscode/mllab.yaml`).
 *
 * Shape: `version: 1` and `profiles:` mapping names to `{ description?, build?, image?, run?,
 * apps?, metrics?, engine?, swarm? }`: schemas/mllab-profiles.schema.json and docs/profiles.md.
 * Relative paths (build.dockerfile, build.context, `./` volumes, envFiles, upload/download)
 * resolve against `options.workspaceFolder`; the Dockerfile defaults to `<context>/Dockerfile`,
 * the context to the workspace folder, `detach` to true, `rm` to false. When only `build` is
 * given the image run is `build.tag`; when only `image` and `build` without tag, the build is
 * tagged `image`.
 *
 * Every problem is reported with its 1-based position, its path ("profiles.train.run.ports[0]")
 * and the field's expected form (from the schema): YAML syntax errors and duplicate keys, every
 * failed schema check (unknown fields with "did you mean", wrong types, patterns, ranges, a
 * profile with neither build nor image), then what code checks: port bindings, mounts, GPU
 * requests, sizes, CPUs and image references (through the same parsers the run uses), relative
 * paths with no folder open, command strings, metric regexes, a build tag that differs from
 * image, rules between fields (`rm` with `restart`, ports with network host, detach with
 * interactive/tty), and a container name used by two profiles.
 * A profile with any error inside it is left out of `profiles`; an error outside every profile
 * (syntax, version) leaves out all of them: a half-understood profile never runs.
 *
 * Never throws.
 */
export function parseProfiles(text: string, options: { workspaceFolder?: string } = {}): { profiles: Profile[]; errors: ProfileError[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const r = new ProfileReporter(doc, lc);
  for (const e of doc.errors) {
    const message = e.code === 'DUPLICATE_KEY' ? 'This key is used twice in the same mapping' : e.message.replace(/\s+/g, ' ').trim();
    r.addAt([e.pos[0], e.pos[1]], '', message, 'valid YAML');
  }
  /** [start, end) offsets of every profile under `profiles:`, valid or not. */
  const spans: Array<[number, number]> = [];
  const candidates: Array<{ profile: Profile; start: number; end: number }> = [];
  const root = doc.contents;
  if (root !== null && !(isScalar(root) && (root.value === null || root.value === ''))) {
    let data: unknown;
    try {
      data = doc.toJS();
    } catch (err) {
      // e.g. more aliases than yaml's guard against "billion laughs" expansion allows
      r.addAt(r.span([]), '', `The file cannot be read: ${(err as Error).message}`, 'valid YAML');
    }
    if (data !== undefined) r.checkSchema(data, parsedByCode);
    const profilesNode = isMap(root) ? root.get('profiles', true) : undefined;
    const inputs = (data as { profiles?: Record<string, ProfileInput> } | undefined)?.profiles;
    if (isMap(profilesNode) && inputs && typeof inputs === 'object') {
      for (const pair of profilesNode.items) {
        const key = pair.key as YamlNode | null;
        const value = pair.value as YamlNode | null;
        if (!key?.range) continue;
        const start = key.range[0];
        const end = Math.max(value?.range?.[2] ?? key.range[1], key.range[1]) + 1;
        spans.push([start, end]);
        const name = isScalar(key) ? String(key.value) : undefined;
        if (name === undefined || r.isSchemaProblem(['profiles', name])) continue;
        const profile = resolveProfile(r, options.workspaceFolder, name, inputs[name], r.rangeOf([key.range[0], key.range[1]]));
        if (profile) candidates.push({ profile, start, end });
      }
    }
  }
  r.flushDeferred();
  // A container name claimed by two profiles: the later one is wrong.
  const names = new Map<string, string>();
  for (const c of candidates) {
    const n = c.profile.run.name;
    if (n === undefined) continue;
    const first = names.get(n);
    if (first !== undefined) {
      r.report(['profiles', c.profile.name, 'run', 'name'], `Container name "${n}" is already used by profile "${first}"; Docker needs a name per container`);
    } else {
      names.set(n, c.profile.name);
    }
  }
  const inside = (offset: number, [s, e]: [number, number]): boolean => offset >= s && offset < e;
  const fileLevel = r.errors.some((e) => !spans.some((sp) => inside(e.offset, sp)));
  const profiles = fileLevel ? [] : candidates.filter((c) => !r.errors.some((e) => inside(e.offset, [c.start, c.end]))).map((c) => c.profile);
  const errors = r.errors.sort((a, b) => a.offset - b.offset).map(({ offset: _offset, ...e }) => e);
  return { profiles, errors };
}
