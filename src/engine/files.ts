/**
 * A container's files, one at a time, for the Files node of the Containers view and the
 * `mllab-container:` file system: list a folder, stat, read, write, make a folder, delete, rename.
 * Through the Engine API, so it works the same on a local socket, TCP+TLS and SSH:
 * - `HEAD /containers/{id}/archive` stats a path (the `X-Docker-Container-Path-Stat` header);
 * - `GET  /containers/{id}/archive` reads a file (a tar of one entry, whose header also gives the
 *   owner and mode a save keeps), and lists folders of stopped containers;
 * - `PUT  /containers/{id}/archive` writes a file or makes a folder (a tar of one entry:
 *   src/core/files/tarEntry.ts);
 * - exec lists a folder of a running container (`find -maxdepth 1`, src/core/files/listing.ts),
 *   and deletes and renames (`rm`, `mv`): the archive endpoints have no delete.
 * Execs run as root (uid 0), as the archive endpoints act, so what the tree shows and what a
 * save can write do not depend on the container's USER.
 * Every failure is a ContainerFileError whose reason says which of the cases it is
 * (src/core/files/errors.ts), or an EngineError when the engine itself cannot be reached.
 */
import type { IncomingMessage } from 'node:http';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import * as tar from 'tar-stream';
import type * as DockerodeNs from 'dockerode';
import { EngineError, type DockerodeError } from './connection';
import { TransferApi } from './transfer';
import { ArchiveLister, LIST_EXIT_MISSING, LIST_EXIT_NOT_FOLDER, listFolderCommand, parseFolderListing, type ContainerFileEntry, type TarHeaderLike } from '../core/files/listing';
import { ContainerFileError, fileErrorMessage, fileErrorReason, type FileErrorReason } from '../core/files/errors';
import { singleEntryTar } from '../core/files/tarEntry';

/** One folder's entries and how they were read. */
export interface FolderListing {
  /** the folder's direct entries, unsorted */
  entries: ContainerFileEntry[];
  /** false when the archive stream was stopped at its time budget: later entries are missing */
  complete: boolean;
  /** exec of `find` in a running container, or the archive stream (stopped containers, no `sh`) */
  via: 'exec' | 'archive' | 'cache';
  durationMs: number;
}

/** What a container path is, symlinks followed (as `stat`, not `lstat`). */
export interface ContainerFileStat {
  kind: 'dir' | 'file';
  /** bytes */
  size: number;
  /** permission bits (0o7777) */
  mode: number;
  /** ms since the epoch (0 when the engine did not say) */
  mtimeMs: number;
  /** the path itself is a symlink */
  isSymlink: boolean;
  /** the path after following symlinks */
  resolvedPath: string;
}

/** A file's contents and the header fields a save keeps. */
export interface ContainerFileContent {
  content: Buffer;
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
}

/** Time a folder of a stopped container may take to read from the archive stream, in ms (then the listing is marked partial). */
export const ARCHIVE_LISTING_BUDGET_MS = 5_000;

/** Symlinks followed at most when resolving one path (Linux's own limit is 40; a chain of 8 is already unusual). */
const MAX_SYMLINK_HOPS = 8;

/** What the file calls need from `GET /containers/{id}/json`. */
interface ContainerFacts {
  name: string;
  running: boolean;
  /** changes on every stop: a cached listing of a stopped container is only as good as this */
  finishedAt: string;
}

/** Folder indexes of stopped containers, read from archive streams: engine -> `<id>@<finishedAt>` -> folder -> entries. */
const archiveIndexes = new WeakMap<object, Map<string, Map<string, ContainerFileEntry[]>>>();

