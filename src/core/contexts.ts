/**
 * The engines a user can switch between (the Engines view), and Docker contexts written
 * in the Docker CLI's own store so `docker context ls` shows them too.
 *
 * Store layout (Docker docs, "Docker contexts"; docker/cli context/store): a context named N
 * lives in `<config>/contexts/meta/<sha256(N) hex>/meta.json` as
 * `{"Name": N, "Metadata": {"Description": ...}, "Endpoints": {"docker": {"Host": ..., "SkipTLSVerify": false}}}`,
 * its TLS files in `<config>/contexts/tls/<sha256(N) hex>/docker/{ca,cert,key}.pem`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  contextAddress, currentContextName, dockerConfigDir, formatEngineAddress, parseDockerHost, resolveConnection,
  type ConnectionInputs, type EngineAddress, type ResolvedConnection,
} from './connection';
import { UserError } from './errors';

/** One row of the Engines view. */
export interface EngineEntry {
  /** `context:<name>`, `default` or `setting` */
  id: string;
  /** the context's name, `default`, or `mlLab.engine.dockerHost` */
  label: string;
  kind: 'setting' | 'default' | 'context';
  /** where it is (`ssh://me@gpu-box`), or why it cannot be used */
  address?: EngineAddress;
  connection?: ResolvedConnection;
  /** set when the entry cannot be used (a malformed meta.json, an address we cannot parse) */
  error?: string;
  /** the engine the extension uses now */
  current: boolean;
  /** the CLI's current context (`docker context use`), shown as such */
  cliCurrent: boolean;
  description?: string;
}

/** The Engines view's context tags (`engine;context;current;`): menus match them with regexes. */
export function engineTags(e: Pick<EngineEntry, 'kind' | 'current'>): string {
  return `engine;${e.kind};${e.current ? 'current;' : ''}`;
}

/** The store's folder name of a context: sha256 of its name, hex (docker/cli context/store). */
export const contextDir = (name: string): string => createHash('sha256').update(name).digest('hex');

/** Docker's rule for context names (docker/cli: `^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$`); "default" is reserved. */
export function checkContextName(name: string): string | undefined {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$/.test(name)) return `"${name}": a context name is letters, digits, "_", ".", "+", "-", starting with a letter or digit (at least 2 characters).`;
  if (name === 'default') return '"default" is the Docker CLI\'s own context: choose another name.';
  return undefined;
}

/**
 * Every engine the user can choose: the setting (when set: it wins over everything), the
 * "default" engine (DOCKER_HOST, else the default socket), and each Docker context, sorted by
 * name. `current` marks what resolveConnection picks. Never throws: a broken entry carries `error`.
 */
export function listEngines(inputs: ConnectionInputs): EngineEntry[] {
  const configDir = dockerConfigDir(inputs);
  let current: ResolvedConnection | undefined;
  let currentError: string | undefined;
  try {
    current = resolveConnection(inputs);
  } catch (e) {
    currentError = e instanceof Error ? e.message : String(e);
  }
  let cliCurrent: string | undefined;
  try {
    cliCurrent = currentContextName({ ...inputs, env: { ...inputs.env, DOCKER_CONTEXT: undefined } }, configDir)?.name;
  } catch { /* a broken config.json: no CLI current context */ }
  const out: EngineEntry[] = [];
  const setting = inputs.setting?.trim();
  if (setting) {
    out.push(entry('setting', 'mlLab.engine.dockerHost', 'setting', () => resolveConnection({ ...inputs, contextSetting: undefined }), current?.source === 'setting', false));
  }
  const defaultConn = () => resolveConnection({ ...inputs, setting: undefined, contextSetting: 'default' });
  out.push(entry('default', 'default', 'default', defaultConn, current?.source === 'DOCKER_HOST' || current?.source === 'default', !cliCurrent));
  const names = new Set<string>();
  for (const dir of inputs.listDir(path.join(configDir, 'contexts', 'meta'))) {
    const text = inputs.readFile(path.join(configDir, 'contexts', 'meta', dir, 'meta.json'));
    try {
      const name = (JSON.parse(text ?? '{}') as { Name?: unknown }).Name;
      if (typeof name === 'string' && name) names.add(name);
    } catch { /* shown by the CLI as an error too; skipped here */ }
  }
  for (const name of [...names].sort()) {
    out.push(entry(`context:${name}`, name, 'context', () => {
      const address = contextAddress(name, 'the Engines view', inputs, configDir);
      return { address, source: 'context', contextName: name, describe: `${formatEngineAddress(address)} (Docker context "${name}")` };
    }, current?.source === 'context' && current.contextName === name, cliCurrent === name));
  }
  if (!current && currentError) out.unshift({ id: 'error', label: 'current engine', kind: 'setting', error: currentError, current: true, cliCurrent: false });
  return out;
}

