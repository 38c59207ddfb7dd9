/**
 * The tar side of Upload to Container (`PUT /containers/{id}/archive`) and Download Artifacts
 * (`GET /containers/{id}/archive`): where an upload is unpacked in the container and what its
 * entries are called, packing a workspace file or folder, and unpacking a download safely.
 *
 * The Engine API's archive rules (docs.docker.com/engine/api/v1.41, "Extract an archive of
 * files or folders to a directory in a container" / "Get an archive of a filesystem resource in
 * a container"): PUT unpacks the tar into `path`, which must be an existing directory; GET
 * returns a tar whose entries start with the base name of `path` (`artifacts/model.pt` for
 * /app/artifacts), and the `X-Docker-Container-Path-Stat` header (base64 JSON: name, size, mode
 * with Go's os.ModeDir bit, linkTarget) describes `path` itself.
 *
 * Safe unpacking is node-tar's (npm `tar`, README "preservePaths"): "By default, `/` is
 * stripped from absolute paths, `..` paths are not extracted, and any file whose location would
 * be modified by a symbolic link is not extracted" — the "Zip Slip" class of bugs (CWE-22,
 * path traversal); node-tar also refuses symlinks and hard links whose target resolves above
 * the extraction folder, and does not write devices or FIFOs. On top of it an entry is refused,
 * and named in the result, when its name or link target is absolute (in the container it meant
 * the container's file system; node-tar would rewrite it) or it lies outside the requested path.
 * Nothing is written outside a staging folder until the caller commits it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough, Transform, finished, type Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { Unpack } from 'tar/unpack';
import type { ReadEntry } from 'tar';
import { UserError } from '../errors';
import { PACK_BUFFER_BYTES, addTarBuffer, addTarFile } from '../build/context';

/** What a path in the container is (from `HEAD /containers/{id}/archive`). */
export type ContainerPathKind = 'dir' | 'file' | 'missing';

/**
 * Where an upload is unpacked: `PUT ...archive?path=<extractAt>` with entries named `<root>/...`
 * (`root` "" means the folder's children at the top), after directory entries `dirs` (for
 * container folders that do not exist yet).
 */
export interface UploadLayout {
  extractAt: string;
  root: string;
  dirs: string[];
}

/**
 * Maps an upload onto the container, with a bind mount's meaning (src/core/transfer/spec.ts):
 * - a folder onto an existing folder: its children go into it (the folder's own entry is not
 *   sent, so the existing folder keeps its owner and mode);
 * - a folder or file onto a missing path: unpacked at `existingAncestor` with entries for the
 *   missing folders in between (PUT needs an existing directory);
 * - a file onto an existing folder: into it, under its own name (as `docker cp`);
 * - a file onto an existing file: replaces it.
 * @param target absolute posix container path (normalised)
 * @param existingAncestor the nearest existing folder above `target` when `targetKind` is 'missing'
 * @throws UserError for a folder onto an existing file
 */
export function uploadLayout(o: { sourceIsDir: boolean; sourceName: string; target: string; targetKind: ContainerPathKind; existingAncestor?: string }): UploadLayout {
  const { target } = o;
  if (o.targetKind === 'dir') return { extractAt: target, root: o.sourceIsDir ? '' : o.sourceName, dirs: [] };
  if (o.targetKind === 'file') {
    if (o.sourceIsDir) {
      throw new UserError(`${target} is a file in the container, so the folder cannot be copied there.`, { hint: 'Choose a container path that is a folder or does not exist yet.' });
    }
    return { extractAt: path.posix.dirname(target), root: path.posix.basename(target), dirs: [] };
  }
  const ancestor = o.existingAncestor ?? '/';
  const root = path.posix.relative(ancestor, target);
  if (root === '' || root.startsWith('..')) throw new Error(`${ancestor} is not above ${target}`);
  const parts = root.split('/');
  const folders = o.sourceIsDir ? parts : parts.slice(0, -1);
  return { extractAt: ancestor, root, dirs: folders.map((_, i) => folders.slice(0, i + 1).join('/')) };
}