/** The file calls of {@link Engine}. */
export abstract class FilesApi extends TransferApi {
  /**
   * Lists one folder: by exec of `find -maxdepth 1` when the container runs (cost independent
   * of what lies below), else from `GET /containers/{id}/archive`, reading headers only and
   * stopping after `archiveBudgetMs` (the listing then says it is incomplete). A stopped
   * container's whole subtree is indexed from that stream, so its subfolders list from memory
   * until the container runs again or is written to.
   * @param folder absolute posix path; a symlink to a folder is followed
   * @throws ContainerFileError 'missingPath', 'notFolder', 'containerGone'; EngineError when the engine cannot be reached
   */
  async listContainerFolder(id: string, folder: string, options: { archiveBudgetMs?: number; signal?: AbortSignal } = {}): Promise<FolderListing> {
    const started = Date.now();
    const facts = await this.containerFacts(id, 'list', folder);
    if (facts.running) {
      this.forgetArchiveIndex(id);
      const r = await this.execBytes(id, listFolderCommand(folder), `list ${folder}`, options.signal).catch((err: unknown) => {
        // An image without sh or find (distroless): the archive works in any container.
        if (err instanceof ContainerFileError && err.reason === 'other' && /executable file not found|no such file or directory|exec failed/i.test(err.message)) return undefined;
        throw err;
      });
      if (r && r.exitCode === 0) {
        try {
          return { entries: parseFolderListing(r.stdout, folder), complete: true, via: 'exec', durationMs: Date.now() - started };
        } catch {
          // output of another find or stat: the archive still works
        }
      } else if (r && (r.exitCode === LIST_EXIT_MISSING || r.exitCode === LIST_EXIT_NOT_FOLDER)) {
        const reason = r.exitCode === LIST_EXIT_MISSING ? 'missingPath' : 'notFolder';
        throw new ContainerFileError(fileErrorMessage(reason, 'list', folder, facts.name), reason);
      } else if (r && r.exitCode !== 126 && r.exitCode !== 127) {
        const reason = fileErrorReason(r.stderr);
        throw new ContainerFileError(fileErrorMessage(reason, 'list', folder, facts.name, r.stderr || `the listing exited with ${r.exitCode}`), reason);
      }
    }
    const key = `${id}@${facts.finishedAt}`;
    const cached = archiveIndexes.get(this)?.get(key)?.get(folder);
    if (cached) return { entries: cached.map((e) => ({ ...e })), complete: true, via: 'cache', durationMs: Date.now() - started };
    const stat = await this.statContainerFile(id, folder, options.signal);
    if (stat.kind !== 'dir') throw new ContainerFileError(fileErrorMessage('notFolder', 'list', folder, facts.name), 'notFolder');
    const { lister, complete } = await this.readArchiveHeaders(id, stat.resolvedPath, facts.name, options.archiveBudgetMs ?? ARCHIVE_LISTING_BUDGET_MS, options.signal);
    let index = lister.index();
    if (stat.resolvedPath !== folder) index = rebase(index, stat.resolvedPath, folder);
    await this.resolveLinkTargets(id, index.get(folder) ?? []);
    if (complete && !facts.running) {
      let byKey = archiveIndexes.get(this);
      if (!byKey) archiveIndexes.set(this, (byKey = new Map()));
      for (const k of byKey.keys()) if (k.startsWith(`${id}@`) && k !== key) byKey.delete(k);
      const merged = byKey.get(key) ?? new Map<string, ContainerFileEntry[]>();
      for (const [f, entries] of index) merged.set(f, entries);
      byKey.set(key, merged);
    }
    return { entries: (index.get(folder) ?? []).map((e) => ({ ...e })), complete, via: 'archive', durationMs: Date.now() - started };
  }

  /**
   * Stats a path, following symlinks (`HEAD /containers/{id}/archive`, once per link).
   * @param what the operation in the error's sentence ("open", "save")
   * @throws ContainerFileError 'missingPath' (the path or a link's target is missing), 'containerGone'
   */
  async statContainerFile(id: string, containerPath: string, signal?: AbortSignal, what = 'open'): Promise<ContainerFileStat> {
    let current = path.posix.normalize(containerPath);
    let isSymlink = false;
    for (let hop = 0; hop <= MAX_SYMLINK_HOPS; hop++) {
      const st = await this.statContainerPath(id, current, signal).catch((err: unknown) => {
        throw this.fileError(err, what, containerPath, id);
      });
      if (!st) throw new ContainerFileError(fileErrorMessage('missingPath', what, containerPath, id.slice(0, 12)), 'missingPath');
      if (st.kind !== 'symlink') {
        return { kind: st.kind, size: st.size, mode: st.mode, mtimeMs: st.mtimeMs ?? 0, isSymlink, resolvedPath: current };
      }
      isSymlink = true;
      current = path.posix.resolve(path.posix.dirname(current), st.linkTarget);
    }
    throw new ContainerFileError(`Cannot ${what} ${containerPath}: more than ${MAX_SYMLINK_HOPS} symlinks in a row.`, 'other');
  }