function entry(id: string, label: string, kind: EngineEntry['kind'], resolve: () => ResolvedConnection, current: boolean, cliCurrent: boolean): EngineEntry {
  try {
    const connection = resolve();
    return { id, label, kind, address: connection.address, connection, current, cliCurrent, description: formatEngineAddress(connection.address) };
  } catch (e) {
    return { id, label, kind, error: e instanceof Error ? e.message : String(e), current, cliCurrent };
  }
}

/** What Add Engine asks for. */
export interface NewContext {
  name: string;
  /** `ssh://me@gpu-box` or `tcp://host:2376` */
  host: string;
  description?: string;
  /** for tcp://: a folder with ca.pem, cert.pem, key.pem (copied into the store, as `docker context create --docker ca=...` does) */
  tlsDir?: string;
}

/**
 * Writes a Docker context into the CLI's store. Returns the meta.json path.
 * @throws UserError for a bad name, a name in use, a host that does not parse, a TLS folder
 *   missing one of ca.pem/cert.pem/key.pem, or a TLS folder given for ssh://
 */
export function writeDockerContext(configDir: string, c: NewContext, exists: (name: string) => boolean): string {
  const bad = checkContextName(c.name);
  if (bad) throw new UserError(bad);
  if (exists(c.name)) throw new UserError(`A Docker context named "${c.name}" already exists (docker context ls). Choose another name, or remove it first.`);
  const address = parseDockerHost(c.host, { tls: !!c.tlsDir });
  if (c.tlsDir && address.kind !== 'tcp') throw new UserError(`TLS certificates go with a tcp:// engine; "${c.host}" is ${address.kind}.`);
  const dir = contextDir(c.name);
  if (c.tlsDir) {
    const missing = ['ca.pem', 'cert.pem', 'key.pem'].filter((f) => !fs.existsSync(path.join(c.tlsDir!, f)));
    if (missing.length) throw new UserError(`${c.tlsDir} has no ${missing.join(', ')}: a TLS engine needs the CA certificate and your client certificate and key (the Docker docs' "Protect the Docker daemon socket").`);
    const tlsOut = path.join(configDir, 'contexts', 'tls', dir, 'docker');
    fs.mkdirSync(tlsOut, { recursive: true, mode: 0o700 });
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.copyFileSync(path.join(c.tlsDir, f), path.join(tlsOut, f));
    fs.chmodSync(path.join(tlsOut, 'key.pem'), 0o600);
  }
  const metaDir = path.join(configDir, 'contexts', 'meta', dir);
  fs.mkdirSync(metaDir, { recursive: true, mode: 0o755 });
  const meta = { Name: c.name, Metadata: { Description: c.description ?? '' }, Endpoints: { docker: { Host: formatEngineAddress(address), SkipTLSVerify: false } } };
  const file = path.join(metaDir, 'meta.json');
  fs.writeFileSync(file, JSON.stringify(meta));
  return file;
}

/** Removes a context from the CLI's store (its meta and TLS folders). Returns whether it existed. */
export function removeDockerContext(configDir: string, name: string): boolean {
  const dir = contextDir(name);
  const meta = path.join(configDir, 'contexts', 'meta', dir);
  const existed = fs.existsSync(meta);
  fs.rmSync(meta, { recursive: true, force: true });
  fs.rmSync(path.join(configDir, 'contexts', 'tls', dir), { recursive: true, force: true });
  return existed;
}

/**
 * The engine a run profile names (`engine: gpu-box`): the Engines view's entry whose name
 * (a Docker context's name, `default`, `mlLab.engine.dockerHost`) or id is `name`.
 * @throws UserError naming the engine, the engines there are, and what to do, when no entry has
 *   that name or the entry cannot be used (a broken context)
 */
export function engineNamed(entries: readonly EngineEntry[], name: string, profile: string): EngineEntry & { connection: ResolvedConnection } {
  const e = entries.find((x) => x.label === name || x.id === name);
  const known = entries.filter((x) => x.id !== 'error').map((x) => x.label).join(', ');
  if (!e) {
    throw new UserError(`Profile ${profile} runs on the engine "${name}", which is not a Docker context nor an entry of the Engines view (there are: ${known}).`, {
      hint: `Add it with "ML Lab: Add Engine..." (or docker context create ${name} --docker host=ssh://user@host), or change engine: in the profile.`,
    });
  }
  if (!e.connection) {
    throw new UserError(`Profile ${profile} runs on the engine "${name}", which cannot be used: ${e.error ?? 'its address is missing'}.`, {
      hint: `Fix the Docker context ${name} (docker context inspect ${name}), or change engine: in the profile.`,
    });
  }
  return e as EngineEntry & { connection: ResolvedConnection };
}