/** The parents of a container path, nearest first, up to "/": `/a/b/c` -> `/a/b`, `/a`, `/`. */
export function containerAncestors(p: string): string[] {
  const out: string[] = [];
  for (let d = path.posix.dirname(p); ; d = path.posix.dirname(d)) {
    out.push(d);
    if (d === '/') return out;
  }
}

export interface PackedUpload {
  /** The tar (a plain Node stream; emits 'error' with a UserError when a file cannot be read). */
  stream: Readable;
  /** Regular files and symlinks in it, and the bytes of their contents (what progress counts against). */
  files: number;
  bytes: number;
  /** Resolves when the whole tar has been produced. */
  done: Promise<void>;
}

interface LocalEntry {
  rel: string;
  abs: string;
  stat: fs.Stats;
  linkname?: string;
}

/**
 * Packs a workspace file or folder for `PUT /containers/{id}/archive` as `layout` names it.
 * As `docker cp` sends them (docker/cli cli/command/container/cp.go packs with moby's
 * TarWithOptions and no ChownOpts): entries keep the local owner's uid/gid, mode and mtime, and
 * the engine applies them; symlinks are sent as symlinks, sockets and FIFOs skipped. Folders
 * made for missing container folders are 0755. (`copyUIDGID=1` is not used: moby 20.10 looks
 * the container's user up in the engine host's /etc/passwd and fails when it is not there.) The walk happens before this resolves; contents stream
 * as the consumer reads.
 * @throws UserError (rejects) when the local path does not exist or a folder cannot be read
 */
export async function packUpload(localPath: string, layout: UploadLayout): Promise<PackedUpload> {
  // The chosen path itself is followed when it is a symlink (its target is what the user means); symlinks inside are sent as symlinks.
  const top = await fs.promises.stat(localPath).catch(() => undefined);
  if (!top) throw new UserError(`${localPath} does not exist.`, { hint: 'Choose an existing workspace file or folder to upload.' });
  const entries: LocalEntry[] = [];
  const walk = async (abs: string, rel: string): Promise<void> => {
    let names: string[];
    try {
      names = (await fs.promises.readdir(abs)).sort();
    } catch (err) {
      throw new UserError(`Cannot read the folder ${abs}: ${(err as Error).message}.`, { hint: 'Fix its permissions, or upload another folder.', cause: err });
    }
    for (const name of names) {
      const childAbs = path.join(abs, name);
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const stat = await fs.promises.lstat(childAbs);
      if (!stat.isDirectory() && !stat.isFile() && !stat.isSymbolicLink()) continue;
      entries.push({ rel: childRel, abs: childAbs, stat, ...(stat.isSymbolicLink() ? { linkname: await fs.promises.readlink(childAbs) } : {}) });
      if (stat.isDirectory()) await walk(childAbs, childRel);
    }
  };
  const isDir = top.isDirectory();
  if (isDir) await walk(localPath, '');
  else entries.push({ rel: '', abs: localPath, stat: top });

  const owner = { uid: top.uid, gid: top.gid, uname: '', gname: '' };
  const name = (rel: string) => [layout.root, rel].filter((s) => s !== '').join('/');
  const files = entries.filter((e) => !e.stat.isDirectory()).length;
  const bytes = entries.reduce((n, e) => n + (e.stat.isFile() ? e.stat.size : 0), 0);
  const pack = tar.pack();
  const out = new PassThrough({ highWaterMark: PACK_BUFFER_BYTES });
  pack.on('error', (err: Error) => out.destroy(err));
  pack.pipe(out);
  const write = async (): Promise<void> => {
    const now = new Date();
    for (const d of layout.dirs) await addTarBuffer(pack, { name: `${d}/`, type: 'directory', mode: isDir && d === layout.root ? top.mode & 0o7777 : 0o755, mtime: now, ...owner });
    for (const e of entries) {
      const header = { name: name(e.rel), mode: e.stat.mode & 0o7777, mtime: e.stat.mtime, uid: e.stat.uid, gid: e.stat.gid, uname: '', gname: '' };
      if (e.stat.isDirectory()) await addTarBuffer(pack, { ...header, name: `${header.name}/`, type: 'directory' });
      else if (e.stat.isSymbolicLink()) await addTarBuffer(pack, { ...header, type: 'symlink', linkname: e.linkname ?? '' });
      else await addTarFile(pack, e.abs, { ...header, type: 'file', size: e.stat.size }, `Cannot read ${e.abs} for the upload`);
    }
    pack.finalize();
  };
  const done = write().catch((err: unknown) => {
    const error = err instanceof Error ? err : new Error(String(err));
    pack.destroy(error);
    out.destroy(error);
    throw error;
  });
  done.catch(() => undefined);
  return { stream: out, files, bytes, done };
}