  /**
   * Reads a file (`GET /containers/{id}/archive`: a tar of one entry), symlinks followed.
   * @throws ContainerFileError 'missingPath', 'isFolder', 'containerGone'
   */
  async readContainerFile(id: string, containerPath: string, signal?: AbortSignal): Promise<ContainerFileContent> {
    const st = await this.statContainerFile(id, containerPath, signal);
    if (st.kind === 'dir') throw new ContainerFileError(fileErrorMessage('isFolder', 'open', containerPath, id.slice(0, 12)), 'isFolder');
    const got = await this.firstArchiveEntry(id, st.resolvedPath, true, signal);
    return { content: got.content ?? Buffer.alloc(0), mode: got.mode, uid: got.uid, gid: got.gid, mtimeMs: got.mtimeMs };
  }

  /**
   * Writes a file (`PUT /containers/{id}/archive` of a one-entry tar into its folder). An
   * existing file keeps its mode, uid and gid (read from its own tar header); a new file gets
   * mode 0644 and the owner of its folder. A symlink is written through (its target changes).
   * @throws ContainerFileError 'missingPath' (no such file and not `create`, or no such folder),
   *   'exists' (and not `overwrite`), 'isFolder', 'readOnly', 'containerGone'
   */
  async writeContainerFile(id: string, containerPath: string, content: Uint8Array, options: { create: boolean; overwrite: boolean }): Promise<void> {
    const existing = await this.statContainerFile(id, containerPath, undefined, 'save').catch((err: unknown) => {
      if (err instanceof ContainerFileError && err.reason === 'missingPath') return undefined;
      throw err;
    });
    if (existing?.kind === 'dir') throw new ContainerFileError(fileErrorMessage('isFolder', 'save', containerPath, id.slice(0, 12)), 'isFolder');
    if (existing && !options.overwrite) throw new ContainerFileError(fileErrorMessage('exists', 'save', containerPath, id.slice(0, 12)), 'exists');
    if (!existing && !options.create) throw new ContainerFileError(fileErrorMessage('missingPath', 'save', containerPath, id.slice(0, 12)), 'missingPath');
    const target = existing?.resolvedPath ?? path.posix.normalize(containerPath);
    const folder = path.posix.dirname(target);
    const owner = existing ? await this.firstArchiveEntry(id, target, false) : await this.folderOwner(id, folder, 'save', containerPath);
    const body = await singleEntryTar({ name: path.posix.basename(target), type: 'file', mode: existing ? owner.mode : 0o644, uid: owner.uid, gid: owner.gid, content });
    await this.putArchive(id, folder, body, 'save', containerPath);
  }

  /**
   * Makes a folder (mode 0755, the owner of the folder it is made in).
   * @throws ContainerFileError 'exists', 'missingPath' (no parent folder), 'readOnly', 'containerGone'
   */
  async makeContainerFolder(id: string, containerPath: string): Promise<void> {
    const target = path.posix.normalize(containerPath);
    const existing = await this.statContainerPath(id, target).catch((err: unknown) => {
      throw this.fileError(err, 'create', target, id);
    });
    if (existing) throw new ContainerFileError(fileErrorMessage('exists', 'create', target, id.slice(0, 12)), 'exists');
    const folder = path.posix.dirname(target);
    const owner = await this.folderOwner(id, folder, 'create', target);
    const body = await singleEntryTar({ name: path.posix.basename(target), type: 'directory', mode: 0o755, uid: owner.uid, gid: owner.gid });
    await this.putArchive(id, folder, body, 'create', target);
  }

