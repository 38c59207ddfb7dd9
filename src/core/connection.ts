/**
 * Docker engine connection resolution, the way the Docker CLI finds its engine:
 *
 *   1. the setting `mlLab.engine.dockerHost`, when non-empty (like `docker -H`);
 *   1b. the engine chosen in the Engines view (setting `mlLab.engine.context`: a context name, or
 *      "default", which skips the CLI's current context as `docker --context default` does);
 *   2. the `DOCKER_HOST` environment variable;
 *   3. the current Docker context (`DOCKER_CONTEXT`, else `currentContext` in
 *      `<DOCKER_CONFIG or ~/.docker>/config.json`; "default" means no context);
 *   4. the default socket `unix:///var/run/docker.sock`.
 *
 * Sources: https://docs.docker.com/engine/reference/commandline/cli/#environment-variables
 * and https://docs.docker.com/engine/context/working-with-contexts/ (context store layout:
 * `contexts/meta/<dir>/meta.json`, TLS material in `contexts/tls/<dir>/docker/`).
 *
 * Pure: the file system, environment and home folder come in through `ConnectionInputs`,
 * so unit tests inject them; `nodeConnectionInputs()` supplies the real ones.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SettingIds } from './ids';
import { UserError } from './errors';

export interface ConnectionInputs {
  /** Value of the setting `mlLab.engine.dockerHost`; empty or undefined means unset. */
  setting?: string;
  /**
   * Value of the setting `mlLab.engine.context`: the engine chosen in the Engines view. A Docker
   * context's name, or "default" (DOCKER_HOST, else the default socket: the CLI's own "default"
   * context); empty or undefined: follow DOCKER_HOST and the CLI's current context.
   */
  contextSetting?: string;
  /** Environment variables (`process.env` in the extension). */
  env: Record<string, string | undefined>;
  /** The user's home folder (`os.homedir()`), used when `DOCKER_CONFIG` is unset. */
  homeDir: string;
  /** Returns the file's UTF-8 text, or undefined when it does not exist or cannot be read. */
  readFile(path: string): string | undefined;
  /** Returns the entry names of a folder, or [] when it does not exist. */
  listDir(path: string): string[];
}

export type EngineAddress =
  | { kind: 'socket'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls?: { caPath?: string; certPath?: string; keyPath?: string; verify: boolean } }
  /** `ssh://[user@]host[:port]`: `docker system dial-stdio` on that host over SSH, as the Docker CLI does; user and port default from ~/.ssh/config, then OpenSSH's defaults */
  | { kind: 'ssh'; host: string; port?: number; user?: string };

export interface ResolvedConnection {
  address: EngineAddress;
  source: 'setting' | 'DOCKER_HOST' | 'context' | 'default';
  /** Name of the Docker context, when `source` is 'context'. */
  contextName?: string;
  /** e.g. "unix:///var/run/docker.sock (default)" */
  describe: string;
}

/** Docker's default engine socket on Linux and macOS. */
export const DEFAULT_SOCKET_PATH = '/var/run/docker.sock';
/** Engine port without TLS, per the Docker docs ("2375 unencrypted, 2376 encrypted"). */
export const DEFAULT_TCP_PORT = 2375;
/** Engine port with TLS. */
export const DEFAULT_TLS_PORT = 2376;

const EXPECTED_FORMS = 'expected unix:///path/to/docker.sock or tcp://host:port, e.g. tcp://127.0.0.1:2375';

/**
 * Parses a Docker host address as written in `DOCKER_HOST`, `docker -H` or a context.
 *
 * Accepted forms:
 * - `unix:///var/run/docker.sock` -> `{ kind: 'socket', socketPath: '/var/run/docker.sock' }`
 * - `tcp://host:port`, `tcp://host` (port 2375, or 2376 when `options.tls`), `tcp://[::1]:2375`;
 *   like the Docker CLI, text without a scheme (`host:2375`) is read as tcp.
 * - `npipe:////./pipe/docker_engine` on Windows only -> socket `\\.\pipe\docker_engine`.
 *
 * The returned tcp address carries no `tls`: the caller adds it (see `resolveConnection`).
 *
 * @param options.tls whether TLS will be used; only changes the default port.
 * @param options.platform defaults to `process.platform`; decides whether `npipe://` is allowed.
 * @throws UserError for an empty value, an `ssh://` address (not supported yet), an unknown
 *   scheme, a relative socket path, a missing host, or a port that is not 1-65535.
 */
