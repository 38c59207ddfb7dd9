/**
 * Registry credentials the way `docker login` stored them: `~/.docker/config.json` (or
 * `$DOCKER_CONFIG/config.json`) with `auths` entries (base64 `auth`, `username`/`password`,
 * `identitytoken`), a default credential store (`credsStore`) and per-registry helpers
 * (`credHelpers`), run as `docker-credential-<name> get` with the server URL on stdin.
 *
 * Credentials are never logged and never part of an error message: messages name the
 * registry, the config file and the helper only.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { UserError } from '../errors';
import { DOCKER_HUB, DOCKER_HUB_AUTH_KEY, normalizeRegistryHost } from './reference';

export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** an OAuth refresh token (`docker login` with SSO; helpers return it with username `<token>`) */
  identityToken?: string;
  /** where they came from, for messages: "VS Code secret storage", "credential helper docker-credential-pass", "/root/.docker/config.json" */
  source: string;
}

export interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

export interface DockerConfigFile {
  auths?: Record<string, DockerAuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** What a credential helper answers to `get`. */
export interface HelperAnswer {
  Username: string;
  Secret: string;
}

/** Runs `docker-credential-<helper> get` with `serverUrl` on stdin; undefined when it has no credentials for it. */
export type HelperRunner = (helper: string, serverUrl: string) => Promise<HelperAnswer | undefined>;

/** The folder of Docker's client config: `$DOCKER_CONFIG`, else `~/.docker`. */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  return env.DOCKER_CONFIG && env.DOCKER_CONFIG.trim() !== '' ? env.DOCKER_CONFIG : path.join(home, '.docker');
}

/** Reads `<dir>/config.json`; `{}` when there is none. Throws a UserError naming the file when it is not JSON. */
export function readDockerConfig(dir: string): DockerConfigFile {
  const file = path.join(dir, 'config.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as DockerConfigFile) : {};
  } catch (err) {
    throw new UserError(`${file} is not valid JSON, so the Docker credentials in it cannot be read.`, { hint: 'Fix the file, or run `docker login` again.', cause: err });
  }
}

/** The server address `docker login` uses for a registry: `https://index.docker.io/v1/` for Docker Hub, else the host. */
export function serverAddressFor(registry: string): string {
  const r = normalizeRegistryHost(registry);
  return r === DOCKER_HUB ? DOCKER_HUB_AUTH_KEY : r;
}

/** The `auths` entry for a registry, whatever form its key has (`https://index.docker.io/v1/`, `docker.io`, `http://host:5000`). */
export function findAuthEntry(config: DockerConfigFile, registry: string): { key: string; entry: DockerAuthEntry } | undefined {
  const want = normalizeRegistryHost(registry);
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (entry && normalizeRegistryHost(key) === want) return { key, entry };
  }
  return undefined;
}

/** The helper configured for a registry in `credHelpers` (keys normalised the same way). */
function findCredHelper(config: DockerConfigFile, registry: string): string | undefined {
  const want = normalizeRegistryHost(registry);
  for (const [key, helper] of Object.entries(config.credHelpers ?? {})) if (normalizeRegistryHost(key) === want && helper) return helper;
  return undefined;
}

/** Decodes an `auths` entry; undefined when it holds nothing usable (e.g. only a marker for a creds store). */
export function decodeAuthEntry(entry: DockerAuthEntry, source: string): RegistryCredentials | undefined {
  if (entry.identitytoken) return { username: entry.username, identityToken: entry.identitytoken, source };
  if (entry.auth) {
    const text = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon <= 0) throw new UserError(`The "auth" entry in ${source} is not base64 of "user:password".`, { hint: 'Run `docker login` for that registry again.' });
    return { username: text.slice(0, colon), password: text.slice(colon + 1), source };
  }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password, source };
  return undefined;
}

