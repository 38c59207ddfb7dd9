/**
 * Dockerfile discovery, tag suggestions and image reference validation.
 * Reference grammar source: github.com/distribution/reference (reference.go) as used by
 * `docker build -t` and `docker tag`: `[host[:port]/]path[:tag][@digest]`, path components
 * `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`, tag `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
 */
import { referenceProblem } from '../registry/reference';

/**
 * Glob for finding Dockerfiles in a workspace (VS Code `findFiles`). It also matches
 * `Dockerfile.dockerignore`; filter the results with `isDockerfileName`.
 */
export const DOCKERFILE_GLOB = '**/{Dockerfile,Dockerfile.*,*.dockerfile,*.Dockerfile,Containerfile,Containerfile.*}';

/** The last segment of a POSIX or Windows path. */
function lastSegment(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

/**
 * Whether a file name (or path; only the last segment counts) names a Dockerfile:
 * `Dockerfile`, `Dockerfile.<suffix>` (`Dockerfile.gpu`), `<name>.dockerfile`
 * (`train.dockerfile`, `train.Dockerfile`), `Containerfile`, `Containerfile.<suffix>`.
 * The `dockerfile`/`containerfile` part is matched case-insensitively. BuildKit's per-Dockerfile
 * ignore files (`Dockerfile.dockerignore`, `train.dockerfile.dockerignore`) are not Dockerfiles.
 */
export function isDockerfileName(fileName: string): boolean {
  const base = lastSegment(fileName);
  if (/\.dockerignore$/i.test(base)) return false;
  return /^(dockerfile|containerfile)(\.[^.].*)?$/i.test(base) || /^.+\.dockerfile$/i.test(base);
}

/**
 * Words that name a variant of the folder's image rather than an image of its own:
 * `Dockerfile.gpu` in `iris-train/` builds `iris-train-gpu`, not `gpu`.
 */
const VARIANT_WORDS = new Set(['gpu', 'cpu', 'cuda', 'rocm', 'dev', 'debug', 'prod', 'test', 'ci', 'local', 'slim', 'amd64', 'arm64']);

/**
 * The image name "Build Image" suggests for a Dockerfile, before it is made a valid repository
 * name by `suggestTag`. The Dockerfile's own name wins when it has one, so two Dockerfiles in one
 * folder get two images (lab notes: `Dockerfile.greet-app` and `Dockerfile.greet3-app`):
 * - `Dockerfile.<name>` / `Containerfile.<name>` and `<name>.dockerfile` give `<name>`
 *   (`Dockerfile.greet-app` -> `greet-app`, `greet-app.dockerfile` -> `greet-app`);
 * - a plain `Dockerfile` / `Containerfile` gives the folder name;
 * - a name whose words are all in the folder name gives the folder name
 *   (`train.dockerfile` in `iris-train/` -> `iris-train`);
 * - a variant word (`gpu`, `cpu`, `cuda`, `dev`, `prod`, `test`, ...) is appended to the folder
 *   name (`Dockerfile.gpu` in `iris-train/` -> `iris-train-gpu`).
 *
 * @param dockerfileName the Dockerfile's file name (a path works; only the last segment counts)
 * @param folderName the build context folder's name
 */
export function imageNameFor(dockerfileName: string, folderName: string): string {
  const base = lastSegment(dockerfileName);
  const own = /^(?:dockerfile|containerfile)\.(.+)$/i.exec(base)?.[1] ?? /^(.+)\.(?:dockerfile|containerfile)$/i.exec(base)?.[1];
  if (!own) return folderName;
  const words = (s: string) => s.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  const folderWords = new Set(words(folderName));
  const ownWords = words(own);
  if (ownWords.length === 0 || ownWords.every((w) => folderWords.has(w))) return folderName;
  if (ownWords.every((w) => VARIANT_WORDS.has(w))) return `${folderName}-${own}`;
  return own;
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

/**
 * Validates an image reference as `docker build -t` would.
 *
 * @returns undefined when valid, else a message naming the bad part, e.g.
 *   `repository "Iris" must be lower-case, e.g. "iris"`, `tag "v1!" may contain only ...`,
 *   `tag is 130 characters; the limit is 128`, `the image name is empty`.
 */
export function validateImageReference(ref: string): string | undefined {
  // src/core/registry/reference.ts is the source of truth for reference syntax.
  return referenceProblem(ref);
}
