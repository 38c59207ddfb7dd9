/**
 * Run profiles: the model of `.vscode/mllab.yaml` (path configurable) and its parser.
 * A profile names how to build an image and/or which image to run, and how to run it.
 * The file format is described in docs/profiles.md and schemas/mllab-profiles.schema.json.
 */
import * as path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node as YamlNode, Pair, YAMLMap } from 'yaml';
import { UserError } from '../errors';
import { PortBinding, parsePortBinding } from './ports';
import { MountSpec, parseMount } from './mounts';
import { GpuRequest, parseGpuRequest } from './gpus';
import { parseByteSize, parseCpus } from './resources';
import { CONTAINER_NAME, ENV_NAME, MIN_MEMORY_BYTES, RunRequest, parseRestartPolicy, toCreateOptions, validateIpcMode } from './createOptions';
import { validateImageReference } from '../build/dockerfiles';
import { APPS_LABEL, appsLabelValue, type AppSpec } from '../apps/apps';
import type { MetricPattern } from '../logs/metricLines';
import { parseDownloadSpec, parseUploadSpec, type TransferSpec } from '../transfer/spec';
import { validateConstraint, validateSpread, type SwarmSection } from '../swarm/serviceSpec';

/** 1-based line/column positions (columns count UTF-16 code units, as the editor does); end is exclusive. */
export interface SourceRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** How to build the profile's image: `docker build -f dockerfile -t tag --build-arg ... --target ... --platform ... context`. */
export interface ProfileBuild {
  /** Absolute path of the Dockerfile. */
  dockerfile: string;
  /** Absolute path of the build context folder. */
  context: string;
  /** Image reference the build is tagged with, e.g. "iris-train:v1". */
  tag: string;
  /** Build args (`--build-arg K=V`). */
  args: Record<string, string>;
  /** Build stage to stop at (`--target`). */
  target?: string;
  /** Target platform (`--platform`), e.g. "linux/amd64". */
  platform?: string;
}

/** How to run the profile's container; resolved and typed (sizes in bytes, paths absolute). */
export interface ProfileRun {
  /** Container name; undefined lets the caller suggest one. */
  name?: string;
  /** Overrides the image's CMD. */
  cmd?: string[];
  /** Overrides the image's ENTRYPOINT. */
  entrypoint?: string[];
  /** Working directory inside the container. */
  workingDir?: string;
  /** `name`, `uid`, `uid:gid` or `name:group`. */
  user?: string;
  ports: PortBinding[];
  /** Bind mounts (host paths absolute, resolved against the workspace folder) and named volumes. */
  mounts: MountSpec[];
  env: Record<string, string>;
  /** Absolute paths of env files (`--env-file`), in order; the caller reads them (`parseEnvFile`). */
  envFiles: string[];
  gpus?: GpuRequest;
  /** /dev/shm size in bytes. */
  shmSize?: number;
  ipcMode?: string;
  /** Memory limit in bytes. */
  memory?: number;
  /** CPU limit in billionths of a CPU. */
  nanoCpus?: number;
  network?: string;
  /** Remove the container when it exits (`--rm`); default false. */
  autoRemove: boolean;
  /**
   * Run in the background (`-d`). Default true, or false when `interactive`/`tty` is true;
   * false runs in an interactive terminal (`-it`).
   */
  detach: boolean;
  /**
   * Keep stdin open and allocate a TTY (`-it`): from `interactive` or `tty` (one switch: the
   * terminal the extension attaches is a TTY with stdin), else `!detach`. With `detach: true`
   * it is `docker run -dit`: stdin kept open, no terminal attached.
   */
  interactive: boolean;
  labels: Record<string, string>;
  restart?: string;
  /** Workspace paths copied into the container before it starts (`upload: ["./data:/app/data"]`). */
  upload?: TransferSpec[];
  /** Container paths copied into the workspace after it exits (`download: ["/app/artifacts:./artifacts"]`). */
  download?: TransferSpec[];
}

/** A profile that parsed without any error. */
export interface Profile {
  /** The key under `profiles:`, e.g. "train". */
  name: string;
  description?: string;
  build?: ProfileBuild;
  /** Image to run: `image`, or `build.tag` when only `build` is given. */
  image: string;
  run: ProfileRun;
  /**
   * Apps the container serves (`apps: [{name: jupyter, port: 8888, path: /lab, health: /api}]`);
   * the run carries them in the APPS_LABEL label so the Containers view shows each once it answers.
   */
  apps?: AppSpec[];
  /**
   * User-declared metric patterns (`metrics: [{name: bleu, regex: 'BLEU = ([0-9.]+)'}]`), in the
   * form of SageMaker's MetricDefinitions (Name, Regex; the first capture group is the value):
   * the Training Run panel and `mllab-metrics` try them on each log line before the built-in forms.
   */
  metrics?: MetricDefinition[];
  /**
   * The engine the profile runs on (`engine: gpu-box`): a Docker context's name, or an entry of
   * the Engines view (`default`). Unset: the current engine. Resolved when the profile runs
   * (src/core/contexts.ts `engineNamed`).
   */
  engine?: string;
  /** How it runs as a Swarm job: `swarm: { replicas, constraints, maxConcurrent, ... }`. */
  swarm?: SwarmSection;
  /** Where the profile's key is, for "go to profile". */
  range: SourceRange;
}

/** One `metrics:` entry: the series name and the regular expression's source text. */
export interface MetricDefinition {
  name: string;
  regex: string;
}

/**
 * Compiles `metrics:` entries for the log parser. The value is the group named `value` or the
 * first group; the step the group named `step` or the second group.
 * @throws SyntaxError for an invalid regex (parseProfiles has reported it already with its line)
 */
export function compileMetricPatterns(defs: readonly MetricDefinition[]): MetricPattern[] {
  return defs.map((d) => ({ name: d.name, regex: new RegExp(d.regex) }));
}

