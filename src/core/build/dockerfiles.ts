/**
 * Dockerfile discovery, tag suggestions and image reference validation.
 * Reference grammar source: github.com/distribution/reference (reference.go) as used by
 * `docker build -t` and `docker tag`: `[host[:port]/]path[:tag][@digest]`, path components
 * `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`, tag `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
 */

/**
 * Glob for finding Dockerfiles in a workspace (VS Code `findFiles`). It also matches
 * `Dockerfile.dockerignore`; filter the results with `isDockerfileName`.
 */
export const DOCKERFILE_GLOB = '**/{Dockerfile,Dockerfile.*,*.dockerfile,*.Dockerfile,Containerfile,Containerfile.*}';

/**
 * Whether a file name (or path; only the last segment counts) names a Dockerfile:
 * `Dockerfile`, `Dockerfile.<suffix>` (`Dockerfile.gpu`), `<name>.dockerfile`
 * (`train.dockerfile`, `train.Dockerfile`), `Containerfile`, `Containerfile.<suffix>`.
 * The `dockerfile`/`containerfile` part is matched case-insensitively. BuildKit's per-Dockerfile
 * ignore files (`Dockerfile.dockerignore`, `train.dockerfile.dockerignore`) are not Dockerfiles.
 */
export function isDockerfileName(fileName: string): boolean {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  if (/\.dockerignore$/i.test(base)) return false;
  return /^(dockerfile|containerfile)(\.[^.].*)?$/i.test(base) || /^.+\.dockerfile$/i.test(base);
}

/** Longest repository name we suggest; Docker allows 255 for the whole name. */
const MAX_SUGGESTED_REPO = 128;

/**
 * Suggests a tag for building the folder `folderName`: `<repo>:v1`, or `<repo>:v(N+1)` when
 * `existingTags` holds `<repo>:vN` tags (highest N wins; other tags are ignored).
 * The repo is the folder name made a valid Docker repository name: lower-case, characters
 * other than `[a-z0-9._-]` become "-", separator runs that Docker rejects collapse to "-",
 * and leading/trailing separators are trimmed; "image" when nothing is left.
 *
 * @example suggestTag('Iris Train', ['iris-train:v1', 'iris-train:v3']) === 'iris-train:v4'
 */
export function suggestTag(folderName: string, existingTags: string[]): string {
  let repo = folderName
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    // Docker allows ".", "_", "__" or a run of "-" between alphanumerics; any other run -> "-".
    .replace(/[._-]{2,}/g, (run) => (run === '__' || /^-+$/.test(run) ? run : '-'))
    .replace(/^[._-]+/, '')
    .replace(/[._-]+$/, '');
  if (repo.length > MAX_SUGGESTED_REPO) repo = repo.slice(0, MAX_SUGGESTED_REPO).replace(/[._-]+$/, '');
  if (repo === '') repo = 'image';
  let highest = 0;
  const prefix = `${repo}:v`;
  for (const tag of existingTags) {
    if (!tag.startsWith(prefix)) continue;
    const n = tag.slice(prefix.length);
    if (/^\d+$/.test(n)) highest = Math.max(highest, Number(n));
  }
  return `${repo}:v${highest + 1}`;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
/** Docker's limits: tag 128 characters, whole name 255. */
const MAX_TAG = 128;
const MAX_NAME = 255;

/**
 * Validates an image reference as `docker build -t` would.
 *
 * @returns undefined when valid, else a message naming the bad part, e.g.
 *   `repository "Iris" must be lower-case, e.g. "iris"`, `tag "v1!" may contain only ...`,
 *   `tag is 130 characters; the limit is 128`, `the image name is empty`.
 */
export function validateImageReference(ref: string): string | undefined {
  if (ref.trim() === '') return 'the image name is empty; expected e.g. iris-train:v1';
  if (/\s/.test(ref)) return `"${ref}" contains whitespace; expected e.g. iris-train:v1`;
  let rest = ref;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const digest = rest.slice(at + 1);
    if (!DIGEST.test(digest)) return `digest "${digest}" is not valid; expected sha256:<64 hex digits>`;
    rest = rest.slice(0, at);
  }
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash) {
    const tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (tag === '') return `the tag after ":" is empty in "${ref}"; e.g. ${rest || 'iris-train'}:v1`;
    if (tag.length > MAX_TAG) return `tag is ${tag.length} characters; the limit is ${MAX_TAG}`;
    if (!TAG.test(tag)) return `tag "${tag}" may contain only letters, digits, _, . and - and may not start with . or -`;
  }
  if (rest === '') return `the repository name is empty in "${ref}"; expected e.g. iris-train:v1`;
  if (rest.length > MAX_NAME) return `the repository name is ${rest.length} characters; the limit is ${MAX_NAME}`;

  const components = rest.split('/');
  // distribution/reference: the first component is a registry host when it has "." or ":",
  // is "localhost", or has upper-case letters (path components never may).
  const first = components[0];
  if (components.length > 1 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase())) {
    const hostMessage = validateRegistryHost(first);
    if (hostMessage) return hostMessage;
    components.shift();
  }
  for (const component of components) {
    if (component === '') return `"${rest}" has an empty path component (check the "/" characters)`;
    if (PATH_COMPONENT.test(component)) continue;
    if (PATH_COMPONENT.test(component.toLowerCase())) {
      return `repository "${component}" must be lower-case, e.g. "${component.toLowerCase()}"`;
    }
    return `repository "${component}" may contain only lower-case letters, digits and single ".", "_", "__" or "-" separators between them`;
  }
  return undefined;
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
  return undefined;
}
