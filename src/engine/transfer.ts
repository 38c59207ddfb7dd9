/**
 * Files in and out of containers, what `docker cp` does, through the Engine API so it works the
 * same on a local socket, TCP+TLS and SSH: `HEAD /containers/{id}/archive` (stat a path),
 * `PUT /containers/{id}/archive` (Upload to Container) and `GET /containers/{id}/archive`
 * (Download Artifacts). Works on created, running and exited containers. The tar side (layout,
 * packing, the safe-unpacking rule) is src/core/transfer/archive.ts.
 */
import type { IncomingMessage } from 'node:http';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineBase, EngineError, type Dockerode, type DockerodeError } from './connection';
import { UserError } from '../core/errors';
import {
  byteCounter,
  commitStaged,
  containerAncestors,
  discardStaged,
  extractToStaging,
  packUpload,
  parsePathStat,
  stagedConflicts,
  uploadLayout,
  type CommitResult,
  type ContainerPathStat,
  type RefusedEntry,
} from '../core/transfer/archive';

/** Progress of one copy: bytes on the wire so far, and the total when known (uploads). */
export interface TransferProgress {
  bytes: number;
  totalBytes?: number;
}

export interface UploadResult {
  /** files and symlinks sent */
  files: number;
  /** bytes of file contents sent */
  bytes: number;
  /** bytes of the tar on the wire */
  wireBytes: number;
  durationMs: number;
}

export interface DownloadResult extends CommitResult {
  /** files, symlinks and links unpacked */
  files: number;
  /** bytes of file contents */
  bytes: number;
  /** bytes of the tar on the wire */
  wireBytes: number;
  /** entries not written, with why (src/core/transfer/archive.ts extractToStaging) */
  refused: RefusedEntry[];
  durationMs: number;
}

/** What to do when downloaded files exist already: replace them, keep them, or stop (nothing is written). */
export type ConflictChoice = 'overwrite' | 'keep' | 'cancel';

export interface TransferOptions {
  onProgress?: (p: TransferProgress) => void;
  signal?: AbortSignal;
}

/** The transfer calls of {@link Engine}. */
export abstract class TransferApi extends EngineBase {
  /**
   * `HEAD /containers/{id}/archive?path=`: what `containerPath` is in the container.
   * @returns undefined when the path does not exist
   * @throws EngineError 'notFound' when the container does not exist
   */
  async statContainerPath(id: string, containerPath: string, signal?: AbortSignal): Promise<ContainerPathStat | undefined> {
    const what = `look up ${containerPath} in container ${id.slice(0, 12)}`;
    try {
      const res = await this.call(what, (abortSignal) => this.archiveRequest('HEAD', id, containerPath, abortSignal), signal);
      res.resume();
      return parsePathStat(headerOf(res));
    } catch (err) {
      if (err instanceof EngineError && err.kind === 'notFound') {
        await this.call(`inspect container ${id.slice(0, 12)}`, (abortSignal) => this.docker().getContainer(id).inspect({ abortSignal }), signal);
        return undefined; // the container exists: the path does not
      }
      const status = ((err as EngineError).cause as DockerodeError | undefined)?.statusCode;
      // HEAD answers carry no body, so no message: say what the engine answered.
      if (err instanceof EngineError && /: $/.test(err.message) && status) throw new EngineError(`${what}: the engine answered HTTP ${status}.`, err.kind, { cause: err });
      throw err;
    }
  }

  /**
   * Upload to Container: copies the local file or folder `localPath` to `containerPath` with a
   * bind mount's meaning (src/core/transfer/archive.ts uploadLayout): afterwards the container
   * path holds what the local path holds; missing container folders are made. Not limited by
   * the call timeout (a big upload takes long); `signal` cancels it.
   * @throws UserError when the local path is missing or cannot be read, or a folder would land on a file;
   *   EngineError 'notFound' (no such container), 'cancelled', or the engine's refusal (e.g. a read-only path)
   */
  async uploadToContainer(id: string, localPath: string, containerPath: string, options: TransferOptions = {}): Promise<UploadResult> {
    const started = Date.now();
    const local = await fs.promises.stat(localPath).catch(() => undefined);
    if (!local) throw new UserError(`${localPath} does not exist.`, { hint: 'Choose an existing workspace file or folder to upload.' });
    let target = await this.statContainerPath(id, containerPath, options.signal);
    if (target?.kind === 'symlink') {
      // A symlink (e.g. /app/data -> /mnt/data): what it points to decides.
      target = await this.statContainerPath(id, path.posix.resolve(path.posix.dirname(containerPath), target.linkTarget), options.signal);
      if (!target) throw new UserError(`${containerPath} in the container is a symlink to a path that does not exist.`, { hint: 'Choose another container path.' });
    }
    let existingAncestor: string | undefined;
    if (!target) {
      for (const a of containerAncestors(containerPath)) {
        const st = a === '/' ? { kind: 'dir' } : await this.statContainerPath(id, a, options.signal);
        if (st?.kind === 'file') throw new UserError(`${a} is a file in the container, so ${containerPath} cannot be made.`, { hint: 'Choose a container path under a folder.' });
        if (st) {
          existingAncestor = a;
          break;
        }
      }
    }
    const layout = uploadLayout({
      sourceIsDir: local.isDirectory(),
      sourceName: path.basename(localPath),
      target: containerPath,
      targetKind: target ? (target.kind === 'file' ? 'file' : 'dir') : 'missing',
      existingAncestor,
    });
    const packed = await packUpload(localPath, layout);
    const counter = byteCounter((bytes) => options.onProgress?.({ bytes, totalBytes: packed.bytes }));
    packed.stream.on('error', (err) => counter.destroy(err));
    packed.stream.pipe(counter);
    const what = `upload ${localPath} to ${containerPath}`;
    try {
      const res = await this.archiveRequest('PUT', id, layout.extractAt, options.signal, counter);
      res.resume();
      await packed.done;
    } catch (err) {
      await packed.done.catch((packErr: unknown) => {
        if (packErr instanceof UserError) throw packErr; // a file that could not be read says more than the aborted request
      });
      throw this.mapError(what, err, options.signal);
    }
    return { files: packed.files, bytes: packed.bytes, wireBytes: counter.total(), durationMs: Date.now() - started };
  }

