/**
 * Run profiles: the types of `.vscode/mllab.yaml` as written (the file form, which the JSON
 * Schema schemas/mllab-profiles.schema.json describes) and as resolved for a run. The field
 * lists below tie the file form to the schema: TypeScript checks that each list names every
 * field of its type, and a unit test (test/unit/run/profileTypes.test.ts) that each list equals
 * the schema's property names, so a field added on one side and not the other fails the build
 * or the tests.
 */
import type { PortBinding } from './ports';
import type { MountSpec } from './mounts';
import type { GpuRequest } from './gpus';
import type { AppSpec } from '../apps/apps';
import type { TransferSpec } from '../transfer/spec';
import type { SwarmSection } from '../swarm/section';

// ---- The file form: what the user writes (relative paths, sizes as text) ----

/** `build:` as written. */
export interface BuildInput {
  dockerfile?: string;
  context?: string;
  tag?: string;
  args?: Record<string, string | number | boolean>;
  target?: string;
  platform?: string;
}

/** `run:` as written. */
export interface RunInput {
  name?: string;
  command?: string | string[];
  entrypoint?: string | string[];
  workdir?: string;
  user?: string | number;
  ports?: Array<string | number>;
  volumes?: string[];
  env?: Record<string, string | number | boolean>;
  envFiles?: string[];
  gpus?: string | number;
  shmSize?: string | number;
  ipc?: string;
  memory?: string | number;
  cpus?: number | string;
  network?: string;
  rm?: boolean;
  detach?: boolean;
  interactive?: boolean;
  tty?: boolean;
  labels?: Record<string, string | number | boolean>;
  restart?: string;
  upload?: string[];
  download?: string[];
}

/** One `apps:` entry as written. */
export interface AppInput {
  name: string;
  port: number;
  path?: string;
  health?: string;
}

/** One `metrics:` entry as written (SageMaker's MetricDefinitions: Name, Regex). */
export interface MetricInput {
  name: string;
  regex: string;
}

/** `swarm:` as written. */
export interface SwarmInput {
  replicas?: number;
  maxConcurrent?: number;
  constraints?: string[];
  maxPerNode?: number;
  spread?: string;
  registry?: string;
  volumes?: string[];
}

/** One profile under `profiles:` as written; see docs/profiles.md. */
export interface ProfileInput {
  description?: string;
  build?: BuildInput;
  image?: string;
  run?: RunInput;
  apps?: AppInput[];
  metrics?: MetricInput[];
  engine?: string;
  swarm?: SwarmInput;
}

/** The whole file as written. */
export interface ProfileFileInput {
  version?: 1;
  profiles?: Record<string, ProfileInput>;
}

/**
 * A list of every key of T, in the file's canonical order: `fieldsOf<T>()([...])` does not
 * compile when the list misses a key of T (the error names it) or names one T does not have.
 */
function fieldsOf<T>() {
  return <const L extends ReadonlyArray<keyof T & string>>(list: L & ([Exclude<keyof T, L[number]>] extends [never] ? unknown : { missing: Exclude<keyof T, L[number]> })): L => list;
}

/**
 * Every field name the file may hold, per section, in the order the schema lists them (and
 * "Save as profile" writes them).
 */
export const PROFILE_FIELDS = {
  file: fieldsOf<ProfileFileInput>()(['version', 'profiles']),
  profile: fieldsOf<ProfileInput>()(['description', 'build', 'image', 'run', 'apps', 'metrics', 'engine', 'swarm']),
  app: fieldsOf<AppInput>()(['name', 'port', 'path', 'health']),
  metric: fieldsOf<MetricInput>()(['name', 'regex']),
  build: fieldsOf<BuildInput>()(['dockerfile', 'context', 'tag', 'args', 'target', 'platform']),
  run: fieldsOf<RunInput>()([
    'name', 'command', 'entrypoint', 'workdir', 'user', 'ports', 'volumes', 'env', 'envFiles', 'gpus',
    'shmSize', 'ipc', 'memory', 'cpus', 'network', 'rm', 'detach', 'interactive', 'tty', 'labels', 'restart',
    'upload', 'download',
  ]),
  swarm: fieldsOf<SwarmInput>()(['replicas', 'maxConcurrent', 'constraints', 'maxPerNode', 'spread', 'registry', 'volumes']),
} as const;

// ---- The resolved form: what a run uses ----

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

/** One `metrics:` entry: the series name and the regular expression's source text. */
export interface MetricDefinition {
  name: string;
  regex: string;
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

/** One problem in the profile file. */
export interface ProfileError extends SourceRange {
  message: string;
  /** Where in the file: "profiles.train.run.ports[0]"; "" for the whole file. */
  path: string;
  /** The field's expected form, from the schema's description and first example, e.g. "Published ports (docker run -p): ..., e.g. ["4000:8080"]". */
  expected: string;
}