export function parseDockerHost(value: string, options: { tls?: boolean; platform?: NodeJS.Platform } = {}): EngineAddress {
  const text = value.trim();
  if (text === '') {
    throw new UserError(`The Docker host address is empty; ${EXPECTED_FORMS}.`);
  }
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/s.exec(text);
  if (!schemeMatch) {
    if (text.startsWith('/')) {
      throw new UserError(`"${text}" has no scheme; write a socket path as unix://${text}.`);
    }
    // Docker CLI: an address without "://" is a tcp address (opts.ParseHost).
    return parseTcp(text, text, options.tls === true);
  }
  const scheme = schemeMatch[1].toLowerCase();
  const rest = schemeMatch[2];
  switch (scheme) {
    case 'unix': {
      if (rest === '') {
        throw new UserError(`"${text}" names no socket path; ${EXPECTED_FORMS}.`);
      }
      if (!rest.startsWith('/')) {
        throw new UserError(`"${text}": the socket path "${rest}" must be absolute; write three slashes, e.g. unix:///var/run/docker.sock.`);
      }
      return { kind: 'socket', socketPath: rest };
    }
    case 'tcp':
      return parseTcp(text, rest, options.tls === true);
    case 'npipe': {
      const platform = options.platform ?? process.platform;
      if (platform !== 'win32') {
        throw new UserError(`"${text}" is a Windows named pipe; on this machine use a unix:// socket or a tcp:// address.`);
      }
      const pipe = rest === '' ? '//./pipe/docker_engine' : rest;
      return { kind: 'socket', socketPath: pipe.replace(/\//g, '\\') };
    }
    case 'ssh':
      return parseSsh(text, rest);
    default:
      throw new UserError(`"${text}": the scheme "${scheme}://" is not a Docker host scheme; ${EXPECTED_FORMS}.`);
  }
}

/** `ssh://[user@]host[:port]` as the Docker CLI takes it (no path: the CLI refuses one too). */
function parseSsh(original: string, authority: string): EngineAddress {
  const rest = authority.endsWith('/') ? authority.slice(0, -1) : authority;
  if (rest.includes('/')) throw new UserError(`"${original}": an ssh:// address takes no path, e.g. ssh://me@gpu-box or ssh://gpu-box:2222.`);
  const at = rest.lastIndexOf('@');
  const user = at >= 0 ? rest.slice(0, at) : undefined;
  const hostPort = at >= 0 ? rest.slice(at + 1) : rest;
  if (user !== undefined && !/^[A-Za-z0-9._-]+$/.test(user)) throw new UserError(`"${original}": "${user}" is not a user name, e.g. ssh://me@gpu-box.`);
  const tcp = parseTcp(original.replace(/^ssh:/i, 'tcp:'), hostPort, false);
  if (tcp.kind !== 'tcp') throw new UserError(`"${original}": expected ssh://[user@]host[:port].`);
  const port = /:\d+$/.test(hostPort) ? tcp.port : undefined;
  return { kind: 'ssh', host: tcp.host, ...(port ? { port } : {}), ...(user ? { user } : {}) };
}

function parseTcp(original: string, authority: string, tls: boolean): EngineAddress {
  // A trailing "/" is harmless (tcp://host:2375/); a longer path is not an engine address.
  const rest = authority.endsWith('/') ? authority.slice(0, -1) : authority;
  if (rest.includes('/')) {
    throw new UserError(`"${original}": a tcp:// address takes no path; ${EXPECTED_FORMS}.`);
  }
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) {
      throw new UserError(`"${original}": the IPv6 host is missing its closing "]", e.g. tcp://[::1]:2375.`);
    }
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) {
      throw new UserError(`"${original}": expected ":port" after the IPv6 host, e.g. tcp://[::1]:2375.`);
    }
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const colons = rest.split(':').length - 1;
    if (colons > 1) {
      throw new UserError(`"${original}": put an IPv6 host in brackets, e.g. tcp://[::1]:2375.`);
    }
    const colon = rest.indexOf(':');
    host = colon < 0 ? rest : rest.slice(0, colon);
    portText = colon < 0 ? undefined : rest.slice(colon + 1);
  }
  if (host === '') {
    throw new UserError(`"${original}" names no host; ${EXPECTED_FORMS}.`);
  }
  let port = tls ? DEFAULT_TLS_PORT : DEFAULT_TCP_PORT;
  if (portText !== undefined) {
    if (!/^\d+$/.test(portText)) {
      throw new UserError(`"${original}": port "${portText}" is not a number; ${EXPECTED_FORMS}.`);
    }
    port = Number(portText);
    if (port < 1 || port > 65535) {
      throw new UserError(`"${original}": port ${portText} is out of range; ports are 1-65535.`);
    }
  }
  return { kind: 'tcp', host, port };
}

