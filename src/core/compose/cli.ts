/**
 * The real Compose CLI, never our own: `docker compose` (the v2 plugin) when present, else
 * `docker-compose` (v1, e.g. Debian's 1.29). Detection runs each candidate's `version` once;
 * the argument lists and the environment (the engine the extension uses, as `DOCKER_HOST`) are
 * pure functions so they are unit-tested.
 *
 * Flags used exist in both CLIs (Compose v1 1.29 reference and the v2 `docker compose` reference):
 * `-f`, `-p`, `--ansi always` (v1 1.28+), `up -d --build`, `down --volumes`, `rm -s -f`,
 * `build`, `restart`, `logs --follow --tail=N`.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { formatEngineAddress, type ResolvedConnection } from '../connection';
import { UserError } from '../errors';

export interface ComposeCli {
  /** program to spawn: `docker` or `docker-compose` */
  command: string;
  /** arguments before Compose's own: `['compose']` for the plugin, `[]` for v1 */
  prefix: string[];
  /** `2.24.5`, `1.29.2` */
  version: string;
  /** 'v2' for the plugin (or a v2 standalone binary), 'v1' for the Python Compose */
  generation: 'v1' | 'v2';
  /** for the output: `docker compose 2.24.5 (Compose v2 plugin)` */
  label: string;
}

/** Output of one `version` run; `missing` when the program is not on PATH. */
export type VersionRun = { missing: true } | { missing?: false; code: number; stdout: string; stderr: string };

/**
 * Reads a Compose version from `docker compose version` or `docker-compose version` output:
 * `Docker Compose version v2.24.5`, `docker-compose version 1.29.2, build unknown`, or the
 * `--short` form `1.29.2`. Undefined when the text is not a Compose version (e.g. the Docker CLI's
 * "'compose' is not a docker command").
 */
export function parseComposeVersion(stdout: string): string | undefined {
  const m = /(?:docker[ -]compose version|^)\s*v?(\d+\.\d+\.\d+[0-9A-Za-z.+-]*)/im.exec(stdout.trim());
  return m?.[1].replace(/,$/, '');
}

const majorOf = (version: string) => Number(version.split('.')[0]);

/**
 * Picks the Compose CLI from the two `version` runs: the plugin when it answers with a version,
 * else `docker-compose`. Undefined when neither does.
 */
export function chooseComposeCli(plugin: VersionRun, standalone: VersionRun): ComposeCli | undefined {
  if (!plugin.missing && plugin.code === 0) {
    const version = parseComposeVersion(plugin.stdout);
    if (version) return { command: 'docker', prefix: ['compose'], version, generation: 'v2', label: `docker compose ${version} (Compose v2 plugin)` };
  }
  if (!standalone.missing && standalone.code === 0) {
    const version = parseComposeVersion(standalone.stdout);
    if (version) {
      const generation = majorOf(version) >= 2 ? 'v2' : 'v1';
      return { command: 'docker-compose', prefix: [], version, generation, label: `docker-compose ${version} (Compose ${generation})` };
    }
  }
  return undefined;
}

/** The message when no Compose CLI is found, saying how to install one. */
export function composeMissingError(): UserError {
  return new UserError('Docker Compose was not found: neither `docker compose` (the Compose v2 plugin) nor `docker-compose` runs on this machine.', {
    hint:
      "Install Docker's Compose plugin (Docker Desktop includes it; on Debian/Ubuntu with Docker's apt repository: `sudo apt-get install docker-compose-plugin`) " +
      'or Compose v1 (`sudo apt-get install docker-compose`), make sure it is on PATH, then try again.',
  });
}

function runVersion(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<VersionRun> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: timeoutMs, windowsHide: true }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
      if (e && e.code === 'ENOENT') return resolve({ missing: true });
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/**
 * Finds the Compose CLI on `env.PATH`: runs `docker compose version`, then `docker-compose version`.
 * @param timeoutMs per run (default 15 s: Compose v1 is a Python program and starts slowly)
 * @throws UserError ({@link composeMissingError}) when neither answers with a version
 */
