/**
 * One profile, already checked against the JSON Schema, resolved for a run: what a schema cannot
 * say. Paths relative to the workspace folder become absolute; a command string is split like a
 * shell would; port bindings, mounts, GPU requests, sizes, CPUs, image references and transfer
 * specs go through the parsers the guided run uses (src/core/run/*, src/core/transfer/spec.ts);
 * metric regexes are compiled; defaults are filled in; and the rules between fields are checked
 * (build.tag and image, detach with interactive/tty, and the create options' own rules such as
 * rm with restart). A value the schema already reported is skipped, so each problem is said once.
 */
import * as path from 'node:path';
import { UserError } from '../errors';
import { parsePortBinding } from './ports';
import { parseMount } from './mounts';
import { parseGpuRequest } from './gpus';
import { parseByteSize, parseCpus } from './resources';
import { MIN_MEMORY_BYTES, toCreateOptions } from './createOptions';
import { validateImageReference } from '../build/dockerfiles';
import type { AppSpec } from '../apps/apps';
import { parseDownloadSpec, parseUploadSpec } from '../transfer/spec';
import { validateConstraint, type SwarmSection } from '../swarm/section';
import { splitCommand } from './commandLine';
import { expectedAt, pathText, type ProfileReporter, type Segment } from './profileSchema';
import type { MetricDefinition, Profile, ProfileBuild, ProfileInput, ProfileRun, RunInput, SourceRange, SwarmInput } from './profileTypes';

/** What resolving needs: where to report, and the folder relative paths start from. */
interface Ctx {
  r: ProfileReporter;
  workspaceFolder?: string;
}

/** Runs a parser of the `-p`/`-v`/`--gpus`/size syntax and reports its UserError at `segs`. */
function attempt<T>(ctx: Ctx, segs: readonly Segment[], parse: () => T): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    ctx.r.report(segs, err.message);
    ctx.r.supersede(segs);
    return undefined;
  }
}

/**
 * Values a code parser reads whose own messages say more than the schema's pattern: `Size "2 gigs":
 * not a size`, `"-1g": cannot be negative`, a swapped upload spec, a constraint's operators.
 * A pattern failure there waits for the parser (ProfileReporter.checkSchema).
 */
export function parsedByCode(segs: readonly Segment[]): boolean {
  const [, , section, field] = segs;
  return (section === 'run' && ['shmSize', 'memory', 'cpus', 'upload', 'download'].includes(String(field))) || (section === 'swarm' && field === 'constraints');
}

function resolvePath(ctx: Ctx, text: string, segs: readonly Segment[], where: 'value' | 'key' = 'value'): string | undefined {
  if (path.isAbsolute(text)) return path.normalize(text);
  if (ctx.workspaceFolder === undefined || ctx.workspaceFolder === '') {
    ctx.r.report(segs, `The path "${text}" is relative and no folder is open`, where);
    return undefined;
  }
  return path.resolve(ctx.workspaceFolder, text);
}

/** Numbers and booleans in maps and lists become text, as Compose does. */
const texts = (m: Record<string, string | number | boolean> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, String(v)]));

/**
 * Resolves the profile `name` (its value `input`, its key at `range`). Reports every problem the
 * schema could not see through `r`.
 * @returns the profile, or undefined when something in it is wrong (reported)
 */
export function resolveProfile(r: ProfileReporter, workspaceFolder: string | undefined, name: string, input: ProfileInput, range: SourceRange): Profile | undefined {
  const ctx: Ctx = { r, workspaceFolder };
  const p: Segment[] = ['profiles', name];
  const ok = (...rest: Segment[]): boolean => !r.schemaFailed([...p, ...rest]);
  const before = r.errors.length;
  let image: string | undefined;
  if (input.image !== undefined && ok('image')) {
    const problem = validateImageReference(input.image);
    if (problem) r.report([...p, 'image'], `Image "${input.image}": ${problem}`);
    else image = input.image;
  }
  const build = input.build !== undefined && ok('build') ? resolveBuild(ctx, input.build, [...p, 'build']) : undefined;
  if (build && image !== undefined && input.build?.tag !== undefined && build.tag !== undefined && build.tag !== image) {
    r.report([...p, 'image'], `image "${image}" differs from build.tag "${build.tag}": the profile runs the image it builds`);
  }
  if (build && image !== undefined) build.tag ??= image;
  if (input.build !== undefined && input.build.tag === undefined && input.image === undefined && ok('build')) {
    r.report([...p, 'build'], 'build has no tag: give build.tag (or image) so the built image has a name', 'key', expectedAt([...p, 'build', 'tag']));
  }
  const apps = input.apps && ok('apps') ? resolveApps(input.apps) : undefined;
  const metrics = input.metrics && ok('metrics') ? resolveMetrics(ctx, input.metrics, [...p, 'metrics']) : undefined;
  const swarm = input.swarm !== undefined && ok('swarm') ? resolveSwarm(ctx, input.swarm, [...p, 'swarm']) : undefined;
  const run = resolveRun(ctx, input.run, [...p, 'run']);
  const finalImage = image ?? build?.tag;
  if (r.errors.length !== before || !run || finalImage === undefined || r.schemaFailed(p)) return undefined;
  const profile: Profile = { name, image: finalImage, run, range };
  if (input.description !== undefined) profile.description = input.description;
  if (build) profile.build = build as ProfileBuild;
  if (apps) profile.apps = apps;
  if (metrics) profile.metrics = metrics;
  if (input.engine !== undefined) profile.engine = input.engine;
  if (swarm) profile.swarm = swarm;
  return profile;
}