/** Formats an address back to Docker's URL form, e.g. `tcp://[::1]:2376`. */
export function formatEngineAddress(address: EngineAddress): string {
  if (address.kind === 'socket') {
    return address.socketPath.startsWith('\\\\') ? `npipe://${address.socketPath.replace(/\\/g, '/')}` : `unix://${address.socketPath}`;
  }
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  if (address.kind === 'ssh') return `ssh://${address.user ? `${address.user}@` : ''}${host}${address.port ? `:${address.port}` : ''}`;
  return `tcp://${host}:${address.port}`;
}

/**
 * Resolves the engine address from the setting, `DOCKER_HOST`, the current Docker context and
 * the default socket, in that order (see the module comment for the rules and their source).
 *
 * TLS for a tcp address given by the setting or `DOCKER_HOST` follows the Docker CLI:
 * `DOCKER_TLS_VERIFY` set to any non-empty value turns TLS on with verification, and
 * `ca.pem`, `cert.pem`, `key.pem` are taken from `DOCKER_CERT_PATH` (default
 * `<DOCKER_CONFIG or ~/.docker>`) when they exist. For a context, TLS is on when the context
 * has TLS files or `SkipTLSVerify` is true, and `verify` is `!SkipTLSVerify`.
 *
 * @throws UserError naming where a bad value came from (setting, `DOCKER_HOST`, `DOCKER_CONTEXT`,
 *   config.json, a context's meta.json) and what to do: malformed address, bad port, ssh://,
 *   a context that does not exist, an unparsable config.json or meta.json.
 */
export function resolveConnection(inputs: ConnectionInputs): ResolvedConnection {
  const configDir = dockerConfigDir(inputs);
  const setting = inputs.setting?.trim();
  if (setting) {
    const address = withSource(`The setting ${SettingIds.dockerHost}`, () => addressWithEnvTls(setting, inputs, configDir));
    return { address, source: 'setting', describe: `${formatEngineAddress(address)}${tlsNote(address)} (setting ${SettingIds.dockerHost})` };
  }
  const chosen = inputs.contextSetting?.trim();
  if (chosen && chosen !== 'default') {
    const address = contextAddress(chosen, `the setting ${SettingIds.engineContext}`, inputs, configDir);
    return { address, source: 'context', contextName: chosen, describe: `${formatEngineAddress(address)}${tlsNote(address)} (Docker context "${chosen}")` };
  }
  const dockerHost = inputs.env.DOCKER_HOST?.trim();
  if (dockerHost) {
    const address = withSource('DOCKER_HOST', () => addressWithEnvTls(dockerHost, inputs, configDir));
    return { address, source: 'DOCKER_HOST', describe: `${formatEngineAddress(address)}${tlsNote(address)} (DOCKER_HOST)` };
  }
  const context = chosen === 'default' ? undefined : currentContextName(inputs, configDir);
  if (context) {
    const address = contextAddress(context.name, context.from, inputs, configDir);
    return {
      address,
      source: 'context',
      contextName: context.name,
      describe: `${formatEngineAddress(address)}${tlsNote(address)} (Docker context "${context.name}")`,
    };
  }
  const address: EngineAddress = { kind: 'socket', socketPath: DEFAULT_SOCKET_PATH };
  return { address, source: 'default', describe: `${formatEngineAddress(address)} (default)` };
}

/** The real inputs: `process.env`, `os.homedir()` and synchronous reads of the file system. */
export function nodeConnectionInputs(setting?: string, contextSetting?: string): ConnectionInputs {
  return {
    setting,
    contextSetting,
    env: process.env,
    homeDir: os.homedir(),
    readFile(p: string): string | undefined {
      try {
        return fs.readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    listDir(p: string): string[] {
      try {
        return fs.readdirSync(p);
      } catch {
        return [];
      }
    },
  };
}

export function dockerConfigDir(inputs: ConnectionInputs): string {
  const fromEnv = inputs.env.DOCKER_CONFIG?.trim();
  return fromEnv ? fromEnv : path.join(inputs.homeDir, '.docker');
}

function tlsNote(address: EngineAddress): string {
  if (address.kind !== 'tcp' || !address.tls) return '';
  return address.tls.verify ? ' TLS' : ' TLS without verification';
}

/** Runs `parse`, prefixing a UserError's message with where the value came from. */
function withSource<T>(source: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof UserError) {
      throw new UserError(`${source}: ${err.message}`, { hint: err.hint ?? `Fix ${source} or clear it to use the default engine.`, cause: err });
    }
    throw err;
  }
}

