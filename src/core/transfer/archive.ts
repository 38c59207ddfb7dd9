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
 * Safe unpacking, the rule of node-tar (npm `tar`, README "preservePaths"): "By default, `/` is
 * stripped from absolute paths, `..` paths are not extracted, and any file whose location would
 * be modified by a symbolic link is not extracted" — the "Zip Slip" class of bugs (CWE-22,
 * path traversal). Here an entry is refused, and named in the result, when its name is absolute,
 * has a `..` part, lies outside the requested path, passes through a symlink of the same
 * archive, or is a symlink or hard link whose target lies outside the target folder (an absolute
 * target included: in the container it meant the container's file system). Devices and FIFOs
 * are not written. Nothing is written outside a staging folder until the caller commits it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { UserError } from '../errors';
import { addTarBuffer, addTarFile } from '../build/context';

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
  const out = new PassThrough();
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

/** One tar entry refused by {@link EntryGuard}, with why. */
export interface RefusedEntry {
  name: string;
  reason: string;
}

export type EntryVerdict = { ok: true; rel: string; linkRel?: string } | { ok: false; reason: string };

/**
 * Decides, entry by entry, what of a downloaded tar may be written (the rule in this file's
 * header). Entries must be given in archive order: it remembers the symlinks it let through.
 * `rel` is the entry's path under the target ('' for the requested path itself); `linkRel` the
 * target of a hard link, also under the target.
 */
export class EntryGuard {
  private readonly symlinks = new Set<string>();

  /** @param rootName the first part every entry has: the base name of the requested container path */
  constructor(private readonly rootName: string) {}

  check(header: { name: string; type?: string | null; linkname?: string | null }): EntryVerdict {
    const rel = this.underRoot(header.name);
    if (typeof rel !== 'string') return rel;
    const parts = rel === '' ? [] : rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      if (this.symlinks.has(parts.slice(0, i).join('/'))) return { ok: false, reason: 'its path passes through a symlink' };
    }
    const type = header.type ?? 'file';
    if (type === 'symlink') {
      const link = header.linkname ?? '';
      if (link.startsWith('/')) return { ok: false, reason: `a symlink to ${link} (an absolute path, outside the target folder)` };
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(rel), link));
      if (rel === '' || resolved === '..' || resolved.startsWith('../')) return { ok: false, reason: `a symlink to ${link}, outside the target folder` };
      this.symlinks.add(rel);
      return { ok: true, rel };
    }
    if (type === 'link') {
      const target = this.underRoot(header.linkname ?? '');
      if (typeof target !== 'string' || target === '') return { ok: false, reason: `a hard link to ${header.linkname ?? ''}, outside the target folder` };
      return { ok: true, rel, linkRel: target };
    }
    if (type !== 'file' && type !== 'directory' && type !== 'contiguous-file') return { ok: false, reason: `a ${type} (only files, folders and links are written)` };
    return { ok: true, rel };
  }

  private underRoot(name: string): string | { ok: false; reason: string } {
    if (name.startsWith('/')) return { ok: false, reason: 'an absolute path' };
    const parts = name.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) return { ok: false, reason: 'a path with ".."' };
    if (parts[0] !== this.rootName) return { ok: false, reason: `outside ${this.rootName}` };
    return parts.slice(1).join('/');
  }
}

export interface StagedDownload {
  /** the staging folder (a sibling of the target, so moving into place is a rename) */
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

/** Write buffer of one unpacked file, in bytes. */
const WRITE_BUFFER_BYTES = 4 << 20;

/**
 * Unpacks a `GET /containers/{id}/archive` tar into a new staging folder beside `localTarget`
 * (`.<name>.mllab-partial-<random>`), checking every entry with {@link EntryGuard}. Files keep
 * their permission bits (without setuid/setgid) and mtime. On any error the staging folder is
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
  const guard = new EntryGuard(rootName);
  const staged: StagedDownload = { dir, sourceIsDir: false, files: 0, bytes: 0, refused: [] };
  const dirModes: Array<[string, number, Date]> = [];
  const extract = tar.extract();
  let first = true;
  extract.on('entry', (header, body, next) => {
    const done = (err?: unknown): void => (err ? next(err as Error) : next());
    void (async () => {
      const verdict = guard.check(header);
      if (first) {
        first = false;
        staged.sourceIsDir = header.type === 'directory';
        if (!staged.sourceIsDir && verdict.ok) staged.fileName = rootName;
      }
      if (!verdict.ok) {
        staged.refused.push({ name: header.name, reason: verdict.reason });
        body.resume();
        return;
      }
      // A folder's entries land in `dir`; a single file as `dir/<rootName>`.
      const dest = staged.sourceIsDir ? path.join(dir, ...verdict.rel.split('/').filter(Boolean)) : path.join(dir, rootName, ...verdict.rel.split('/').filter(Boolean));
      const mode = (header.mode ?? 0o644) & 0o1777;
      const mtime = header.mtime ?? new Date();
      if (header.type === 'directory') {
        await fs.promises.mkdir(dest, { recursive: true });
        dirModes.push([dest, mode, mtime]);
        body.resume();
        return;
      }
      await fs.promises.mkdir(path.dirname(dest), { recursive: true });
      if (header.type === 'symlink') {
        await fs.promises.symlink(header.linkname ?? '', dest);
        body.resume();
      } else if (header.type === 'link') {
        body.resume();
        const ok = await fs.promises.link(staged.sourceIsDir ? path.join(dir, verdict.linkRel ?? '') : path.join(dir, rootName, verdict.linkRel ?? ''), dest).then(() => true, () => false);
        if (!ok) {
          staged.refused.push({ name: header.name, reason: `a hard link to ${header.linkname ?? ''}, which was not written` });
          return;
        }
      } else {
        // A big buffer: with the default 16 kB every 64 kB chunk waits for the previous write (measured: 2-3x slower than docker cp).
        await pipeline(body, fs.createWriteStream(dest, { mode: 0o600, highWaterMark: WRITE_BUFFER_BYTES }));
        await fs.promises.chmod(dest, mode);
        await fs.promises.utimes(dest, mtime, mtime);
        staged.bytes += header.size ?? 0;
      }
      staged.files++;
    })().then(() => done(), done);
  });
  try {
    await pipeline(tarStream, extract);
    // Folder modes last, deepest first: a read-only folder must not stop its own entries.
    for (const [d, mode, mtime] of dirModes.reverse()) {
      await fs.promises.chmod(d, mode | 0o700);
      await fs.promises.utimes(d, mtime, mtime);
    }
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

/**
 * Counts bytes flowing through (progress of an upload or download); `onBytes` gets the running
 * total, at most every `everyMs` ms and once at the end.
 */
export function byteCounter(onBytes: (total: number) => void, everyMs = 200): Transform & { total(): number } {
  let total = 0;
  let last = 0;
  const t = new Transform({
    highWaterMark: WRITE_BUFFER_BYTES,
    transform(chunk: Buffer, _enc, cb) {
      total += chunk.length;
      const now = Date.now();
      if (now - last >= everyMs) {
        last = now;
        onBytes(total);
      }
      cb(null, chunk);
    },
    flush(cb) {
      onBytes(total);
      cb();
    },
  });
  return Object.assign(t, { total: () => total });
}