/** Go's os.ModeDir bit in the path stat's `mode` (the engine is written in Go). */
const GO_MODE_DIR = 2 ** 31;
/** Go's os.ModeSymlink bit. */
const GO_MODE_SYMLINK = 2 ** 27;

/** A container path as `X-Docker-Container-Path-Stat` describes it. */
export interface ContainerPathStat {
  name: string;
  size: number;
  kind: 'dir' | 'file' | 'symlink';
  /** permission bits (0o7777) */
  mode: number;
  linkTarget: string;
  /** last modification, ms since the epoch (when the header carries a valid RFC 3339 time) */
  mtimeMs?: number;
}

/**
 * Decodes the `X-Docker-Container-Path-Stat` header (base64 of JSON `{name, size, mode, mtime,
 * linkTarget}`; moby api/types ContainerPathStat).
 * @returns undefined when the header is missing or not that JSON
 */
export function parsePathStat(header: string | undefined): ContainerPathStat | undefined {
  if (!header) return undefined;
  try {
    const j = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as { name?: string; size?: number; mode?: number; mtime?: string; linkTarget?: string };
    if (typeof j.mode !== 'number') return undefined;
    const kind = j.mode & GO_MODE_DIR ? 'dir' : j.mode & GO_MODE_SYMLINK ? 'symlink' : 'file';
    const mtimeMs = typeof j.mtime === 'string' ? Date.parse(j.mtime) : NaN;
    return { name: j.name ?? '', size: j.size ?? 0, kind, mode: j.mode & 0o7777, linkTarget: j.linkTarget ?? '', ...(Number.isFinite(mtimeMs) ? { mtimeMs } : {}) };
  } catch {
    return undefined;
  }
}

/** One tar entry not written, with why. */
export interface RefusedEntry {
  name: string;
  reason: string;
}

export interface StagedDownload {
  /** the staging folder (a sibling of the target, so moving into place is a rename); removed by commit or discard */
  dir: string;
  /** whether the requested container path was a folder (its contents are in `dir`) or one file (`dir/<name>`) */
  sourceIsDir: boolean;
  /** for a file: its name in `dir` */
  fileName?: string;
  files: number;
  /** bytes of regular file contents written */
  bytes: number;
  refused: RefusedEntry[];
}

/** node-tar's entry types as the refusal messages name them. */
const TYPE_WORDS: Record<string, string> = { CharacterDevice: 'character device', BlockDevice: 'block device', FIFO: 'FIFO' };

/**
 * Why an entry is refused before node-tar sees it, or undefined to let node-tar decide: what node-tar
 * would rewrite rather than refuse. node-tar strips the leading `/` of absolute paths and link
 * targets (README "preservePaths"); in a container download an absolute name or link target
 * meant the container's own file system, so writing it relative to the target would change
 * its meaning. Entries (and hard link targets) outside the requested path are not part of the
 * download. An accepted entry's path is given without `.` parts, so that node-tar's `strip`
 * removes exactly the requested path's own name.
 */
