/**
 * Image references as Docker reads them (distribution/reference): parse with a clear message
 * for each malformed part, and normalise (Docker Hub's aliases, `library/` for official images).
 *
 *   ubuntu                          -> docker.io/library/ubuntu:latest
 *   docker.io/library/ubuntu:22.04  -> docker.io/library/ubuntu:22.04  (shown as ubuntu:22.04)
 *   127.0.0.1:5000/a/b:c            -> registry 127.0.0.1:5000, path a/b, tag c
 *   iris@sha256:<64 hex>            -> digest, no tag
 *
 * This module is the source of truth for reference syntax; src/core/build/dockerfiles.ts
 * `validateImageReference` delegates to it.
 */
import { UserError } from '../errors';

/** The registry name Docker uses for Docker Hub in references. */
export const DOCKER_HUB = 'docker.io';
/** The key `docker login` writes for Docker Hub in config.json `auths` and passes to credential helpers. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';
/** The host that serves Docker Hub's Registry HTTP API v2. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
/** Names that all mean Docker Hub. */
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;
/** Docker's limits: tag 128 characters, whole name 255. */
const MAX_TAG = 128;
const MAX_NAME = 255;

export interface ImageReference {
  /** `docker.io` for Docker Hub (any alias), else `host[:port]` as written */
  registry: string;
  /** whether the input named the registry (`docker.io/x` did, `x` did not) */
  explicitRegistry: boolean;
  /** repository path inside the registry, normalised: `library/ubuntu`, `a/b` */
  path: string;
  /** undefined when only a digest was given */
  tag?: string;
  /** `sha256:...` */
  digest?: string;
}

export type ParseResult = { ok: true; reference: ImageReference } | { ok: false; message: string };

/** A reference that does not parse; `message` names the malformed part. */
export class ReferenceError extends UserError {
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(`Image reference "${input}": ${message}`, { hint: 'Expected [registry-host[:port]/]repository[:tag][@sha256:digest], e.g. 127.0.0.1:5000/lab/iris:v1' });
    this.name = 'ReferenceError';
  }
}

/** Whether `host` is one of Docker Hub's names. */
export function isDockerHub(host: string): boolean {
  return HUB_ALIASES.has(host.toLowerCase());
}

/**
 * The registry a server address stands for, as keys in config.json and credential helpers are
 * written: `https://index.docker.io/v1/` -> `docker.io`, `http://127.0.0.1:5000/` -> `127.0.0.1:5000`,
 * `Registry.Example.org` -> `registry.example.org`.
 */
export function normalizeRegistryHost(server: string): string {
  const host = server.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
  return isDockerHub(host) ? DOCKER_HUB : host;
}

/** Human name of a registry: "Docker Hub" or the host. */
export function registryDisplayName(registry: string): string {
  return isDockerHub(registry) ? 'Docker Hub' : registry;
}

/** Loopback registries Docker (and we) talk to over plain HTTP: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.replace(/:\d+$/, '');
  return host === 'localhost' || /^127(?:\.\d{1,3}){3}$/.test(host) || host === '::1';
}

/** Base URL of a registry's HTTP API: `https://registry-1.docker.io`, `http://127.0.0.1:5000`. */
export function registryApiBase(registry: string): string {
  const r = normalizeRegistryHost(registry);
  if (r === DOCKER_HUB) return `https://${DOCKER_HUB_API_HOST}`;
  return `${isLoopbackRegistry(r) ? 'http' : 'https'}://${r}`;
}

function validateRegistryHost(hostPort: string): string | undefined {
  let host = hostPort;
  let port: string | undefined;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) return `registry host "${hostPort}" is missing "]"`;
    port = host.slice(close + 1).startsWith(':') ? host.slice(close + 2) : undefined;
    if (host.slice(close + 1) !== '' && port === undefined) return `registry host "${hostPort}" is not valid`;
    host = host.slice(1, close);
    if (!/^[0-9a-fA-F:.]+$/.test(host)) return `registry host "${hostPort}" is not a valid IPv6 address`;
  } else {
    const colon = host.indexOf(':');
    if (colon >= 0) {
      port = host.slice(colon + 1);
      host = host.slice(0, colon);
    }
    if (!host.split('.').every((part) => DOMAIN_COMPONENT.test(part))) {
      return `registry host "${host}" is not a valid host name`;
    }
  }
  if (port !== undefined && !/^\d+$/.test(port)) return `registry port "${port}" is not a number`;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `registry port ${port} is out of range (1-65535)`;
  return undefined;
}

/** Validates a registry host as a user types it (`127.0.0.1:5000`, `ghcr.io`); undefined when valid. */
export function validateRegistry(server: string): string | undefined {
  const host = server.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '');
  if (host === '') return 'the registry is empty; expected e.g. 127.0.0.1:5000 or docker.io';
  if (host.includes('/')) return `"${server}" has a path; give only the registry host[:port], e.g. 127.0.0.1:5000`;
  return validateRegistryHost(host);
}

