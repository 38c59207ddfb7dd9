/**
 * Bind mounts on a remote engine. A bind mount's source is a path on the machine the
 * engine runs on ("the file or directory is referenced by its absolute path on the host
 * machine", docs.docker.com/storage/bind-mounts/): with `ssh://gpu-box` or `tcp://host:2376`
 * the container gets gpu-box's folder of that name, not the workspace's. These pure helpers
 * say so and turn such mounts into their replacements: copies (upload before the start,
 * download after the exit) or named volumes on the remote engine.
 */
import * as path from 'node:path';
import type { EngineAddress } from '../connection';
import type { MountSpec } from '../run/mounts';
import type { RunRequest } from '../run/createOptions';
import type { TransferSpec } from './spec';
import { formatBytes } from '../format';

/**
 * Whether bind mounts on this engine name folders of another machine: ssh:// and tcp://
 * engines. A unix socket (or Windows named pipe) is this machine's engine. A tcp://127.0.0.1
 * engine is usually this machine too, but a forwarded port can lead anywhere, so it counts as
 * remote and the user is asked (Run Anyway keeps the mounts).
 */
export function isRemoteEngine(address: EngineAddress): boolean {
  return address.kind !== 'socket';
}

/** The bind mounts of a run (named volumes live on the engine wherever it is, so they are fine). */
export function bindMounts(req: RunRequest): MountSpec[] {
  return req.mounts.filter((m) => m.type === 'bind');
}

/** How a bind mount reads in a message: workspace-relative (`./artifacts`) when inside it. */
export function describeSource(source: string, workspaceFolder?: string): string {
  if (workspaceFolder) {
    const rel = path.relative(workspaceFolder, source);
    if (rel === '') return '.';
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) return `./${rel.split(path.sep).join('/')}`;
  }
  return source;
}

/**
 * The modal's text for bind mounts on a remote engine: one line per mount, naming the folder
 * the remote machine would mount.
 */
export function remoteMountWarning(mounts: MountSpec[], engine: string, workspaceFolder?: string): { message: string; detail: string } {
  const lines = mounts.map((m) => `• ${describeSource(m.source, workspaceFolder)} -> ${m.target}${m.readOnly ? ' (read-only)' : ''}: mounts ${m.source} of the engine's machine`);
  return {
    message: `${mounts.length === 1 ? 'This bind mount names a folder' : `These ${mounts.length} bind mounts name folders`} on the engine's machine (${engine}), not this workspace.`,
    detail: [
      ...lines,
      '',
      'Copy Instead: upload each folder into the container before it starts, and download it back after it exits (read-only mounts are only uploaded).',
      'Use Named Volumes: keep the files in volumes on the engine, which stay there between runs (use Download Artifacts to fetch them).',
      'Run Anyway: mount those paths of the engine\'s machine as they are.',
    ].join('\n'),
  };
}

/**
 * Copy Instead: the run without its bind mounts, with an upload for each (when the local path
 * exists: `exists`) and a download after the exit for each writable one.
 */
export function mountsAsCopies(req: RunRequest, exists: (localPath: string) => boolean): RunRequest {
  const binds = bindMounts(req);
  const upload: TransferSpec[] = [...(req.upload ?? [])];
  const download: TransferSpec[] = [...(req.download ?? [])];
  for (const m of binds) {
    const spec = { local: m.source, container: m.target, text: `${m.source}:${m.target}` };
    if (exists(m.source)) upload.push(spec);
    if (!m.readOnly) download.push({ ...spec, text: `${m.target}:${m.source}` });
  }
  return { ...req, mounts: req.mounts.filter((m) => m.type !== 'bind'), upload, download };
}

/**
 * Use Named Volumes: each bind mount becomes a named volume on the engine, named after the
 * container and the folder (`iris-train-artifacts`), cut to Docker's volume-name rule.
 */
export function mountsAsVolumes(req: RunRequest): RunRequest {
  const prefix = (req.name ?? 'mllab').replace(/[^a-zA-Z0-9_.-]/g, '-');
  return {
    ...req,
    mounts: req.mounts.map((m) => (m.type === 'bind' ? { ...m, type: 'volume', source: `${prefix}-${path.basename(m.source).replace(/[^a-zA-Z0-9_.-]/g, '-') || 'data'}`.replace(/^[^a-zA-Z0-9]+/, '') } : m)),
  };
}

/** One line per finished download for the exit notification: `./artifacts (12 files, 3.4 MB)`. */
export function describeDownloads(done: Array<{ local: string; files: number; bytes: number; refused: number }>, workspaceFolder?: string): string {
  return done
    .map((d) => `${describeSource(d.local, workspaceFolder)} (${d.files} file${d.files === 1 ? '' : 's'}, ${formatBytes(d.bytes)}${d.refused ? `, ${d.refused} unsafe entr${d.refused === 1 ? 'y' : 'ies'} not written` : ''})`)
    .join(', ');
}