function refuseBeforeTar(entry: ReadEntry, rootName: string): string | undefined {
  const name = entry.path;
  if (name.startsWith('/')) return 'an absolute path';
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return undefined;
  if (parts[0] !== rootName) return `outside ${rootName}`;
  entry.path = parts.join('/') + (name.endsWith('/') ? '/' : '');
  const link = entry.linkpath ?? '';
  if (entry.type === 'SymbolicLink' && link.startsWith('/')) return `a symlink to ${link} (an absolute path, outside the target folder)`;
  if (entry.type === 'Link' && (link.startsWith('/') || link.split('/').filter((p) => p !== '' && p !== '.')[0] !== rootName)) return `a hard link to ${link}, outside the target folder`;
  return undefined;
}

/** node-tar's warning about one entry, as a reason a user reads. */
function tarReason(message: string, data: { entry?: ReadEntry; code?: string }): string {
  const entry = data.entry;
  const link = entry?.linkpath ?? '';
  if (data.code === 'TAR_ENTRY_UNSUPPORTED') return `a ${TYPE_WORDS[entry?.type ?? ''] ?? entry?.type ?? 'special file'} (only files, folders and links are written)`;
  if (data.code === 'TAR_SYMLINK_ERROR' || /symbolic link|symlink/i.test(message) && !/^linkpath/.test(message)) return 'its path passes through a symlink';
  if (/^path contains '\.\.'/.test(message)) return 'a path with ".."';
  if (/^linkpath/.test(message)) return entry?.type === 'Link' ? `a hard link to ${link}, outside the target folder` : `a symlink to ${link}, outside the target folder`;
  if (entry?.type === 'Link') return `a hard link to ${link}, which was not written (${message})`;
  return message;
}

/**
 * Unpacks a `GET /containers/{id}/archive` tar into a new staging folder beside `localTarget`
 * (`.<name>.mllab-partial-<random>`) with node-tar (npm `tar`), whose extraction rules are the
 * safe-unpacking rule of this file's header: `..` in a path or a hard link is not extracted, a
 * symlink whose target resolves above the staging folder is not made, nothing is written
 * through a symlink (checked on disk, so also one the archive made), devices and FIFOs are not
 * written. Before that, {@link refuseBeforeTar} refuses what node-tar would rewrite (absolute
 * names and link targets) and what lies outside the requested path. Files keep their
 * permission bits (without setuid/setgid; the process umask applies as for any new file) and
 * mtime; the owner is not set (node-tar would as root). On any error the staging folder is
 * removed.
 * @param rootName base name of the requested container path (the tar's first path part)
 * @throws the stream's error (e.g. EngineError 'cancelled'), or UserError when the folder cannot be written
 */