/** One problem in the profile file. */
export interface ProfileError extends SourceRange {
  message: string;
  /** Where in the file: "profiles.train.run.ports[0]"; "" for the whole file. */
  path: string;
  /** The field's expected form, e.g. "[host-ip:][host-port:]container-port[/protocol], e.g. 4000:8080". */
  expected: string;
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
 * Every field name the file may hold, per section. The JSON Schema
 * (schemas/mllab-profiles.schema.json) lists the same names; a unit test keeps them equal.
 */
export const PROFILE_FIELDS = {
  file: ['version', 'profiles'],
  profile: ['description', 'build', 'image', 'run', 'apps', 'metrics', 'engine', 'swarm'],
  app: ['name', 'port', 'path', 'health'],
  metric: ['name', 'regex'],
  build: ['dockerfile', 'context', 'tag', 'args', 'target', 'platform'],
  run: [
    'name', 'command', 'entrypoint', 'workdir', 'user', 'ports', 'volumes', 'env', 'envFiles', 'gpus',
    'shmSize', 'ipc', 'memory', 'cpus', 'network', 'rm', 'detach', 'interactive', 'tty', 'labels', 'restart',
    'upload', 'download',
  ],
  // Run Profile on Swarm
  swarm: ['replicas', 'maxConcurrent', 'constraints', 'maxPerNode', 'spread', 'registry', 'volumes'],
} as const;

/** The expected form of each field, as error messages name it ("section.field"). */
export const FIELD_EXPECTED: Record<string, string> = {
  file: 'a mapping with version: 1 and profiles:',
  version: '1',
  profiles: 'a mapping of profile names to profiles, e.g. train: { image: iris-train:v1 }',
  profileName: 'a profile name of letters, digits, _, . and -, e.g. train',
  profile: 'a mapping with build and/or image, and run',
  'profile.description': 'a short text shown in the profile picker',
  'profile.build': 'a mapping: dockerfile, context, tag, args, target, platform',
  'profile.image': 'an image reference, e.g. iris-train:v1',
  'profile.run': 'a mapping of run options, e.g. ports, volumes, env',
  'profile.apps': 'a list of apps, e.g. [{name: jupyter, port: 8888, path: /lab, health: /api}]',
  'profile.metrics': 'a list of {name, regex} metric patterns (as SageMaker MetricDefinitions), e.g. [{name: bleu, regex: "BLEU = ([0-9.]+)"}]',
  'metric.name': 'the series name the values go to, e.g. bleu',
  'metric.regex': 'a JavaScript regular expression whose first capture group (or group named value) is the value and whose optional second group (or group named step) is the step, e.g. "BLEU = ([0-9.]+) at update (\\d+)"',
  'profile.engine': 'the name of a Docker context or an entry of the Engines view, e.g. gpu-box',
  'app.name': 'a short name shown in the Containers view, e.g. jupyter',
  'app.port': 'the container port the app listens on (1-65535), e.g. 8888',
  'app.path': 'a URL path starting with /, e.g. /lab',
  'app.health': 'a URL path starting with / that answers HTTP 2xx/3xx once the app is up, e.g. /api',
  'build.dockerfile': 'a path relative to the workspace folder, e.g. train.dockerfile',
  'build.context': 'a folder relative to the workspace folder, e.g. .',
  'build.tag': 'an image reference, e.g. iris-train:v1',
  'build.args': 'a mapping of build arg names to values, e.g. { BASE_IMAGE: python:3.11-slim }',
  'build.target': 'a build stage name, e.g. runtime',
  'build.platform': 'os/arch[/variant], e.g. linux/amd64',
  'run.name': 'a container name of letters, digits, _, . and - (at least 2 characters), e.g. iris-train',
  'run.command': 'a list of words, e.g. ["python", "train.py"], or a string split like a shell would',
  'run.entrypoint': 'a list of words, e.g. ["python", "-u"], or a string split like a shell would',
  'run.workdir': 'an absolute path inside the container, e.g. /usr/local/app',
  'run.user': 'name, uid, uid:gid or name:group, e.g. "1000:1000"',
  'run.ports': 'a list of [host-ip:][host-port:]container-port[/protocol], e.g. ["4000:8080"]',
  'run.volumes': 'a list of host-path-or-volume:/container/path[:ro], e.g. ["./artifacts:/usr/local/app/artifacts"]',
  'run.env': 'a mapping of variable names to values, e.g. { EPOCHS: "20" }',
  'run.envFiles': 'a list of env file paths relative to the workspace folder, e.g. [".env"]',
  'run.gpus': 'all, a count such as 2, or device ids such as device=0,1',
  'run.shmSize': 'a size such as 2g or 512m (b, k, m, g; 1k = 1024 bytes)',
  'run.ipc': 'host, private, shareable, none or container:<name>',
  'run.memory': 'a size of at least 6m, such as 8g or 512m',
  'run.cpus': 'a number of CPUs such as 2 or 1.5',
  'run.network': 'bridge, host, none, container:<name> or a network name',
  'run.rm': 'true or false',
  'run.detach': 'true (run in the background) or false (interactive)',
  'run.interactive': 'true (keep stdin open and attach a terminal, docker run -it) or false',
  'run.tty': 'true (allocate a TTY and attach a terminal, docker run -it) or false',
  'run.labels': 'a mapping of label names to values, e.g. { course: ml101 }',
  'run.restart': 'no, always, unless-stopped, on-failure or on-failure:N',
  'run.upload': 'a list of workspace-path:/container/path copied into the container before it starts, e.g. ["./data:/app/data"]',
  'run.download': 'a list of /container/path:workspace-path copied out after it exits, e.g. ["/app/artifacts:./artifacts"]',
  // Run Profile on Swarm
  'profile.swarm': 'a mapping: replicas, maxConcurrent, constraints, maxPerNode, spread, registry, volumes',
  'swarm.replicas': 'how many tasks must complete, a whole number of at least 1, e.g. 3',
  'swarm.maxConcurrent': 'how many tasks run at once, a whole number of at least 1, e.g. 2',
  'swarm.constraints': 'a list of placement constraints, e.g. ["node.labels.gpu == true"]',
  'swarm.maxPerNode': 'at most this many tasks on one node, a whole number of at least 1, e.g. 1',
  'swarm.spread': 'a node attribute to spread tasks over, e.g. node.labels.rack',
  'swarm.registry': 'a registry (and namespace) to push the image to, e.g. 127.0.0.1:5000/course',
  'swarm.volumes': 'a list of named volumes volume:/container/path[:ro], e.g. ["iris-artifacts:/usr/local/app/artifacts"]',
};

/** Names people write for our fields (Compose and CLI spellings) -> our name. */
const ALIASES: Record<string, string> = {
  volume: 'volumes', mounts: 'volumes', port: 'ports', publish: 'ports', shm_size: 'shmSize', 'shm-size': 'shmSize',
  working_dir: 'workdir', workingDir: 'workdir', workingdir: 'workdir', environment: 'env', env_file: 'envFiles',
  env_files: 'envFiles', envFile: 'envFiles', 'env-file': 'envFiles', cmd: 'command', mem_limit: 'memory', mem: 'memory',
  remove: 'rm', autoRemove: 'rm', auto_remove: 'rm', container_name: 'name', gpu: 'gpus', ipc_mode: 'ipc', ipcMode: 'ipc',
  network_mode: 'network', stdin_open: 'interactive', stdinOpen: 'interactive', openStdin: 'interactive', label: 'labels', build_args: 'args', buildArgs: 'args', 'build-arg': 'args', file: 'dockerfile',
};

function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** The known field nearest to `key` (a known alias, same letters in another case, or at most 2 edits away). */
export function suggestField(key: string, known: readonly string[]): string | undefined {
  const alias = ALIASES[key];
  if (alias !== undefined && known.includes(alias)) return alias;
  const lower = key.toLowerCase().replace(/[-_]/g, '');
  const same = known.find((k) => k.toLowerCase() === lower);
  if (same) return same;
  let best: string | undefined;
  let bestDistance = key.length <= 3 ? 1 : 2;
  for (const k of known) {
    const dist = editDistance(key.toLowerCase(), k.toLowerCase());
    if (dist <= bestDistance) {
      best = k;
      bestDistance = dist - 1;
    }
  }
  return best;
}

/**
 * Splits a command written as one string into words, like a POSIX shell would but without
 * running one: words are separated by spaces and tabs; `'...'` keeps everything literally;
 * `"..."` keeps everything except `\"`, `\\`, `\$` and `` \` `` (the backslash goes); a backslash
 * outside quotes keeps the next character. No expansion happens: `$HOME`, `*.py`, `~` and
 * `&&` reach the program as written (use `["sh", "-c", "..."]` for shell features).
 *
 * @example splitCommand(`python train.py --note "first run"`) -> ["python", "train.py", "--note", "first run"]
 * @throws UserError for an unterminated quote or a trailing backslash.
 */
export function splitCommand(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new UserError(`Command "${text}": the single quote at character ${i + 1} is not closed.`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length && '"\\$`'.includes(text[j + 1])) j++;
        word += text[j];
      }
      if (j >= text.length) throw new UserError(`Command "${text}": the double quote at character ${i + 1} is not closed.`);
      i = j;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new UserError(`Command "${text}": it ends with a backslash.`);
      word += text[++i];
      inWord = true;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Reads an env file as `docker run --env-file` does (docker/cli opts/envfile.go): one
 * `NAME=value` per line, the value taken literally (quotes are NOT removed, no `$` expansion);
 * leading whitespace is ignored; blank lines and lines starting with `#` are skipped; a line
 * with only `NAME` takes the value from `hostEnv`, and is left out when the host has none.
 *
 * @param hostEnv the extension host's environment (process.env) for bare names.
 * @throws UserError naming the line for a name with whitespace or an empty name.
 */
export function parseEnvFile(text: string, hostEnv: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/^[ \t\v\f]+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const name = eq < 0 ? line : line.slice(0, eq);
    if (name === '') throw new UserError(`Env file line ${i + 1}: no variable name before "=".`);
    if (/\s/.test(name)) throw new UserError(`Env file line ${i + 1}: variable "${name}" contains whitespace; expected NAME=value.`);
    if (eq >= 0) env[name] = line.slice(eq + 1);
    else if (hostEnv[name] !== undefined) env[name] = hostEnv[name] as string;
  });
  return env;
}