export async function detectComposeCli(env: NodeJS.ProcessEnv = process.env, timeoutMs = 15_000): Promise<ComposeCli> {
  const plugin = await runVersion('docker', ['compose', 'version'], env, timeoutMs);
  const cli = chooseComposeCli(plugin, plugin.missing || plugin.code !== 0 ? await runVersion('docker-compose', ['version'], env, timeoutMs) : { missing: true });
  if (!cli) throw composeMissingError();
  return cli;
}

/** What a Compose command does. */
export type ComposeAction =
  /** `profiles`: Compose's `--profile` (global options, before `up`): also start the services of these profiles */
  | { kind: 'up'; build?: boolean; services?: string[]; profiles?: string[] }
  | { kind: 'down'; volumes?: boolean }
  /** stops and removes only these services' containers (`rm -s -f`), as "Down" for selected services */
  | { kind: 'downServices'; services: string[] }
  | { kind: 'build'; services?: string[] }
  | { kind: 'restart'; services?: string[] }
  | { kind: 'logs'; tail?: number; services?: string[] };

/**
 * The argument list after the program name: `[...prefix, --ansi always, -f <file>..., -p <project>, <command> ...]`.
 * @param files absolute Compose file paths, in order (later files override earlier ones)
 * @param project the project name (`-p`), when it must be given (commands from the Containers view)
 * @throws UserError when no file is given, or `downServices` names no service
 */
export function composeArgs(cli: ComposeCli, files: string[], action: ComposeAction, project?: string): string[] {
  if (files.length === 0) throw new UserError('No Compose file given.', { hint: 'Pick a compose.yaml or docker-compose.yml.' });
  // `--ansi` came with Compose 1.28; colours need it because the output goes through a pseudo-terminal, not a TTY.
  const ansi = cli.generation === 'v2' || versionAtLeast(cli.version, 1, 28) ? ['--ansi', 'always'] : [];
  const profiles = action.kind === 'up' ? (action.profiles ?? []).flatMap((p) => ['--profile', p]) : [];
  const head = [...cli.prefix, ...ansi, ...files.flatMap((f) => ['-f', f]), ...(project ? ['-p', project] : []), ...profiles];
  const services = 'services' in action ? (action.services ?? []) : [];
  switch (action.kind) {
    case 'up':
      return [...head, 'up', '-d', ...(action.build ? ['--build'] : []), ...services];
    case 'down':
      return [...head, 'down', ...(action.volumes ? ['--volumes'] : [])];
    case 'downServices':
      if (!services.length) throw new UserError('Pick at least one service to take down.');
      return [...head, 'rm', '-s', '-f', ...services];
    case 'build':
      return [...head, 'build', ...services];
    case 'restart':
      return [...head, 'restart', ...services];
    case 'logs':
      return [...head, 'logs', '--follow', `--tail=${action.tail ?? 200}`, ...services];
  }
}

function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/**
 * The environment for Compose: the caller's environment with the engine the extension uses as
 * `DOCKER_HOST` (and `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH` for a TLS tcp engine whose files sit in
 * one folder, as the Docker CLI reads them). `DOCKER_CONTEXT` is removed so it cannot point
 * Compose at another engine. Values are never logged.
 */
export function composeEnv(connection: ResolvedConnection, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, DOCKER_HOST: formatEngineAddress(connection.address) };
  delete env.DOCKER_CONTEXT;
  delete env.DOCKER_TLS_VERIFY;
  delete env.DOCKER_CERT_PATH;
  const a = connection.address;
  if (a.kind === 'tcp' && a.tls) {
    const file = a.tls.caPath ?? a.tls.certPath ?? a.tls.keyPath;
    if (file) env.DOCKER_CERT_PATH = path.dirname(file);
    if (a.tls.verify) env.DOCKER_TLS_VERIFY = '1';
  }
  return env;
}

/** `docker-compose -f compose.yaml up -d`, for the output's first line (paths shortened to base names). */
export function commandLine(cli: ComposeCli, args: string[]): string {
  return [cli.command, ...args.map((a) => (path.isAbsolute(a) ? path.basename(a) : a))].map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}