export async function extractToStaging(tarStream: Readable, localTarget: string, rootName: string): Promise<StagedDownload> {
  const parent = path.dirname(localTarget);
  await fs.promises.mkdir(parent, { recursive: true }).catch((err: unknown) => {
    throw new UserError(`Cannot create the folder ${parent}: ${(err as Error).message}.`, { hint: 'Choose a workspace folder you can write to.' });
  });
  const dir = await fs.promises.mkdtemp(path.join(parent, `.${path.basename(localTarget)}.mllab-partial-`));
  const staged: StagedDownload = { dir, sourceIsDir: false, files: 0, bytes: 0, refused: [] };
  let first = true;
  let fatal: Error | undefined;
  // Entries node-tar was given, with their names as the archive spelled them (node-tar rewrites `path`), and those it then refused.
  const given = new Map<ReadEntry, string>();
  const refusedByTar = new Set<ReadEntry>();
  const unpack = new Unpack({
    cwd: dir,
    preserveOwner: false,
    filter: (name, entry) => {
      const e = entry as ReadEntry;
      if (first) {
        // The first entry is the requested path itself. A folder's entries are unpacked without its
        // name (node-tar's strip), so that node-tar's checks of link targets hold at the target folder.
        first = false;
        staged.sourceIsDir = e.type === 'Directory';
        if (staged.sourceIsDir) unpack.strip = 1;
      }
      const reason = refuseBeforeTar(e, rootName);
      if (reason) {
        staged.refused.push({ name, reason });
        return false;
      }
      if (typeof e.mode === 'number') e.mode &= 0o1777;
      given.set(e, name);
      return true;
    },
    onwarn: (code, message, data) => {
      const entry = (data as { entry?: ReadEntry }).entry;
      if (code === 'TAR_ENTRY_INFO') return;
      if (!entry) {
        fatal ??= new Error(`${code}: ${message}`);
        return;
      }
      refusedByTar.add(entry);
      staged.refused.push({ name: given.get(entry) ?? entry.path, reason: tarReason(message, { entry, code: (data as { code?: string }).code ?? code }) });
    },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (err: unknown): void => {
        tarStream.unpipe(unpack as unknown as NodeJS.WritableStream);
        // Stops node-tar between entries: nothing more is opened or made in the staging folder.
        if (!aborted) {
          aborted = true;
          try {
            unpack.abort(err as Error);
          } catch {
            /* abort re-emits the error, already being handled */
          }
        }
        reject(err);
      };
      let aborted = false;
      unpack.on('error', fail);
      unpack.on('finish', () => (fatal ? reject(fatal) : resolve()));
      // `finished` also reports an error the stream had before this function attached to it.
      finished(tarStream, { writable: false }, (err) => (err ? fail(err) : undefined));
      tarStream.pipe(unpack as unknown as NodeJS.WritableStream);
    });
    for (const e of given.keys()) {
      if (refusedByTar.has(e) || e.type === 'Directory') continue;
      staged.files++;
      if (e.type === 'File' || e.type === 'OldFile' || e.type === 'ContiguousFile') staged.bytes += e.size ?? 0;
    }
    if (!staged.sourceIsDir && fs.existsSync(path.join(dir, rootName))) staged.fileName = rootName;
  } catch (err) {
    await fs.promises.rm(dir, { recursive: true, force: true });
    if (err instanceof UserError || (err as { name?: string }).name === 'EngineError') throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code && /^E[A-Z]+$/.test(code) && code !== 'ECONNRESET' && code !== 'EPIPE') {
      throw new UserError(`Cannot write the download into ${parent}: ${(err as Error).message}.`, { hint: 'Check that the workspace folder is writable and has space.', cause: err });
    }
    throw err;
  }
  return staged;
}


/** Paths (relative to the target, posix) of files and symlinks in `staged` that already exist under `localTarget`. */
export async function stagedConflicts(staged: StagedDownload, localTarget: string): Promise<string[]> {
  const conflicts: string[] = [];
  if (!staged.sourceIsDir) {
    const dest = await fileDestination(staged, localTarget);
    if (await exists(dest)) conflicts.push(path.relative(path.dirname(localTarget), dest).split(path.sep).join('/'));
    return conflicts;
  }
  for (const rel of await walkStaged(staged.dir)) {
    const st = await fs.promises.lstat(path.join(staged.dir, rel));
    const there = await fs.promises.lstat(path.join(localTarget, rel)).catch(() => undefined);
    if (there && !(st.isDirectory() && there.isDirectory())) conflicts.push(rel.split(path.sep).join('/'));
  }
  return conflicts;
}

export interface CommitResult {
  /** where the download now is (the target folder, or the file) */
  path: string;
  written: number;
  /** existing files replaced */
  overwritten: string[];
  /** existing files kept (with `overwrite: false`) */
  kept: string[];
}

/**
 * Moves a staged download into place and removes the staging folder. A folder's entries go
 * under `localTarget` (which is created); a file becomes `localTarget`, or goes into it when it
 * is an existing folder.
 * @param overwrite replace existing files (true) or keep them (false)
 */