interface Ctx {
  lc: LineCounter;
  errors: Array<ProfileError & { offset: number }>;
  workspaceFolder?: string;
  /** [start, end) offsets of every profile under `profiles:`, valid or not. */
  profileSpans: Array<[number, number]>;
}

function rangeOf(ctx: Ctx, start: number, end: number): SourceRange {
  const a = ctx.lc.linePos(start);
  const b = ctx.lc.linePos(Math.max(end, start));
  return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

/** Source span [start, end) of a node, or of the pair's key when the value is missing. */
function span(node: unknown, fallback?: unknown): [number, number] {
  const r = (node as YamlNode | null | undefined)?.range;
  if (r) return [r[0], r[1] > r[0] ? r[1] : r[0]];
  if (fallback !== undefined) return span(fallback);
  return [0, 0];
}

function report(ctx: Ctx, at: [number, number], pathText: string, message: string, expectedKey: string): void {
  ctx.errors.push({ message, ...rangeOf(ctx, at[0], at[1]), path: pathText, expected: FIELD_EXPECTED[expectedKey] ?? expectedKey, offset: at[0] });
}

type Section = keyof typeof PROFILE_FIELDS;
const SECTION_OF_FIELD = new Map<string, Section>();
for (const section of ['build', 'run', 'profile', 'app', 'swarm'] as const) for (const f of PROFILE_FIELDS[section]) if (!SECTION_OF_FIELD.has(f)) SECTION_OF_FIELD.set(f, section);

/** Pairs of a mapping with string keys; reports non-mappings, non-string keys and unknown keys. */
function fields(ctx: Ctx, node: unknown, keyNode: unknown, pathText: string, section: Section, expectedKey: string): Map<string, Pair> | undefined {
  if (!isMap(node)) {
    report(ctx, span(node, keyNode), pathText, `${pathText || 'The file'} should be a mapping (key: value lines)`, expectedKey);
    return undefined;
  }
  const known = PROFILE_FIELDS[section] as readonly string[];
  const out = new Map<string, Pair>();
  for (const pair of (node as YAMLMap).items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof key !== 'string') {
      report(ctx, span(pair.key, pair.value), pathText, `Keys in ${pathText || 'the file'} must be names`, expectedKey);
      continue;
    }
    if (!known.includes(key)) {
      const suggestion = suggestField(key, known);
      const elsewhere = SECTION_OF_FIELD.get(key);
      let message = `Unknown field "${key}" in ${pathText || 'the file'}`;
      if (suggestion !== undefined) message += `; did you mean "${suggestion}"?`;
      else if (elsewhere !== undefined && elsewhere !== section) message += `; "${key}" belongs under ${elsewhere === 'profile' ? 'the profile itself' : `${elsewhere}:`}`;
      report(ctx, span(pair.key), pathText === '' ? key : `${pathText}.${key}`, message, `one of: ${known.join(', ')}`);
      continue;
    }
    out.set(key, pair);
  }
  return out;
}