  /**
   * Deletes a file or folder of a running container (exec `rm`, as root): the archive
   * endpoints cannot delete, and a stopped container runs nothing.
   * @param options.recursive a folder with its contents (`rm -rf`); else a file or an empty folder
   * @throws ContainerFileError 'notRunning' (stopped), 'missingPath', 'readOnly', 'containerGone', 'other' (rm's words)
   */
  async deleteContainerPath(id: string, containerPath: string, options: { recursive: boolean }): Promise<void> {
    const target = path.posix.normalize(containerPath);
    if (target === '/') throw new ContainerFileError('Cannot delete /: it is the container\'s whole file system.', 'other');
    const facts = await this.containerFacts(id, 'delete', target);
    if (!facts.running) {
      throw new ContainerFileError(`Cannot delete ${target}: container ${facts.name} is stopped, and files can be deleted only while it runs (the Engine API has no call that deletes a path).`, 'notRunning', { hint: 'Start the container, then delete again.' });
    }
    const script = options.recursive ? 'rm -rf -- "$1"' : '[ -d "$1" ] && [ ! -L "$1" ] && exec rmdir -- "$1"; exec rm -f -- "$1"';
    await this.execOrThrow(id, ['sh', '-c', `[ -e "$1" ] || [ -L "$1" ] || exit ${LIST_EXIT_MISSING}\n${script}`, 'sh', target], 'delete', target, facts.name);
    this.forgetArchiveIndex(id);
  }

  /**
   * Renames or moves a path of a running container (exec `mv`, as root).
   * @throws ContainerFileError 'notRunning', 'exists' (and not `overwrite`), 'missingPath', 'readOnly', 'containerGone'
   */
  async renameContainerPath(id: string, from: string, to: string, options: { overwrite: boolean }): Promise<void> {
    const facts = await this.containerFacts(id, 'rename', from);
    if (!facts.running) throw new ContainerFileError(`Cannot rename ${from}: container ${facts.name} is stopped, and files can be renamed only while it runs.`, 'notRunning', { hint: 'Start the container, then rename again.' });
    const guard = options.overwrite ? '' : `[ -e "$2" ] && exit 5\n`;
    const r = await this.execBytes(id, ['sh', '-c', `[ -e "$1" ] || [ -L "$1" ] || exit ${LIST_EXIT_MISSING}\n${guard}exec mv -- "$1" "$2"`, 'sh', from, to], `rename ${from}`);
    if (r.exitCode === 5) throw new ContainerFileError(fileErrorMessage('exists', 'rename to', to, facts.name), 'exists');
    this.throwExecFailure(r, 'rename', from, facts.name);
    this.forgetArchiveIndex(id);
  }

  /** Drops what was indexed of a stopped container's files (after a write, or when it runs). */
  private forgetArchiveIndex(id: string): void {
    const byKey = archiveIndexes.get(this);
    if (!byKey) return;
    for (const k of [...byKey.keys()]) if (k.startsWith(`${id}@`)) byKey.delete(k);
  }