function addressWithEnvTls(value: string, inputs: ConnectionInputs, configDir: string): EngineAddress {
  // Docker CLI: DOCKER_TLS_VERIFY "when set" (any non-empty value) turns on TLS with verification.
  const verify = (inputs.env.DOCKER_TLS_VERIFY ?? '') !== '';
  const address = parseDockerHost(value, { tls: verify });
  if (address.kind !== 'tcp' || !verify) return address;
  const certDir = inputs.env.DOCKER_CERT_PATH?.trim() || configDir;
  return { ...address, tls: { ...existingTlsFiles(inputs, certDir), verify: true } };
}

/** Paths of ca.pem, cert.pem, key.pem in `dir` that exist; the Docker CLI drops missing ones too. */
function existingTlsFiles(inputs: ConnectionInputs, dir: string): { caPath?: string; certPath?: string; keyPath?: string } {
  const files: { caPath?: string; certPath?: string; keyPath?: string } = {};
  const ca = path.join(dir, 'ca.pem');
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  if (inputs.readFile(ca) !== undefined) files.caPath = ca;
  if (inputs.readFile(cert) !== undefined) files.certPath = cert;
  if (inputs.readFile(key) !== undefined) files.keyPath = key;
  return files;
}

export function currentContextName(inputs: ConnectionInputs, configDir: string): { name: string; from: string } | undefined {
  const fromEnv = inputs.env.DOCKER_CONTEXT?.trim();
  if (fromEnv) {
    return fromEnv === 'default' ? undefined : { name: fromEnv, from: 'DOCKER_CONTEXT' };
  }
  const configPath = path.join(configDir, 'config.json');
  const text = inputs.readFile(configPath);
  if (text === undefined || text.trim() === '') return undefined;
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${configPath} is not valid JSON, so the current Docker context cannot be read.`, {
      hint: `Fix the file (check it with \`docker context ls\`), or set ${SettingIds.dockerHost} to the engine address.`,
      cause: err,
    });
  }
  const current = isRecord(config) ? config.currentContext : undefined;
  if (typeof current !== 'string' || current.trim() === '' || current.trim() === 'default') return undefined;
  return { name: current.trim(), from: `currentContext in ${configPath}` };
}

export function contextAddress(name: string, from: string, inputs: ConnectionInputs, configDir: string): EngineAddress {
  const metaRoot = path.join(configDir, 'contexts', 'meta');
  for (const dir of inputs.listDir(metaRoot)) {
    const metaPath = path.join(metaRoot, dir, 'meta.json');
    const text = inputs.readFile(metaPath);
    if (text === undefined) continue;
    let meta: unknown;
    try {
      meta = JSON.parse(text);
    } catch {
      // A broken meta.json of another context must not stop us finding this one.
      continue;
    }
    if (!isRecord(meta) || meta.Name !== name) continue;
    const endpoints = isRecord(meta.Endpoints) ? meta.Endpoints : undefined;
    const docker = endpoints && isRecord(endpoints.docker) ? endpoints.docker : undefined;
    const host = docker && typeof docker.Host === 'string' ? docker.Host.trim() : '';
    if (host === '') {
      throw new UserError(`Docker context "${name}" (${metaPath}) has no docker endpoint Host.`, {
        hint: `Recreate it with \`docker context create ${name} --docker host=...\` or switch with \`docker context use default\`.`,
      });
    }
    const skipVerify = docker?.SkipTLSVerify === true;
    const tlsFiles = existingTlsFiles(inputs, path.join(configDir, 'contexts', 'tls', dir, 'docker'));
    const useTls = skipVerify || Object.keys(tlsFiles).length > 0;
    const address = withSource(`Docker context "${name}"`, () => parseDockerHost(host, { tls: useTls }));
    if (address.kind !== 'tcp' || !useTls) return address;
    return { ...address, tls: { ...tlsFiles, verify: !skipVerify } };
  }
  throw new UserError(`Docker context "${name}" (from ${from}) was not found in ${metaRoot}.`, {
    hint: 'Run `docker context ls` to see the contexts, and `docker context use default` (or unset DOCKER_CONTEXT) to use the local engine.',
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