/** Scalar value of a pair, with its span; undefined value for a missing/null value or a collection. */
function scalarOf(pair: Pair): { value: unknown; at: [number, number]; isScalar: boolean } {
  const at = span(pair.value, pair.key);
  if (isScalar(pair.value)) return { value: pair.value.value, at, isScalar: true };
  return { value: pair.value ?? null, at, isScalar: pair.value === null || pair.value === undefined };
}

function describe(value: unknown, node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (value === null || value === undefined) return 'empty';
  if (typeof value === 'string') return `the text "${value}"`;
  return `${typeof value === 'number' ? 'the number' : typeof value === 'boolean' ? 'the boolean' : ''} ${String(value)}`.trim();
}

/** Reads a scalar of the given kinds; reports and returns undefined otherwise. */
function scalar(ctx: Ctx, pair: Pair, p: string, key: string, kinds: Array<'string' | 'number' | 'boolean'>): string | number | boolean | undefined {
  const { value, at } = scalarOf(pair);
  if (kinds.includes(typeof value as 'string')) {
    if (typeof value === 'string' && value.trim() === '' && !kinds.includes('boolean')) {
      report(ctx, at, p, `${p} is empty`, key);
      return undefined;
    }
    return value as string | number | boolean;
  }
  const want = kinds.map((k) => (k === 'string' ? 'text' : k === 'number' ? 'a number' : 'true or false')).join(' or ');
  report(ctx, at, p, `${p} should be ${want}, not ${describe(value, pair.value)}`, key);
  return undefined;
}

/** Runs a parser of the existing `-p`/`-v`/`--gpus`/size syntax and turns its UserError into a report. */
function attempt<T>(ctx: Ctx, at: [number, number], p: string, key: string, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    report(ctx, at, p, err.message, key);
    return undefined;
  }
}

/** A list of scalars (numbers and booleans become text); reports other items. */
function list(ctx: Ctx, pair: Pair, p: string, key: string): Array<{ text: string; at: [number, number]; path: string }> | undefined {
  if (!isSeq(pair.value)) {
    const { value } = scalarOf(pair);
    report(ctx, span(pair.value, pair.key), p, `${p} should be a list, not ${describe(value, pair.value)}`, key);
    return undefined;
  }
  const out: Array<{ text: string; at: [number, number]; path: string }> = [];
  pair.value.items.forEach((item, i) => {
    const ip = `${p}[${i}]`;
    const v = isScalar(item) ? item.value : undefined;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.push({ text: String(v), at: span(item), path: ip });
    else report(ctx, span(item, pair.value), ip, `${ip} should be text, not ${describe(v ?? null, item)}`, key);
  });
  return out;
}

/** A mapping of names to scalar values (numbers and booleans become text, as Compose does). */
function stringMap(ctx: Ctx, pair: Pair, p: string, key: string, nameRule?: { re: RegExp; what: string }): Record<string, string> | undefined {
  if (!isMap(pair.value)) {
    report(ctx, span(pair.value, pair.key), p, `${p} should be a mapping, not ${describe(scalarOf(pair).value, pair.value)}`, key);
    return undefined;
  }
  const out: Record<string, string> = {};
  let ok = true;
  for (const item of pair.value.items) {
    const name = isScalar(item.key) ? item.key.value : undefined;
    const ip = `${p}.${String(name)}`;
    if (typeof name !== 'string' && typeof name !== 'number') {
      report(ctx, span(item.key, item.value), p, `Names in ${p} must be text`, key);
      ok = false;
      continue;
    }
    if (nameRule && !nameRule.re.test(String(name))) {
      report(ctx, span(item.key), ip, `"${String(name)}" is not a valid ${nameRule.what}`, key);
      ok = false;
    }
    const v = isScalar(item.value) ? item.value.value : undefined;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[String(name)] = String(v);
    else {
      report(ctx, span(item.value, item.key), ip, `${ip} should be text${v === null || item.value === null ? ' (write "" for an empty value)' : ''}, not ${describe(v ?? null, item.value)}`, key);
      ok = false;
    }
  }
  return ok ? out : undefined;
}

function resolvePath(ctx: Ctx, text: string, at: [number, number], p: string, key: string): string | undefined {
  if (path.isAbsolute(text)) return path.normalize(text);
  if (ctx.workspaceFolder === undefined || ctx.workspaceFolder === '') {
    report(ctx, at, p, `The path "${text}" is relative and no folder is open`, key);
    return undefined;
  }
  return path.resolve(ctx.workspaceFolder, text);
}

function words(ctx: Ctx, pair: Pair, p: string, key: string, allowEmpty: boolean): string[] | undefined {
  if (isSeq(pair.value)) {
    const items = list(ctx, pair, p, key);
    return items?.map((i) => i.text);
  }
  const { value, at } = scalarOf(pair);
  if (typeof value !== 'string') {
    report(ctx, at, p, `${p} should be a list of words or a string, not ${describe(value, pair.value)}`, key);
    return undefined;
  }
  if (value.trim() === '') {
    if (allowEmpty) return [''];
    report(ctx, at, p, `${p} is empty`, key);
    return undefined;
  }
  return attempt(ctx, at, p, key, () => splitCommand(value));
}