/** Parses a reference; never throws. */
export function parseImageReference(input: string): ParseResult {
  const fail = (message: string): ParseResult => ({ ok: false, message });
  const ref = input;
  if (ref.trim() === '') return fail('the image name is empty; expected e.g. iris-train:v1');
  if (/\s/.test(ref)) return fail(`"${ref}" contains whitespace; expected e.g. iris-train:v1`);
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    if (!DIGEST.test(digest)) return fail(`digest "${digest}" is not valid; expected sha256:<64 hex digits>`);
    if (digest.startsWith('sha256:') && !SHA256.test(digest)) return fail(`digest "${digest}" is not valid; expected sha256:<64 hex digits>`);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (tag === '') return fail(`the tag after ":" is empty in "${ref}"; e.g. ${rest || 'iris-train'}:v1`);
    if (tag.length > MAX_TAG) return fail(`tag is ${tag.length} characters; the limit is ${MAX_TAG}`);
    if (!TAG.test(tag)) return fail(`tag "${tag}" may contain only letters, digits, _, . and - and may not start with . or -`);
  }
  if (rest === '') return fail(`the repository name is empty in "${ref}"; expected e.g. iris-train:v1`);
  if (rest.length > MAX_NAME) return fail(`the repository name is ${rest.length} characters; the limit is ${MAX_NAME}`);

  const components = rest.split('/');
  // distribution/reference: the first component is a registry host when it has "." or ":",
  // is "localhost", or has upper-case letters (path components never may).
  const first = components[0];
  let registry: string | undefined;
  if (components.length > 1 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase())) {
    const hostMessage = validateRegistryHost(first);
    if (hostMessage) return fail(hostMessage);
    registry = components.shift();
  }
  for (const component of components) {
    if (component === '') return fail(`"${rest}" has an empty path component (check the "/" characters)`);
    if (PATH_COMPONENT.test(component)) continue;
    if (PATH_COMPONENT.test(component.toLowerCase())) {
      return fail(`repository "${component}" must be lower-case, e.g. "${component.toLowerCase()}"`);
    }
    return fail(`repository "${component}" may contain only lower-case letters, digits and single ".", "_", "__" or "-" separators between them`);
  }
  const hub = registry === undefined || isDockerHub(registry);
  const path = hub && components.length === 1 ? `library/${components[0]}` : components.join('/');
  return {
    ok: true,
    reference: {
      registry: hub ? DOCKER_HUB : registry!,
      explicitRegistry: registry !== undefined,
      path,
      ...(tag !== undefined || digest === undefined ? { tag: tag ?? 'latest' } : {}),
      ...(digest !== undefined ? { digest } : {}),
    },
  };
}

/** Parses a reference; throws {@link ReferenceError} naming the malformed part. */
export function parseReference(input: string): ImageReference {
  const r = parseImageReference(input.trim());
  if (!r.ok) throw new ReferenceError(input, r.message);
  return r.reference;
}

/**
 * The repository as Docker shows it (`docker images`): Hub images without `docker.io/` and
 * official ones without `library/` (`ubuntu`, `jupyter/scipy-notebook`, `127.0.0.1:5000/a/b`).
 */
export function familiarRepository(ref: ImageReference): string {
  if (ref.registry !== DOCKER_HUB) return `${ref.registry}/${ref.path}`;
  return ref.path.startsWith('library/') && ref.path.split('/').length === 2 ? ref.path.slice('library/'.length) : ref.path;
}

/** The fully qualified repository: `docker.io/library/ubuntu`, `127.0.0.1:5000/a/b`. */
export function canonicalRepository(ref: ImageReference): string {
  return `${ref.registry}/${ref.path}`;
}

/** The reference as Docker shows it: `ubuntu:22.04`, `127.0.0.1:5000/a/b:c`, `iris@sha256:...`. */
export function familiarReference(ref: ImageReference): string {
  return `${familiarRepository(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The fully qualified reference: `docker.io/library/ubuntu:22.04`. */
export function canonicalReference(ref: ImageReference): string {
  return `${canonicalRepository(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** Validates a reference as `docker build -t` / `docker tag` would: undefined when valid, else what is wrong. */
export function referenceProblem(input: string): string | undefined {
  const r = parseImageReference(input);
  return r.ok ? undefined : r.message;
}

/** The same image under another registry: `iris:v1` for `127.0.0.1:5000` -> `127.0.0.1:5000/iris:v1` (official `library/` dropped). */
export function retargetReference(ref: ImageReference, registry: string): ImageReference {
  const host = normalizeRegistryHost(registry);
  const path = host !== DOCKER_HUB && ref.registry === DOCKER_HUB && ref.path.startsWith('library/') ? ref.path.slice('library/'.length) : ref.path;
  return { ...ref, registry: host, explicitRegistry: true, path, digest: undefined, tag: ref.tag ?? 'latest' };
}
