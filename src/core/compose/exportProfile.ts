/**
 * "Export Profile as Compose Service": a run profile (src/core/run/profile.ts) as a Compose
 * service, appended to a Compose file keeping its comments, blank lines and order (the yaml
 * Document API, as src/core/run/profileFile.ts saves profiles).
 *
 * Field mapping (Compose Specification, services: https://github.com/compose-spec/compose-spec/blob/main/05-services.md):
 * build -> `build: {context, dockerfile, args, target}` + `image: <tag>`; name -> `container_name`;
 * command/entrypoint/workdir/user -> `command`/`entrypoint`/`working_dir`/`user`; ports ->
 * `"[ip:]host:container[/proto]"`; bind mounts -> `./relative:/target[:ro]` (relative to the
 * Compose file's folder when inside it); named volumes -> `name:/target` plus a top-level
 * `volumes: {name: {}}` entry; env -> `environment`; envFiles -> `env_file`; gpus ->
 * `deploy.resources.reservations.devices`; shmSize/memory/cpus -> `shm_size`/`mem_limit`/`cpus`;
 * ipc -> `ipc`; network host/none/bridge -> `network_mode`, a user-defined network -> `networks:`
 * plus a top-level external network; detach false -> `stdin_open` + `tty`; labels; restart.
 * `rm` has no Compose field and is left out.
 */
import * as path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, YAMLMap } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { UserError } from '../errors';
import type { Profile } from '../run/profile';
import { formatByteSize, formatCpus } from '../run/resources';

/** Compose service names: letters, digits, `.`, `_`, `-` (compose-spec schema `services` patternProperties). */
export const COMPOSE_SERVICE_NAME = /^[a-zA-Z0-9._-]+$/;

function relativePath(from: string, target: string): string {
  const rel = path.relative(from, target);
  if (rel === '') return '.';
  if (rel.startsWith('..') && rel.split(path.sep).length > 3) return target; // far outside: keep it absolute
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/**
 * The Compose service for a profile, as plain data in the Compose file's field order.
 * @param composeDir absolute folder of the Compose file (relative paths are relative to it)
 * @returns the service and the top-level named volumes / external networks it needs
 */
export function profileToComposeService(profile: Profile, composeDir: string): { service: Record<string, unknown>; volumes: string[]; networks: string[] } {
  const r = profile.run;
  const s: Record<string, unknown> = {};
  if (profile.build) {
    const b = profile.build;
    const context = relativePath(composeDir, b.context);
    s.build = {
      context,
      ...(path.basename(b.dockerfile) !== 'Dockerfile' || path.dirname(b.dockerfile) !== b.context ? { dockerfile: path.relative(b.context, b.dockerfile) } : {}),
      ...(Object.keys(b.args).length ? { args: b.args } : {}),
      ...(b.target ? { target: b.target } : {}),
    };
    if (b.platform) s.platform = b.platform;
  }
  s.image = profile.image;
  if (r.name) s.container_name = r.name;
  if (r.entrypoint) s.entrypoint = r.entrypoint;
  if (r.cmd) s.command = r.cmd;
  if (r.workingDir) s.working_dir = r.workingDir;
  if (r.user) s.user = r.user;
  if (r.ports.length)
    s.ports = r.ports.map((p) => `${p.hostIp ? `${p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp}:` : ''}${p.hostPort !== undefined ? `${p.hostPort}:` : ''}${p.containerPort}${p.protocol !== 'tcp' ? `/${p.protocol}` : ''}`);
  const volumes: string[] = [];
  if (r.mounts.length) {
    s.volumes = r.mounts.map((m) => {
      if (m.type === 'volume') volumes.push(m.source);
      const source = m.type === 'bind' ? relativePath(composeDir, m.source) : m.source;
      return `${source}:${m.target}${m.readOnly ? ':ro' : ''}`;
    });
  }
  if (Object.keys(r.env).length) s.environment = r.env;
  if (r.envFiles.length) s.env_file = r.envFiles.map((f) => relativePath(composeDir, f));
  if (r.gpus) {
    const g = r.gpus;
    const device = { driver: 'nvidia', ...(g.kind === 'all' ? { count: 'all' } : g.kind === 'count' ? { count: g.count } : { device_ids: g.deviceIds }), capabilities: ['gpu'] };
    s.deploy = { resources: { reservations: { devices: [device] } } };
  }
  if (r.shmSize !== undefined) s.shm_size = formatByteSize(r.shmSize);
  if (r.ipcMode) s.ipc = r.ipcMode;
  if (r.memory !== undefined) s.mem_limit = formatByteSize(r.memory);
  if (r.nanoCpus !== undefined) s.cpus = Number(formatCpus(r.nanoCpus));
  const networks: string[] = [];
  if (r.network) {
    if (['host', 'none', 'bridge'].includes(r.network) || r.network.startsWith('container:')) s.network_mode = r.network;
    else {
      s.networks = [r.network];
      networks.push(r.network);
    }
  }
  if (!r.detach) {
    s.stdin_open = true;
    s.tty = true;
  }
  if (Object.keys(r.labels).length) s.labels = r.labels;
  if (r.restart) s.restart = r.restart;
  return { service: s, volumes, networks };
}

/** Gets or creates a top-level mapping (`services`, `volumes`, `networks`). */
function topMap(root: YAMLMap, key: string): YAMLMap {
  let node = root.get(key, true) as unknown;
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) {
    root.set(key, new YAMLMap());
    node = root.get(key, true);
  }
  if (!isMap(node)) throw new UserError(`"${key}" in the Compose file is not a mapping, so nothing was added.`, { hint: `Fix ${key}: (a mapping of names), then export again.` });
  node.flow = false;
  return node;
}