  /**
   * Download Artifacts: copies `containerPath` (a folder or file) out of the container into
   * `localPath`: a folder's contents into the folder `localPath` (made when missing), a file to
   * `localPath` (or into it when it is a folder). The tar is unpacked into a staging folder
   * beside `localPath` with the safe-unpacking rule (src/core/transfer/archive.ts), then moved
   * into place; when files exist already `decide` is asked first with their paths (default:
   * overwrite). Not limited by the call timeout; `signal` cancels it and nothing is written.
   * @returns undefined when `decide` answered 'cancel' (nothing was written)
   * @throws UserError when the container has no such path; EngineError 'notFound' (no such container), 'cancelled'
   */
  async downloadFromContainer(
    id: string,
    containerPath: string,
    localPath: string,
    options: TransferOptions & { decide?: (existing: string[]) => Promise<ConflictChoice> } = {},
  ): Promise<DownloadResult | undefined> {
    const started = Date.now();
    const what = `download ${containerPath} from container ${id.slice(0, 12)}`;
    let res: IncomingMessage;
    try {
      res = await this.call(what, (abortSignal) => this.archiveRequest('GET', id, containerPath, abortSignal), options.signal);
    } catch (err) {
      if (err instanceof EngineError && err.kind === 'notFound' && /could not find the file/i.test(err.message)) {
        throw new UserError(`The container has no ${containerPath}.`, { hint: 'Check the path (the run may not have written its artifacts there), or choose another one.', cause: err });
      }
      throw err;
    }
    const counter = byteCounter((bytes) => options.onProgress?.({ bytes }));
    res.on('error', (err) => counter.destroy(err));
    // The unpacking attaches to `counter` after its first await; an error before that is kept on the stream (its `errored`), which the unpacking's pipeline then reports.
    counter.on('error', () => undefined);
    // A response closed before its end (the engine went away) ends the unpacking with an error, not a hang.
    res.on('close', () => {
      if (!res.complete) counter.destroy(Object.assign(new Error('the engine closed the connection before the end of the archive'), { code: 'ECONNRESET' }));
    });
    // The error goes to our own stream, which the unpacking handles (destroying the response with
    // it would emit it where nothing listens).
    const onAbort = (): void => {
      counter.destroy(new EngineError(`${what}: cancelled.`, 'cancelled'));
      res.destroy();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    res.pipe(counter);
    const rootName = path.posix.basename(containerPath);
    let staged;
    try {
      staged = await extractToStaging(counter, localPath, rootName);
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw this.mapError(what, err, options.signal);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    const existing = await stagedConflicts(staged, localPath);
    const choice = existing.length > 0 && options.decide ? await options.decide(existing) : 'overwrite';
    if (choice === 'cancel' || options.signal?.aborted) {
      await discardStaged(staged);
      return undefined;
    }
    const committed = await commitStaged(staged, localPath, choice === 'overwrite');
    return { ...committed, files: staged.files, bytes: staged.bytes, wireBytes: counter.total(), refused: staged.refused, durationMs: Date.now() - started };
  }

  /** One `/containers/{id}/archive` request; resolves with the response once its headers arrive (PUT: once the body is sent and answered). */
  protected archiveRequest(method: 'HEAD' | 'GET' | 'PUT', id: string, containerPath: string, signal?: AbortSignal, body?: NodeJS.ReadableStream): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      this.docker().modem.dial(
        {
          path: `/containers/${encodeURIComponent(id)}/archive?`,
          method,
          options: { path: containerPath, ...(method === 'PUT' ? { noOverwriteDirNonDir: true } : {}) },
          ...(body ? { file: body } : {}),
          isStream: true,
          abortSignal: signal,
          statusCodes: { 200: true, 400: 'bad parameter', 403: 'permission denied', 404: 'not found', 409: 'conflict', 500: 'server error' },
        } as Parameters<Dockerode['modem']['dial']>[0],
        (err: unknown, res: unknown) => (err ? reject(err as DockerodeError) : resolve(res as IncomingMessage)),
      );
    });
  }
}

function headerOf(res: IncomingMessage): string | undefined {
  const h = res.headers['x-docker-container-path-stat'];
  return Array.isArray(h) ? h[0] : h;
}