function parseBuild(ctx: Ctx, pair: Pair, p: string): Partial<ProfileBuild> | undefined {
  const f = fields(ctx, pair.value, pair.key, p, 'build', 'profile.build');
  if (!f) return undefined;
  const before = ctx.errors.length;
  const b: Partial<ProfileBuild> = { args: {} };
  let contextText = '.';
  const ctxPair = f.get('context');
  if (ctxPair) {
    const v = scalar(ctx, ctxPair, `${p}.context`, 'build.context', ['string']);
    if (typeof v === 'string') contextText = v;
  }
  b.context = resolvePath(ctx, contextText, span(ctxPair?.value, ctxPair?.key ?? pair.key), `${p}.context`, 'build.context');
  const dfPair = f.get('dockerfile');
  if (dfPair) {
    const v = scalar(ctx, dfPair, `${p}.dockerfile`, 'build.dockerfile', ['string']);
    if (typeof v === 'string') b.dockerfile = resolvePath(ctx, v, span(dfPair.value), `${p}.dockerfile`, 'build.dockerfile');
  } else if (b.context !== undefined) {
    b.dockerfile = path.join(b.context, 'Dockerfile');
  }
  const tagPair = f.get('tag');
  if (tagPair) {
    const v = scalar(ctx, tagPair, `${p}.tag`, 'build.tag', ['string']);
    if (typeof v === 'string') {
      const problem = validateImageReference(v);
      if (problem) report(ctx, span(tagPair.value), `${p}.tag`, `Tag "${v}": ${problem}`, 'build.tag');
      else b.tag = v;
    }
  }
  const argsPair = f.get('args');
  if (argsPair) b.args = stringMap(ctx, argsPair, `${p}.args`, 'build.args', { re: /^[A-Za-z_][A-Za-z0-9_]*$/, what: 'build arg name' });
  const targetPair = f.get('target');
  if (targetPair) {
    const v = scalar(ctx, targetPair, `${p}.target`, 'build.target', ['string']);
    if (typeof v === 'string') {
      if (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(v)) b.target = v;
      else report(ctx, span(targetPair.value), `${p}.target`, `Build stage "${v}" is not a valid stage name`, 'build.target');
    }
  }
  const platformPair = f.get('platform');
  if (platformPair) {
    const v = scalar(ctx, platformPair, `${p}.platform`, 'build.platform', ['string']);
    if (typeof v === 'string') {
      if (/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(v)) b.platform = v;
      else report(ctx, span(platformPair.value), `${p}.platform`, `Platform "${v}" is not os/arch[/variant]`, 'build.platform');
    }
  }
  return ctx.errors.length === before ? b : undefined;
}

function parseRun(ctx: Ctx, pair: Pair | undefined, p: string): ProfileRun | undefined {
  const run: ProfileRun = { ports: [], mounts: [], env: {}, envFiles: [], autoRemove: false, detach: true, interactive: false, labels: {} };
  /** What the file says about -d, -i and -t (undefined: not given), with where it says it. */
  const said: { detach?: boolean; interactive?: boolean; tty?: boolean } = {};
  const saidAt: Record<string, [number, number]> = {};
  if (!pair) return run;
  const f = fields(ctx, pair.value, pair.key, p, 'run', 'profile.run');
  if (!f) return undefined;
  const before = ctx.errors.length;
  for (const [key, fp] of f) {
    const fpath = `${p}.${key}`;
    const ek = `run.${key}`;
    const at = span(fp.value, fp.key);
    switch (key) {
      case 'name': {
        const v = scalar(ctx, fp, fpath, ek, ['string']);
        if (typeof v === 'string') {
          if (CONTAINER_NAME.test(v) && !v.startsWith('/')) run.name = v;
          else report(ctx, at, fpath, `Container name "${v}" is not valid`, ek);
        }
        break;
      }
      case 'command':
        run.cmd = words(ctx, fp, fpath, ek, false);
        break;
      case 'entrypoint':
        run.entrypoint = words(ctx, fp, fpath, ek, true);
        break;
      case 'workdir': {
        const v = scalar(ctx, fp, fpath, ek, ['string']);
        if (typeof v === 'string') {
          if (v.startsWith('/')) run.workingDir = v;
          else report(ctx, at, fpath, `Working directory "${v}" must be an absolute path inside the container`, ek);
        }
        break;
      }
      case 'user': {
        const v = scalar(ctx, fp, fpath, ek, ['string', 'number']);
        if (v !== undefined) {
          if (/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$/.test(String(v))) run.user = String(v);
          else report(ctx, at, fpath, `User "${String(v)}" is not valid`, ek);
        }
        break;
      }
      case 'ports':
        for (const item of list(ctx, fp, fpath, ek) ?? []) {
          const b = attempt(ctx, item.at, item.path, ek, () => parsePortBinding(item.text));
          if (b) run.ports.push(b);
        }
        break;
      case 'volumes':
        for (const item of list(ctx, fp, fpath, ek) ?? []) {
          const m = attempt(ctx, item.at, item.path, ek, () => parseMount(item.text, ctx.workspaceFolder));
          if (m) run.mounts.push(m);
        }
        break;
      case 'env':
        run.env = stringMap(ctx, fp, fpath, ek, { re: ENV_NAME, what: 'variable name (letters, digits and _, not starting with a digit)' }) ?? {};
        break;
      case 'upload':
      case 'download':
        for (const item of list(ctx, fp, fpath, ek) ?? []) {
          const spec = attempt(ctx, item.at, item.path, ek, () => (key === 'upload' ? parseUploadSpec : parseDownloadSpec)(item.text, ctx.workspaceFolder));
          if (spec) (run[key] ??= []).push(spec);
        }
        break;
      case 'envFiles':
        for (const item of list(ctx, fp, fpath, ek) ?? []) {
          const file = resolvePath(ctx, item.text, item.at, item.path, ek);
          if (file) run.envFiles.push(file);
        }
        break;
      case 'gpus': {
        const v = scalar(ctx, fp, fpath, ek, ['string', 'number']);
        if (v !== undefined) run.gpus = attempt(ctx, at, fpath, ek, () => parseGpuRequest(v as string | number));
        break;
      }
      case 'shmSize': {
        const v = scalar(ctx, fp, fpath, ek, ['string', 'number']);
        if (v !== undefined) run.shmSize = attempt(ctx, at, fpath, ek, () => parseByteSize(v as string | number));
        break;
      }
      case 'memory': {
        const v = scalar(ctx, fp, fpath, ek, ['string', 'number']);
        if (v === undefined) break;
        const bytes = attempt(ctx, at, fpath, ek, () => parseByteSize(v as string | number));
        if (bytes !== undefined && bytes < MIN_MEMORY_BYTES) report(ctx, at, fpath, `Memory limit "${String(v)}" is below Docker's minimum of 6 MB`, ek);
        else run.memory = bytes;
        break;
      }
      case 'cpus': {
        const v = scalar(ctx, fp, fpath, ek, ['string', 'number']);
        if (v !== undefined) run.nanoCpus = attempt(ctx, at, fpath, ek, () => parseCpus(v as string | number));
        break;
      }
      case 'ipc': {
        const v = scalar(ctx, fp, fpath, ek, ['string']);
        if (typeof v === 'string' && attempt(ctx, at, fpath, ek, () => (validateIpcMode(v), true))) run.ipcMode = v;
        break;
      }
      case 'network': {
        const v = scalar(ctx, fp, fpath, ek, ['string']);
        if (typeof v === 'string') {
          if (/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(v)) run.network = v;
          else report(ctx, at, fpath, `Network "${v}" is not a valid network name`, ek);
        }
        break;
      }
      case 'restart': {
        const v = scalar(ctx, fp, fpath, ek, ['string']);
        if (typeof v === 'string' && attempt(ctx, at, fpath, ek, () => parseRestartPolicy(v))) run.restart = v;
        break;
      }
      case 'rm':
      case 'detach':
      case 'interactive':
      case 'tty': {
        const v = scalar(ctx, fp, fpath, ek, ['boolean']);
        if (typeof v === 'boolean') {
          if (key === 'rm') run.autoRemove = v;
          else {
            said[key] = v;
            saidAt[key] = at;
          }
        }
        break;
      }
      case 'labels':
        run.labels = stringMap(ctx, fp, fpath, ek) ?? {};
        break;
    }
  }
  resolveRunMode(ctx, run, said, saidAt, p);
  if (ctx.errors.length !== before) return undefined;
  // Rules between fields (--rm with --restart, ports with network host...): the create options say.
  const ok = attempt(ctx, span(pair.key), p, 'profile.run', () =>
    toCreateOptions({ ...run, image: 'x', cmd: run.cmd, bindAddress: '127.0.0.1' }),
  );
  return ok ? run : undefined;
}