/**
 * Adds service `name` to the Compose file text (replacing it when `replace` is true), plus the
 * named volumes and external networks it uses under the top-level `volumes:`/`networks:` when
 * missing. Everything else keeps its comments, blank lines and order.
 * @param text the file's content ('' for a new file)
 * @returns the new content
 * @throws UserError for YAML syntax errors (we never rewrite a file we could not read), a top
 *   level or `services` that is not a mapping, a name Compose refuses, or a service of that
 *   name when `replace` is not set
 */
export function appendComposeService(
  text: string,
  name: string,
  exported: { service: Record<string, unknown>; volumes: string[]; networks: string[] },
  options: { replace?: boolean } = {},
): string {
  if (!COMPOSE_SERVICE_NAME.test(name)) throw new UserError(`"${name}" is not a Compose service name: use letters, digits, ., _ and -, e.g. train.`);
  const doc = parseDocument(text) as unknown as Document;
  if (doc.errors.length) {
    throw new UserError(`The Compose file has YAML errors (first: ${doc.errors[0].message.split('\n')[0]}); fix them before exporting a service.`);
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    const comment = doc.commentBefore;
    doc.contents = doc.createNode({ services: {} }) as unknown as typeof doc.contents;
    doc.commentBefore = comment;
  }
  const root = doc.contents as unknown;
  if (!isMap(root)) throw new UserError('The Compose file should be a mapping with services:; it is not, so nothing was added.');
  const services = topMap(root, 'services');
  const node = doc.createNode(exported.service) as YamlNode;
  // Short lists read best on one line ([python, train.py]); ports and mounts are quoted, as the
  // Compose docs advise (a YAML 1.1 reader takes 22:22 for a base-60 number).
  const style = (n: unknown): void => {
    if (isMap(n)) for (const pair of n.items) style(pair.value);
    else if (isSeq(n)) {
      n.flow = n.items.every((i) => isScalar(i)) && n.items.length <= 4 && n.items.every((i) => isScalar(i) && String(i.value).length < 30);
      for (const i of n.items) style(i);
    } else if (isScalar(n) && typeof n.value === 'string' && /^(?=.*\d)[\d:.[\]]+(\/\w+)?$|^(true|false|yes|no|on|off|null|~)$|:\//i.test(n.value)) n.type = 'QUOTE_DOUBLE';
  };
  style(node);
  const existing = services.items.find((p) => isScalar(p.key) && p.key.value === name);
  if (existing && !options.replace) {
    throw new UserError(`The Compose file already has a service named ${name}.`, { hint: 'Choose another service name, or replace the existing service.' });
  }
  if (existing) existing.value = node;
  else services.set(name, node);
  for (const v of exported.volumes) {
    const volumes = topMap(root, 'volumes');
    if (!volumes.has(v)) volumes.set(v, new YAMLMap());
  }
  for (const n of exported.networks) {
    const networks = topMap(root, 'networks');
    if (!networks.has(n)) networks.set(n, doc.createNode({ external: true }));
  }
  return doc.toString({ lineWidth: 0 });
}