/** build.context defaults to the workspace folder, build.dockerfile to `<context>/Dockerfile`. */
function resolveBuild(ctx: Ctx, b: NonNullable<ProfileInput['build']>, p: Segment[]): Partial<ProfileBuild> {
  const out: Partial<ProfileBuild> = { args: texts(b.args) };
  out.context = resolvePath(ctx, b.context ?? '.', b.context === undefined ? p : [...p, 'context'], b.context === undefined ? 'key' : 'value');
  if (b.dockerfile !== undefined) out.dockerfile = resolvePath(ctx, b.dockerfile, [...p, 'dockerfile']);
  else if (out.context !== undefined) out.dockerfile = path.join(out.context, 'Dockerfile');
  if (b.tag !== undefined) {
    const problem = validateImageReference(b.tag);
    if (problem) ctx.r.report([...p, 'tag'], `Tag "${b.tag}": ${problem}`);
    else out.tag = b.tag;
  }
  if (b.target !== undefined) out.target = b.target;
  if (b.platform !== undefined) out.platform = b.platform;
  return out;
}

/** apps: path defaults to "/", health to path. */
function resolveApps(apps: NonNullable<ProfileInput['apps']>): AppSpec[] {
  return apps.map((a) => ({ name: a.name, port: a.port, path: a.path ?? '/', health: a.health ?? a.path ?? '/' }));
}