/**
 * `detach`, `interactive` and `tty` -> the run's `detach` and `interactive` (see ProfileRun):
 * `interactive` and `tty` are one switch (`-it`) and must agree; either true makes `detach`
 * default to false; `detach: false` runs in a terminal, so it cannot go with `interactive: false`.
 */
function resolveRunMode(
  ctx: Ctx,
  run: ProfileRun,
  said: { detach?: boolean; interactive?: boolean; tty?: boolean },
  saidAt: Record<string, [number, number]>,
  p: string,
): void {
  if (said.interactive !== undefined && said.tty !== undefined && said.interactive !== said.tty) {
    report(ctx, saidAt.tty, `${p}.tty`, `tty: ${said.tty} contradicts interactive: ${said.interactive}: the terminal a run attaches is a TTY with stdin (docker run -it), so -i or -t alone is not supported; give both the same value`, 'run.tty');
    return;
  }
  const want = said.interactive ?? said.tty;
  run.detach = said.detach ?? want !== true;
  run.interactive = want ?? !run.detach;
  if (!run.detach && !run.interactive) {
    const key = said.interactive !== undefined ? 'interactive' : 'tty';
    report(ctx, saidAt[key], `${p}.${key}`, `detach: false runs the container in an interactive terminal (docker run -it), which ${key}: false turns off; set detach: true to run it in the background and follow its logs`, `run.${key}`);
  }
}

/**
 * Parses the run-profile file (`.vscode/mllab.yaml`).
 *
 * Shape: `version: 1` and `profiles:` mapping names to `{ description?, build?, image?, run? }`;
 * see PROFILE_FIELDS, docs/profiles.md and the JSON Schema. Relative paths (build.dockerfile,
 * build.context, `./` volumes, envFiles) resolve against `options.workspaceFolder`; the
 * Dockerfile defaults to `<context>/Dockerfile`, the context to the workspace folder, `detach`
 * to true, `rm` to false. When only `build` is given the image run is `build.tag`; when only
 * `image` and `build` without tag, the build is tagged `image`.
 *
 * Every problem is reported with its 1-based position, its path ("profiles.train.run.ports[0]")
 * and the field's expected form: YAML syntax errors and duplicate keys, unknown fields (with
 * "did you mean"), wrong types, bad port bindings, mounts, GPU requests, sizes, CPUs, names and
 * image references (through the same parsers the run uses), a profile with neither build nor
 * image, a build tag that differs from image, rules between fields (`rm` with `restart`, ports
 * with network host), a container name used by two profiles, and a version other than 1.
 * A profile with any error inside it is left out of `profiles`; an error outside every profile
 * (syntax, version) leaves out all of them: a half-understood profile never runs.
 *
 * Never throws.
 */
export function parseProfiles(text: string, options: { workspaceFolder?: string } = {}): { profiles: Profile[]; errors: ProfileError[] } {
  const lc = new LineCounter();
  const ctx: Ctx = { lc, errors: [], workspaceFolder: options.workspaceFolder, profileSpans: [] };
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  for (const e of doc.errors) {
    const message = e.code === 'DUPLICATE_KEY' ? 'This key is used twice in the same mapping' : e.message.replace(/\s+/g, ' ').trim();
    report(ctx, [e.pos[0], e.pos[1]], '', message, 'valid YAML');
  }
  const candidates: Array<{ profile: Profile; start: number; end: number; nameAt?: [number, number] }> = [];
  const root = doc.contents;
  if (root !== null && !(isScalar(root) && (root.value === null || root.value === ''))) {
    const f = fields(ctx, root, undefined, '', 'file', 'file');
    const versionPair = f?.get('version');
    if (versionPair) {
      const { value, at } = scalarOf(versionPair);
      if (value !== 1) report(ctx, at, 'version', `This extension reads version 1 profile files, not ${describe(value, versionPair.value)}`, 'version');
    }
    const profilesPair = f?.get('profiles');
    if (profilesPair && profilesPair.value !== null && !(isScalar(profilesPair.value) && profilesPair.value.value === null)) {
      if (!isMap(profilesPair.value)) {
        report(ctx, span(profilesPair.value, profilesPair.key), 'profiles', `profiles should be a mapping of profile names, not ${describe(scalarOf(profilesPair).value, profilesPair.value)}`, 'profiles');
      } else {
        for (const pp of profilesPair.value.items) {
          const c = parseProfile(ctx, pp);
          if (c) candidates.push(c);
        }
      }
    }
  }
  // A container name claimed by two profiles: the later one is wrong.
  const names = new Map<string, string>();
  for (const c of candidates) {
    const n = c.profile.run.name;
    if (n === undefined) continue;
    const first = names.get(n);
    if (first !== undefined) {
      report(ctx, c.nameAt ?? [c.start, c.start], `profiles.${c.profile.name}.run.name`, `Container name "${n}" is already used by profile "${first}"; Docker needs a name per container`, 'run.name');
    } else {
      names.set(n, c.profile.name);
    }
  }
  const inside = (offset: number, [s, e]: [number, number]): boolean => offset >= s && offset < e;
  const fileLevel = ctx.errors.some((e) => !ctx.profileSpans.some((sp) => inside(e.offset, sp)));
  const profiles = fileLevel ? [] : candidates.filter((c) => !ctx.errors.some((e) => inside(e.offset, [c.start, c.end]))).map((c) => c.profile);
  const errors = ctx.errors.sort((a, b) => a.offset - b.offset).map(({ offset: _offset, ...e }) => e);
  return { profiles, errors };
}