  /** Name, whether it runs, and when it last stopped; a missing container is 'containerGone'. */
  private async containerFacts(id: string, what: string, containerPath: string): Promise<ContainerFacts> {
    try {
      const info = await this.call(`inspect container ${id.slice(0, 12)}`, async (abortSignal) =>
        (await this.docker().getContainer(id).inspect({ abortSignal })) as unknown as { Name?: string; State?: { Running?: boolean; Paused?: boolean; Restarting?: boolean; FinishedAt?: string } },
      );
      const s = info.State ?? {};
      return { name: (info.Name ?? id.slice(0, 12)).replace(/^\//, ''), running: s.Running === true && s.Paused !== true && s.Restarting !== true, finishedAt: s.FinishedAt ?? '' };
    } catch (err) {
      throw this.fileError(err, what, containerPath, id);
    }
  }

  /** An engine failure as a ContainerFileError (EngineErrors of an unreachable engine pass through: Retry helps those). */
  private fileError(err: unknown, what: string, containerPath: string, id: string): Error {
    if (err instanceof ContainerFileError) return err;
    if (err instanceof EngineError && (err.kind === 'unreachable' || err.kind === 'timeout' || err.kind === 'tls' || err.kind === 'cancelled')) return err;
    const e = (err instanceof EngineError ? err.cause : err) as DockerodeError | undefined;
    const text = err instanceof Error ? err.message : String(err);
    const reason: FileErrorReason = fileErrorReason(text, e?.statusCode);
    return new ContainerFileError(fileErrorMessage(reason, what, containerPath, id.slice(0, 12), text.replace(/^[^:]*: /, '')), reason, { cause: err });
  }

  /** Runs `cmd` as root in the container; stdout as bytes. */
  private async execBytes(id: string, cmd: string[], what: string, signal?: AbortSignal): Promise<{ exitCode: number; stdout: Buffer; stderr: string }> {
    try {
      const exec = await this.call(what, (abortSignal) =>
        this.docker().getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, User: '0', abortSignal } as DockerodeNs.ExecCreateOptions),
      signal);
      const stream = (await this.call(what, () => exec.start({ hijack: true, stdin: false }), signal)) as NodeJS.ReadableStream & { destroy?: () => void };
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      stdout.on('data', (d: Buffer) => out.push(d));
      stderr.on('data', (d: Buffer) => err.push(d));
      this.docker().modem.demuxStream(stream, stdout, stderr);
      await this.call(what, (abortSignal) => new Promise<void>((resolve, reject) => {
        abortSignal.addEventListener('abort', () => {
          stream.destroy?.();
          reject(new Error('aborted'));
        }, { once: true });
        stream.on('end', () => resolve());
        stream.on('close', () => resolve());
        stream.on('error', (e: Error) => reject(e));
      }), signal);
      const info = await this.call(`${what}: exit code`, () => exec.inspect(), signal);
      return { exitCode: info.ExitCode ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8').trim() };
    } catch (err) {
      throw this.fileError(err, what.split(' ')[0], what.split(' ').slice(1).join(' '), id);
    }
  }

  /** Runs an exec and turns a non-zero exit into the matching ContainerFileError. */
  private async execOrThrow(id: string, cmd: string[], what: string, containerPath: string, name: string): Promise<void> {
    this.throwExecFailure(await this.execBytes(id, cmd, `${what} ${containerPath}`), what, containerPath, name);
  }

  private throwExecFailure(r: { exitCode: number; stderr: string }, what: string, containerPath: string, name: string): void {
    if (r.exitCode === 0) return;
    const reason = r.exitCode === LIST_EXIT_MISSING ? 'missingPath' : fileErrorReason(r.stderr);
    throw new ContainerFileError(fileErrorMessage(reason, what, containerPath, name, r.stderr || `exit code ${r.exitCode}`), reason);
  }

  /** The owner of a folder new entries get (its own tar header: the first of its archive). */
  private async folderOwner(id: string, folder: string, what: string, containerPath: string): Promise<{ mode: number; uid: number; gid: number }> {
    const st = await this.statContainerFile(id, folder, undefined, what).catch((err: unknown) => {
      if (err instanceof ContainerFileError && err.reason === 'missingPath') throw new ContainerFileError(fileErrorMessage('missingPath', what, containerPath, id.slice(0, 12)).replace('it does not exist', `its folder ${folder} does not exist`), 'missingPath');
      throw err;
    });
    if (st.kind !== 'dir') throw new ContainerFileError(fileErrorMessage('notFolder', what, folder, id.slice(0, 12)), 'notFolder');
    return this.firstArchiveEntry(id, st.resolvedPath, false);
  }

  /**
   * The first entry of `GET /containers/{id}/archive?path=` (the path itself): its header, and
   * with `withContent` its contents. The response is closed right after, so a folder's header
   * costs one tar block, not its subtree.
   */
  private async firstArchiveEntry(id: string, containerPath: string, withContent: boolean, signal?: AbortSignal): Promise<{ mode: number; uid: number; gid: number; mtimeMs: number; content?: Buffer }> {
    const res = await this.openArchive(id, containerPath, 'open', signal);
    const extract = tar.extract();
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | undefined, value?: { mode: number; uid: number; gid: number; mtimeMs: number; content?: Buffer }) => {
        if (settled) return;
        settled = true;
        res.destroy();
        extract.destroy();
        if (err) reject(this.fileError(err, 'open', containerPath, id));
        else resolve(value!);
      };
      extract.on('entry', (h: TarHeaderLike, body) => {
        const header = { mode: (h.mode ?? 0o644) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0, mtimeMs: h.mtime?.getTime() ?? 0 };
        if (!withContent) return finish(undefined, header);
        const chunks: Buffer[] = [];
        body.on('data', (c: unknown) => {
          chunks.push(c as Buffer);
        });
        body.on('end', () => finish(undefined, { ...header, content: Buffer.concat(chunks) }));
        body.on('error', (e: Error) => finish(e));
      });
      extract.on('error', (e: Error) => finish(e));
      extract.on('finish', () => finish(new Error('the archive held no entry')));
      res.on('error', (e: Error) => finish(e));
      res.pipe(extract);
    });
  }

  /** `GET .../archive` with errors said as file errors. */
  private async openArchive(id: string, containerPath: string, what: string, signal?: AbortSignal): Promise<IncomingMessage> {
    try {
      return await this.call(`${what} ${containerPath}`, (abortSignal) => this.archiveRequest('GET', id, containerPath, abortSignal), signal);
    } catch (err) {
      throw this.fileError(err, what, containerPath, id);
    }
  }

  /** `PUT .../archive` of a ready tar into `folder`, errors said as file errors. */
  private async putArchive(id: string, folder: string, body: Buffer, what: string, containerPath: string): Promise<void> {
    const stream = new PassThrough();
    stream.end(body);
    try {
      const res = await this.call(`${what} ${containerPath}`, (abortSignal) => this.archiveRequest('PUT', id, folder, abortSignal, stream), undefined, 0);
      res.resume();
    } catch (err) {
      throw this.fileError(err, what, containerPath, id);
    }
    this.forgetArchiveIndex(id);
  }

  /**
   * Reads the headers of a folder's archive (contents skipped) until it ends or `budgetMs` passes.
   * @returns the lister, and whether the whole archive was read
   */
  private async readArchiveHeaders(id: string, folder: string, name: string, budgetMs: number, signal?: AbortSignal): Promise<{ lister: ArchiveLister; complete: boolean }> {
    const res = await this.openArchive(id, folder, 'list', signal);
    const lister = new ArchiveLister(folder);
    const extract = tar.extract();
    return new Promise((resolve, reject) => {
      let settled = false;
      const stop = (complete: boolean, err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (!complete) {
          res.destroy();
          extract.destroy();
        }
        if (err) reject(this.fileError(err, 'list', folder, name));
        else resolve({ lister, complete });
      };
      const timer = setTimeout(() => stop(false), budgetMs);
      const onAbort = () => stop(false, new EngineError(`list ${folder}: cancelled.`, 'cancelled'));
      signal?.addEventListener('abort', onAbort, { once: true });
      extract.on('entry', (h: TarHeaderLike, body, next) => {
        lister.add(h);
        body.on('end', () => next());
        body.resume();
      });
      extract.on('finish', () => stop(true));
      extract.on('error', (e: Error) => stop(false, e));
      res.on('error', (e: Error) => stop(false, e));
      res.pipe(extract);
    });
  }

  /** For an archive listing: stats the targets of its symlinks (at most 32, each one HEAD) that the stream did not show. */
  private async resolveLinkTargets(id: string, entries: ContainerFileEntry[]): Promise<void> {
    const unknown = entries.filter((e) => e.kind === 'symlink' && !e.targetKind).slice(0, 32);
    await Promise.all(unknown.map(async (e) => {
      const st = await this.statContainerFile(id, e.path).catch(() => undefined);
      e.targetKind = st ? st.kind : 'missing';
    }));
  }
}

/** An index read under a symlink's target, with paths as seen through the link. */
function rebase(index: Map<string, ContainerFileEntry[]>, from: string, to: string): Map<string, ContainerFileEntry[]> {
  const swap = (p: string) => (p === from ? to : p.startsWith(`${from}/`) ? `${to}${p.slice(from.length)}` : p);
  return new Map([...index].map(([f, entries]) => [swap(f), entries.map((e) => ({ ...e, path: swap(e.path) }))]));
}
