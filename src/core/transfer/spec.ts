/**
 * Copy specs of Upload to Container and Download Artifacts, as profiles write them:
 * `upload: ["./data:/app/data"]` (workspace path first, like `docker cp SRC CONTAINER:DEST`) and
 * `download: ["/app/artifacts:./artifacts"]` (container path first, like `docker cp CONTAINER:SRC DEST`).
 *
 * The meaning is a bind mount's, not `docker cp`'s "into an existing folder": after
 * `./data:/app/data` the container's /app/data holds what ./data holds (not /app/data/data),
 * and after `/app/artifacts:./artifacts` the workspace's artifacts folder holds what the
 * container's /app/artifacts holds. src/core/transfer/archive.ts maps the paths.
 * Windows host paths (`C:\data`) are out of scope, as in src/core/run/mounts.ts.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../errors';

/** One copy between a workspace path and a container path. */
export interface TransferSpec {
  /** Absolute path on this machine (resolved against the workspace folder). */
  local: string;
  /** Absolute, normalised posix path inside the container (never "/"). */
  container: string;
  /** The spec as written, for messages. */
  text: string;
}

export const UPLOAD_EXPECTED = 'workspace-path:/container/path, e.g. ./data:/app/data';
export const DOWNLOAD_EXPECTED = '/container/path:workspace-path, e.g. /app/artifacts:./artifacts';

/**
 * Parses an upload spec `<workspace path>:<container path>`.
 * The workspace path may be relative (`./data`, `data`, `../shared`: against `workspaceFolder`),
 * absolute, or start with `~/`.
 * @throws UserError when there is not exactly one ":", a side is empty, the container path is
 *   not absolute or is "/", the two sides are swapped, or a relative path has no open folder.
 */
export function parseUploadSpec(text: string, workspaceFolder: string | undefined): TransferSpec {
  const [local, container] = split(text, 'upload', UPLOAD_EXPECTED);
  if (!container.startsWith('/')) {
    const swapped = local.startsWith('/') && !container.startsWith('/');
    fail(text, 'upload', UPLOAD_EXPECTED, `the container path "${container}" must be absolute (start with /)`,
      swapped ? `An upload copies from the workspace into the container: write the workspace path first, e.g. ${container}:${local}.` : undefined);
  }
  return { local: localPath(text, local, workspaceFolder, 'upload', UPLOAD_EXPECTED), container: containerPath(text, container, 'upload', UPLOAD_EXPECTED), text: text.trim() };
}

/**
 * Parses a download spec `<container path>:<workspace path>` (see {@link parseUploadSpec} for
 * the workspace path's forms).
 * @throws UserError like parseUploadSpec; a spec whose first side is not absolute is taken
 *   as swapped and says so.
 */
export function parseDownloadSpec(text: string, workspaceFolder: string | undefined): TransferSpec {
  const [container, local] = split(text, 'download', DOWNLOAD_EXPECTED);
  if (!container.startsWith('/')) {
    fail(text, 'download', DOWNLOAD_EXPECTED, `the container path "${container}" must be absolute (start with /)`,
      local.startsWith('/') ? `A download copies from the container into the workspace: write the container path first, e.g. ${local}:${container}.` : undefined);
  }
  return { container: containerPath(text, container, 'download', DOWNLOAD_EXPECTED), local: localPath(text, local, workspaceFolder, 'download', DOWNLOAD_EXPECTED), text: text.trim() };
}

/** `./data:/app/data` for an upload, `/app/artifacts:./artifacts` for a download (workspace paths relative when inside `workspaceFolder`). */
export function formatTransferSpec(spec: TransferSpec, direction: 'upload' | 'download', workspaceFolder?: string): string {
  const rel = workspaceFolder ? path.relative(workspaceFolder, spec.local) : '';
  const local = workspaceFolder && !rel.startsWith('..') && !path.isAbsolute(rel) ? `./${rel.split(path.sep).join('/')}`.replace(/\/$/, '') : spec.local;
  return direction === 'upload' ? `${local}:${spec.container}` : `${spec.container}:${local}`;
}

function fail(text: string, what: string, expected: string, problem: string, hint?: string): never {
  // The specific advice goes into the message too: profile diagnostics show the message only.
  throw new UserError(`${what} "${text.trim()}": ${problem}; expected ${expected}.${hint ? ` ${hint}` : ''}`, { hint: hint ?? `Write it as ${expected}.` });
}

function split(text: string, what: string, expected: string): [string, string] {
  const t = text.trim();
  if (t === '') fail(text, what, expected, 'the spec is empty');
  const parts = t.split(':');
  if (parts.length === 1) fail(text, what, expected, 'there is no ":" between the workspace path and the container path');
  if (parts.length > 2) fail(text, what, expected, 'more than one ":" (paths with ":" and Windows paths are not supported)');
  const [a, b] = parts.map((p) => p.trim());
  if (a === '' || b === '') fail(text, what, expected, `the ${a === '' ? 'first' : 'second'} path is empty`);
  return [a, b];
}

function containerPath(text: string, p: string, what: string, expected: string): string {
  const clean = path.posix.normalize(p).replace(/(?<=.)\/$/, '');
  if (clean === '/') fail(text, what, expected, 'the container path cannot be "/"', 'Name the folder to copy, e.g. /usr/local/app/artifacts.');
  return clean;
}

function localPath(text: string, p: string, workspaceFolder: string | undefined, what: string, expected: string): string {
  if (p.startsWith('/')) return path.normalize(p).replace(/(?<=.)\/$/, '');
  if (p === '~' || p.startsWith('~/')) return path.join(os.homedir(), p.slice(1));
  if (p.startsWith('~')) fail(text, what, expected, `"${p}": only ~ and ~/path are supported, not ~user`);
  if (!workspaceFolder) fail(text, what, expected, `the workspace path "${p}" is relative and no folder is open`, 'Open a folder, or write an absolute path.');
  return path.resolve(workspaceFolder, p);
}