/** metrics: each regex must compile and have a capture group for the value. */
function resolveMetrics(ctx: Ctx, defs: NonNullable<ProfileInput['metrics']>, p: Segment[]): MetricDefinition[] {
  const out: MetricDefinition[] = [];
  defs.forEach(({ name, regex }, i) => {
    const at = [...p, i, 'regex'];
    const ip = pathText([...p, i]);
    let groups = 0;
    try {
      new RegExp(regex);
      // the number of groups: an empty alternative makes the expression match '' with every group undefined
      groups = (new RegExp(`${regex}|`).exec('') ?? []).length - 1;
    } catch (err) {
      ctx.r.report(at, `${ip}.regex is not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
      return;
    }
    if (groups < 1) {
      ctx.r.report(at, `${ip}.regex has no capture group: put the value in parentheses, e.g. "loss: ([0-9.]+)"`);
      return;
    }
    out.push({ name, regex });
  });
  return out;
}

/** swarm: replicas default 1; constraints written with one space around the operator; named volumes parsed. */
function resolveSwarm(ctx: Ctx, s: SwarmInput, p: Segment[]): SwarmSection {
  const out: SwarmSection = { replicas: s.replicas ?? 1, constraints: [] };
  if (s.maxConcurrent !== undefined) out.maxConcurrent = s.maxConcurrent;
  if (s.maxPerNode !== undefined) out.maxPerNode = s.maxPerNode;
  (s.constraints ?? []).forEach((c, i) => {
    const v = attempt(ctx, [...p, 'constraints', i], () => validateConstraint(c));
    if (v) out.constraints.push(v);
  });
  if (s.spread !== undefined) out.spread = s.spread.trim();
  if (s.registry !== undefined) out.registry = s.registry.trim();
  if (s.volumes) {
    out.volumes = [];
    s.volumes.forEach((v, i) => {
      const m = attempt(ctx, [...p, 'volumes', i], () => parseMount(v, ctx.workspaceFolder));
      if (m) out.volumes!.push(m);
    });
  }
  return out;
}

/** `command`/`entrypoint`: a list of words, or one string split like a shell would; `entrypoint: ""` clears the image's. */
function words(ctx: Ctx, v: string | string[], segs: Segment[], allowEmpty: boolean): string[] | undefined {
  if (Array.isArray(v)) return v.map(String);
  if (v.trim() === '') {
    if (allowEmpty) return [''];
    ctx.r.report(segs, `${pathText(segs)} is empty`);
    return undefined;
  }
  return attempt(ctx, segs, () => splitCommand(v));
}

function resolveRun(ctx: Ctx, input: RunInput | undefined, p: Segment[]): ProfileRun | undefined {
  const run: ProfileRun = { ports: [], mounts: [], env: {}, envFiles: [], autoRemove: false, detach: true, interactive: false, labels: {} };
  if (input === undefined) return run;
  const { r } = ctx;
  const before = r.errors.length;
  const ok = (key: keyof RunInput): boolean => input[key] !== undefined && !r.schemaFailed([...p, key]);
  const at = (key: keyof RunInput, ...rest: Segment[]): Segment[] => [...p, key, ...rest];
  if (ok('name')) run.name = input.name;
  if (ok('command')) run.cmd = words(ctx, input.command!, at('command'), false);
  if (ok('entrypoint')) run.entrypoint = words(ctx, input.entrypoint!, at('entrypoint'), true);
  if (ok('workdir')) run.workingDir = input.workdir;
  if (ok('user')) run.user = String(input.user);
  if (ok('ports')) {
    input.ports!.forEach((text, i) => {
      const b = attempt(ctx, at('ports', i), () => parsePortBinding(String(text)));
      if (b) run.ports.push(b);
    });
  }
  if (ok('volumes')) {
    input.volumes!.forEach((text, i) => {
      const m = attempt(ctx, at('volumes', i), () => parseMount(text, ctx.workspaceFolder));
      if (m) run.mounts.push(m);
    });
  }
  if (ok('env')) run.env = texts(input.env);
  if (ok('envFiles')) {
    input.envFiles!.forEach((text, i) => {
      const file = resolvePath(ctx, text, at('envFiles', i));
      if (file) run.envFiles.push(file);
    });
  }
  for (const key of ['upload', 'download'] as const) {
    if (!ok(key)) continue;
    input[key]!.forEach((text, i) => {
      const spec = attempt(ctx, at(key, i), () => (key === 'upload' ? parseUploadSpec : parseDownloadSpec)(text, ctx.workspaceFolder));
      if (spec) (run[key] ??= []).push(spec);
    });
  }
  if (ok('gpus')) run.gpus = attempt(ctx, at('gpus'), () => parseGpuRequest(input.gpus!));
  if (ok('shmSize')) run.shmSize = attempt(ctx, at('shmSize'), () => parseByteSize(input.shmSize!));
  if (ok('memory')) {
    const bytes = attempt(ctx, at('memory'), () => parseByteSize(input.memory!));
    if (bytes !== undefined && bytes < MIN_MEMORY_BYTES) r.report(at('memory'), `Memory limit "${String(input.memory)}" is below Docker's minimum of 6 MB`);
    else run.memory = bytes;
  }
  if (ok('cpus')) run.nanoCpus = attempt(ctx, at('cpus'), () => parseCpus(input.cpus!));
  if (ok('ipc')) run.ipcMode = input.ipc;
  if (ok('network')) run.network = input.network;
  if (ok('restart')) run.restart = input.restart;
  if (ok('rm')) run.autoRemove = input.rm!;
  if (ok('labels')) run.labels = texts(input.labels);
  if (r.schemaFailed(p) || r.errors.length !== before) return undefined;
  resolveRunMode(ctx, run, input, p);
  if (r.errors.length !== before) return undefined;
  // Rules between fields (--rm with --restart, ports with network host...): the create options say.
  try {
    toCreateOptions({ ...run, image: 'x', cmd: run.cmd, bindAddress: '127.0.0.1' });
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    r.report(p, err.message, 'key');
    return undefined;
  }
  return run;
}

/**
 * `detach`, `interactive` and `tty` -> the run's `detach` and `interactive` (see ProfileRun):
 * `interactive` and `tty` are one switch (`-it`) and must agree; either true makes `detach`
 * default to false; `detach: false` runs in a terminal, so it cannot go with `interactive: false`.
 */
function resolveRunMode(ctx: Ctx, run: ProfileRun, said: RunInput, p: Segment[]): void {
  if (said.interactive !== undefined && said.tty !== undefined && said.interactive !== said.tty) {
    ctx.r.report([...p, 'tty'], `tty: ${said.tty} contradicts interactive: ${said.interactive}: the terminal a run attaches is a TTY with stdin (docker run -it), so -i or -t alone is not supported; give both the same value`);
    return;
  }
  const want = said.interactive ?? said.tty;
  run.detach = said.detach ?? want !== true;
  run.interactive = want ?? !run.detach;
  if (!run.detach && !run.interactive) {
    const key = said.interactive !== undefined ? 'interactive' : 'tty';
    ctx.r.report([...p, key], `detach: false runs the container in an interactive terminal (docker run -it), which ${key}: false turns off; set detach: true to run it in the background and follow its logs`);
  }
}