function fromHelper(answer: HelperAnswer | undefined, helper: string): RegistryCredentials | undefined {
  if (!answer || (!answer.Username && !answer.Secret)) return undefined;
  const source = `credential helper docker-credential-${helper}`;
  // Helpers store an identity token with the user name "<token>" (docker/cli credentials/native_store.go).
  if (answer.Username === '<token>') return { identityToken: answer.Secret, source };
  return { username: answer.Username, password: answer.Secret, source };
}

/** The default helper runner: spawns `docker-credential-<helper> get`, 10 s limit. */
export const runCredentialHelper: HelperRunner = (helper, serverUrl) =>
  new Promise((resolve, reject) => {
    const program = `docker-credential-${helper}`;
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new UserError(
          e.code === 'ENOENT' ? `The Docker credential helper ${program} is not installed (it is named in your Docker config).` : `The Docker credential helper ${program} could not be started (${e.code ?? e.message}).`,
          { hint: 'Install the helper, or remove it from credsStore/credHelpers in your Docker config.json.' },
        ),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Helper output holds the secret: only ever parse it, never put it in a message.
      const text = (out || err).trim();
      if (code === 0) {
        try {
          resolve(JSON.parse(out) as HelperAnswer);
        } catch {
          reject(new UserError(`The Docker credential helper ${program} answered something that is not JSON.`));
        }
        return;
      }
      if (/credentials not found|not found in native keychain|no credentials/i.test(text)) return resolve(undefined);
      reject(new UserError(`The Docker credential helper ${program} failed (${signal ? `killed by ${signal}` : `exit ${code}`}).`, { hint: 'Run `docker login` again, or check the helper.' }));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(serverUrl);
  });

export interface LookupOptions {
  /** the Docker config folder (default {@link dockerConfigDir}) */
  configDir?: string;
  /** an already-read config (tests) */
  config?: DockerConfigFile;
  runHelper?: HelperRunner;
  /** looked at first: the extension's own secret storage */
  secretStore?: (registry: string) => Promise<RegistryCredentials | undefined>;
}

/**
 * Credentials for a registry, in this order: our secret storage, `credHelpers[registry]`,
 * `credsStore`, then the `auths` entry. Undefined when none has any (anonymous access).
 */
export async function lookupCredentials(registry: string, options: LookupOptions = {}): Promise<RegistryCredentials | undefined> {
  const host = normalizeRegistryHost(registry);
  const own = await options.secretStore?.(host);
  if (own) return own;
  const dir = options.configDir ?? dockerConfigDir();
  const config = options.config ?? readDockerConfig(dir);
  const run = options.runHelper ?? runCredentialHelper;
  const server = serverAddressFor(host);
  const helper = findCredHelper(config, host);
  if (helper) return fromHelper(await run(helper, server), helper);
  if (config.credsStore) {
    const found = fromHelper(await run(config.credsStore, server), config.credsStore);
    if (found) return found;
  }
  const entry = findAuthEntry(config, host);
  return entry ? decodeAuthEntry(entry.entry, path.join(dir, 'config.json')) : undefined;
}

/** Registries named in a Docker config: `auths` keys and `credHelpers` keys, normalised. */
export function configuredRegistries(config: DockerConfigFile): string[] {
  const keys = [...Object.keys(config.auths ?? {}), ...Object.keys(config.credHelpers ?? {})];
  return [...new Set(keys.map(normalizeRegistryHost).filter((k) => k !== ''))];
}

/**
 * The Engine API's `X-Registry-Auth` header value: base64url of the JSON auth config.
 * Anonymous access sends `{}` (the engine accepts it and then asks the registry without credentials).
 */
export function encodeRegistryAuth(credentials: RegistryCredentials | undefined, registry: string): string {
  const body: Record<string, string> = {};
  if (credentials?.identityToken) body.identitytoken = credentials.identityToken;
  else if (credentials) {
    if (credentials.username) body.username = credentials.username;
    if (credentials.password) body.password = credentials.password;
  }
  if (credentials) body.serveraddress = serverAddressFor(registry);
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}