export async function commitStaged(staged: StagedDownload, localTarget: string, overwrite: boolean): Promise<CommitResult> {
  const result: CommitResult = { path: localTarget, written: 0, overwritten: [], kept: [] };
  const place = async (from: string, to: string, rel: string): Promise<void> => {
    const there = await fs.promises.lstat(to).catch(() => undefined);
    if (there) {
      if (!overwrite) {
        result.kept.push(rel);
        return;
      }
      await fs.promises.rm(to, { recursive: true, force: true });
      result.overwritten.push(rel);
    }
    await fs.promises.rename(from, to);
    result.written++;
  };
  try {
    if (!staged.sourceIsDir) {
      const dest = await fileDestination(staged, localTarget);
      result.path = dest;
      await place(path.join(staged.dir, staged.fileName ?? ''), dest, path.basename(dest));
      return result;
    }
    await fs.promises.mkdir(localTarget, { recursive: true });
    for (const rel of await walkStaged(staged.dir)) {
      const from = path.join(staged.dir, rel);
      const to = path.join(localTarget, rel);
      const st = await fs.promises.lstat(from);
      if (st.isDirectory()) {
        const there = await fs.promises.lstat(to).catch(() => undefined);
        if (there?.isDirectory()) continue;
        if (there && !overwrite) {
          result.kept.push(rel);
          continue;
        }
        if (there) {
          await fs.promises.rm(to, { force: true });
          result.overwritten.push(rel);
        }
        await fs.promises.mkdir(to);
        await fs.promises.chmod(to, st.mode & 0o1777);
        continue;
      }
      if (!(await exists(path.dirname(to)))) continue; // under a folder kept as a file
      await place(from, to, rel.split(path.sep).join('/'));
    }
    return result;
  } finally {
    await fs.promises.rm(staged.dir, { recursive: true, force: true });
  }
}

/** Removes a staging folder (a cancelled download). */
export async function discardStaged(staged: StagedDownload): Promise<void> {
  await fs.promises.rm(staged.dir, { recursive: true, force: true });
}

async function fileDestination(staged: StagedDownload, localTarget: string): Promise<string> {
  const st = await fs.promises.stat(localTarget).catch(() => undefined);
  return st?.isDirectory() ? path.join(localTarget, staged.fileName ?? '') : localTarget;
}

const exists = (p: string): Promise<boolean> => fs.promises.lstat(p).then(() => true, () => false);

/** Relative paths under `dir`, parents before children (symlinks not followed). */
async function walkStaged(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const d of (await fs.promises.readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel === '' ? d.name : path.join(rel, d.name);
      out.push(r);
      if (d.isDirectory()) await walk(r);
    }
  };
  await walk('');
  return out;
}

/** Buffer of the progress counter, in bytes: a big one lets the engine's socket run ahead of the disk. */
const WRITE_BUFFER_BYTES = 4 << 20;
/**
 * Chunks passed on are gathered to at least this many bytes. A socket gives 64 kB at a time;
 * one file write per 64 kB (node-tar writes each chunk it is given) or one TLS write per 64 kB
 * costs a round trip through Node's thread pool or event loop each, which on a busy machine was
 * most of the time a 100 MB transfer took.
 */
const COALESCE_BYTES = 1 << 20;

/**
 * Counts bytes flowing through (progress of an upload or download); `onBytes` gets the running
 * total, at most every `everyMs` ms and once at the end. Passes the bytes on unchanged, in chunks
 * of at least {@link COALESCE_BYTES} (the last one smaller).
 */
export function byteCounter(onBytes: (total: number) => void, everyMs = 200): Transform & { total(): number } {
  let total = 0;
  let last = 0;
  let held: Buffer[] = [];
  let heldBytes = 0;
  const t = new Transform({
    highWaterMark: WRITE_BUFFER_BYTES,
    transform(chunk: Buffer, _enc, cb) {
      total += chunk.length;
      const now = Date.now();
      if (now - last >= everyMs) {
        last = now;
        onBytes(total);
      }
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes >= COALESCE_BYTES) {
        const out = held.length === 1 ? held[0] : Buffer.concat(held, heldBytes);
        held = [];
        heldBytes = 0;
        cb(null, out);
      } else cb();
    },
    flush(cb) {
      onBytes(total);
      cb(null, heldBytes > 0 ? Buffer.concat(held, heldBytes) : undefined);
    },
  });
  return Object.assign(t, { total: () => total });
}