function parseProfile(ctx: Ctx, pp: Pair): { profile: Profile; start: number; end: number; nameAt?: [number, number] } | undefined {
  const keyAt = span(pp.key, pp.value);
  const valueRange = (pp.value as YamlNode | null)?.range;
  const start = keyAt[0];
  const end = Math.max(valueRange ? valueRange[2] : keyAt[1], keyAt[1]) + 1;
  ctx.profileSpans.push([start, end]);
  const name = isScalar(pp.key) ? pp.key.value : undefined;
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
    report(ctx, keyAt, `profiles.${String(name)}`, `Profile name ${JSON.stringify(name)} is not valid`, 'profileName');
    return undefined;
  }
  const p = `profiles.${name}`;
  const before = ctx.errors.length;
  const f = fields(ctx, pp.value, pp.key, p, 'profile', 'profile');
  if (!f) return undefined;
  let description: string | undefined;
  const descPair = f.get('description');
  if (descPair) {
    const v = scalar(ctx, descPair, `${p}.description`, 'profile.description', ['string']);
    if (typeof v === 'string') description = v;
  }
  let image: string | undefined;
  const imagePair = f.get('image');
  if (imagePair) {
    const v = scalar(ctx, imagePair, `${p}.image`, 'profile.image', ['string']);
    if (typeof v === 'string') {
      const problem = validateImageReference(v);
      if (problem) report(ctx, span(imagePair.value), `${p}.image`, `Image "${v}": ${problem}`, 'profile.image');
      else image = v;
    }
  }
  const buildPair = f.get('build');
  const build = buildPair ? parseBuild(ctx, buildPair, `${p}.build`) : undefined;
  if (!buildPair && !imagePair) {
    report(ctx, keyAt, p, `Profile "${name}" has neither build nor image: give the image to run, or how to build it`, 'profile');
  }
  if (build && image !== undefined) {
    if (build.tag === undefined) build.tag = image;
    else if (build.tag !== image) {
      report(ctx, span(imagePair?.value), `${p}.image`, `image "${image}" differs from build.tag "${build.tag}": the profile runs the image it builds`, 'profile.image');
    }
  }
  if (build && build.tag === undefined && !imagePair) {
    report(ctx, span(buildPair?.key), `${p}.build`, `build has no tag: give build.tag (or image) so the built image has a name`, 'build.tag');
  }
  const appsPair = f.get('apps');
  const apps = appsPair ? parseApps(ctx, appsPair, `${p}.apps`) : undefined;
  const metricsPair = f.get('metrics');
  const metrics = metricsPair ? parseMetricDefinitions(ctx, metricsPair, `${p}.metrics`) : undefined;
  let engine: string | undefined;
  const enginePair = f.get('engine');
  if (enginePair) {
    const v = scalar(ctx, enginePair, `${p}.engine`, 'profile.engine', ['string']);
    // Docker's context-name rule (docker/cli), plus `default` and the setting's entry
    if (typeof v === 'string' && (/^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/.test(v) || v === 'mlLab.engine.dockerHost')) engine = v;
    else if (typeof v === 'string') report(ctx, span(enginePair.value), `${p}.engine`, `Engine "${v}" is not an engine name`, 'profile.engine');
  }
  const swarmPair = f.get('swarm');
  const swarm = swarmPair ? parseSwarm(ctx, swarmPair, `${p}.swarm`) : undefined;
  const runPair = f.get('run');
  const run = parseRun(ctx, runPair, `${p}.run`);
  if (ctx.errors.length !== before || !run) return undefined;
  const finalImage = image ?? build?.tag;
  if (finalImage === undefined) return undefined;
  const profile: Profile = { name, image: finalImage, run, range: rangeOf(ctx, keyAt[0], keyAt[1]) };
  if (description !== undefined) profile.description = description;
  if (build) profile.build = build as ProfileBuild;
  if (apps) profile.apps = apps;
  if (metrics) profile.metrics = metrics;
  if (engine !== undefined) profile.engine = engine;
  if (swarm) profile.swarm = swarm;
  const namePair = runPair && isMap(runPair.value) ? (runPair.value.items.find((i) => isScalar(i.key) && i.key.value === 'name') as Pair | undefined) : undefined;
  return { profile, start, end, nameAt: namePair ? span(namePair.value) : undefined };
}

/** `swarm:`: how the profile runs as a Swarm job; see SwarmSection. */
function parseSwarm(ctx: Ctx, pair: Pair, p: string): SwarmSection | undefined {
  const f = fields(ctx, pair.value, pair.key, p, 'swarm', 'profile.swarm');
  if (!f) return undefined;
  const before = ctx.errors.length;
  const out: SwarmSection = { replicas: 1, constraints: [] };
  const count = (key: 'replicas' | 'maxConcurrent' | 'maxPerNode'): number | undefined => {
    const vp = f.get(key);
    if (!vp) return undefined;
    const v = scalar(ctx, vp, `${p}.${key}`, `swarm.${key}`, ['number']);
    if (typeof v !== 'number') return undefined;
    if (Number.isInteger(v) && v >= 1) return v;
    report(ctx, span(vp.value), `${p}.${key}`, `${key} ${v} is not a whole number of at least 1`, `swarm.${key}`);
    return undefined;
  };
  out.replicas = count('replicas') ?? 1;
  const maxConcurrent = count('maxConcurrent');
  if (maxConcurrent !== undefined) out.maxConcurrent = maxConcurrent;
  const maxPerNode = count('maxPerNode');
  if (maxPerNode !== undefined) out.maxPerNode = maxPerNode;
  const constraintsPair = f.get('constraints');
  if (constraintsPair) {
    for (const item of list(ctx, constraintsPair, `${p}.constraints`, 'swarm.constraints') ?? []) {
      const c = attempt(ctx, item.at, item.path, 'swarm.constraints', () => validateConstraint(item.text));
      if (c) out.constraints.push(c);
    }
  }
  for (const key of ['spread', 'registry'] as const) {
    const vp = f.get(key);
    if (!vp) continue;
    const v = scalar(ctx, vp, `${p}.${key}`, `swarm.${key}`, ['string']);
    if (typeof v !== 'string') continue;
    if (key === 'spread') {
      const s = attempt(ctx, span(vp.value), `${p}.spread`, 'swarm.spread', () => validateSpread(v));
      if (s) out.spread = s;
    } else if (/^[A-Za-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*\/?$/.test(v.trim())) out.registry = v.trim();
    else report(ctx, span(vp.value), `${p}.registry`, `Registry "${v}" is not host[:port][/namespace]`, 'swarm.registry');
  }
  const volumesPair = f.get('volumes');
  if (volumesPair) {
    out.volumes = [];
    for (const item of list(ctx, volumesPair, `${p}.volumes`, 'swarm.volumes') ?? []) {
      const m = attempt(ctx, item.at, item.path, 'swarm.volumes', () => parseMount(item.text, ctx.workspaceFolder));
      if (m?.type === 'bind') report(ctx, item.at, item.path, `${item.text} is a bind mount: on each node it would name that node's own folder; swarm.volumes takes named volumes, e.g. ${item.text.split(':')[0].replace(/[^A-Za-z0-9_.-]/g, '') || 'data'}:${m.target}`, 'swarm.volumes');
      else if (m) out.volumes.push(m);
    }
  }
  return ctx.errors.length === before ? out : undefined;
}

/** `apps:` — a list of `{name, port, path?, health?}`; path defaults to "/", health to path. */
function parseApps(ctx: Ctx, pair: Pair, p: string): AppSpec[] | undefined {
  if (!isSeq(pair.value)) {
    report(ctx, span(pair.value, pair.key), p, `${p} should be a list, not ${describe(scalarOf(pair).value, pair.value)}`, 'profile.apps');
    return undefined;
  }
  const out: AppSpec[] = [];
  pair.value.items.forEach((item, i) => {
    const ip = `${p}[${i}]`;
    const f = fields(ctx, item, pair.value, ip, 'app', 'profile.apps');
    if (!f) return;
    const namePair = f.get('name');
    const portPair = f.get('port');
    if (!namePair || !portPair) {
      report(ctx, span(item, pair.value), ip, `${ip} needs a name and a port`, 'profile.apps');
      return;
    }
    const name = scalar(ctx, namePair, `${ip}.name`, 'app.name', ['string']);
    const port = scalar(ctx, portPair, `${ip}.port`, 'app.port', ['number']);
    if (typeof port === 'number' && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
      report(ctx, span(portPair.value), `${ip}.port`, `Port ${port} is not a port number (1-65535)`, 'app.port');
      return;
    }
    const urlPath = (key: 'path' | 'health'): string | undefined => {
      const vp = f.get(key);
      if (!vp) return undefined;
      const v = scalar(ctx, vp, `${ip}.${key}`, `app.${key}`, ['string']);
      if (typeof v === 'string' && !v.startsWith('/')) report(ctx, span(vp.value), `${ip}.${key}`, `${key} "${v}" should start with /`, `app.${key}`);
      return typeof v === 'string' && v.startsWith('/') ? v : undefined;
    };
    const appPath = urlPath('path') ?? '/';
    const health = urlPath('health') ?? appPath;
    if (typeof name === 'string' && typeof port === 'number') out.push({ name, port, path: appPath, health });
  });
  return out;
}

/**
 * `metrics:` — a list of `{name, regex}`. A regex that does not compile, or has no capture group
 * for the value, is reported at its own line.
 */
function parseMetricDefinitions(ctx: Ctx, pair: Pair, p: string): MetricDefinition[] | undefined {
  if (!isSeq(pair.value)) {
    report(ctx, span(pair.value, pair.key), p, `${p} should be a list, not ${describe(scalarOf(pair).value, pair.value)}`, 'profile.metrics');
    return undefined;
  }
  const out: MetricDefinition[] = [];
  pair.value.items.forEach((item, i) => {
    const ip = `${p}[${i}]`;
    const f = fields(ctx, item, pair.value, ip, 'metric', 'profile.metrics');
    if (!f) return;
    const namePair = f.get('name');
    const regexPair = f.get('regex');
    if (!namePair || !regexPair) {
      report(ctx, span(item, pair.value), ip, `${ip} needs a name and a regex`, 'profile.metrics');
      return;
    }
    const name = scalar(ctx, namePair, `${ip}.name`, 'metric.name', ['string']);
    const regex = scalar(ctx, regexPair, `${ip}.regex`, 'metric.regex', ['string']);
    if (typeof regex !== 'string' || typeof name !== 'string') return;
    let groups = 0;
    try {
      new RegExp(regex);
      // the number of groups: an empty alternative makes the expression match '' with every group undefined
      groups = (new RegExp(`${regex}|`).exec('') ?? []).length - 1;
    } catch (err) {
      report(ctx, span(regexPair.value), `${ip}.regex`, `${ip}.regex is not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`, 'metric.regex');
      return;
    }
    if (groups < 1) {
      report(ctx, span(regexPair.value), `${ip}.regex`, `${ip}.regex has no capture group: put the value in parentheses, e.g. "loss: ([0-9.]+)"`, 'metric.regex');
      return;
    }
    out.push({ name, regex });
  });
  return out;
}
