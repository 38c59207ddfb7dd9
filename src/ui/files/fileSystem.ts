/**
 * The `mllab-container:` file system: files of a container opened in the editor, read and
 * saved through the Engine API (src/engine/files.ts), so it works on running and stopped
 * containers and on local, TCP+TLS and SSH engines alike. VS Code's own editor does the rest:
 * a text file is editable, a binary file gets VS Code's binary handling (it only sees bytes).
 * Failures reach VS Code as the FileSystemError it understands (FileNotFound, NoPermissions,
 * Unavailable...), carrying the one sentence of src/core/files/errors.ts.
 */
import * as vscode from 'vscode';
import { ContainerFileError } from '../../core/files/errors';
import { CONTAINER_FILE_SCHEME, containerFileUri, parseContainerFileUri, type ContainerFileRef } from '../../core/files/uri';
import { UserError } from '../../core/errors';
import type { Engine } from '../../engine/engine';
import type { EngineSession } from '../base/session';

/** The `mllab-container:` URI of a container path on the session's current engine. */
export function containerFileUriFor(session: EngineSession, containerId: string, containerPath: string): vscode.Uri {
  return vscode.Uri.parse(containerFileUri({ containerId, path: containerPath, engine: session.get().connection.describe }));
}

export class ContainerFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changes.event;

  constructor(private readonly session: EngineSession) {}

  /** What a URI names, and the engine that has it. */
  resolve(uri: vscode.Uri): { ref: ContainerFileRef; engine: Engine } {
    let ref: ContainerFileRef;
    try {
      ref = parseContainerFileUri({ authority: uri.authority, path: uri.path, query: uri.query });
    } catch (err) {
      throw vscode.FileSystemError.FileNotFound(err instanceof Error ? err.message : String(err));
    }
    const engine = ref.engine ? this.session.engineDescribed(ref.engine) : this.session.get();
    if (!engine) throw vscode.FileSystemError.Unavailable(`Cannot open ${ref.path}: its engine ${ref.engine} is not in the Engines view any more.`);
    return { ref, engine };
  }

  /** Tells VS Code (open editors, the Explorer) about a change made outside the provider's own calls. */
  announce(events: vscode.FileChangeEvent[]): void {
    this.changes.fire(events);
  }

  watch(): vscode.Disposable {
    // The Engine API sends no file events; the Files rows have Refresh, and our own writes are announced below.
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const { ref, engine } = this.resolve(uri);
    const st = await this.run(() => engine.statContainerFile(ref.containerId, ref.path, undefined, 'access'));
    const type = (st.kind === 'dir' ? vscode.FileType.Directory : vscode.FileType.File) | (st.isSymlink ? vscode.FileType.SymbolicLink : 0);
    return { type, ctime: st.mtimeMs, mtime: st.mtimeMs, size: st.size };
  }

  async readDirectory(uri: vscode.Uri): Promise<Array<[string, vscode.FileType]>> {
    const { ref, engine } = this.resolve(uri);
    const listing = await this.run(() => engine.listContainerFolder(ref.containerId, ref.path));
    return listing.entries.map((e) => {
      const kind = e.kind === 'symlink' ? e.targetKind : e.kind;
      const type = kind === 'dir' ? vscode.FileType.Directory : kind === 'file' ? vscode.FileType.File : vscode.FileType.Unknown;
      return [e.name, type | (e.kind === 'symlink' ? vscode.FileType.SymbolicLink : 0)];
    });
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const { ref, engine } = this.resolve(uri);
    return (await this.run(() => engine.readContainerFile(ref.containerId, ref.path))).content;
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array, options: { create: boolean; overwrite: boolean }): Promise<void> {
    const { ref, engine } = this.resolve(uri);
    await this.run(() => engine.writeContainerFile(ref.containerId, ref.path, content, options));
    this.changes.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  async createDirectory(uri: vscode.Uri): Promise<void> {
    const { ref, engine } = this.resolve(uri);
    await this.run(() => engine.makeContainerFolder(ref.containerId, ref.path));
    this.changes.fire([{ type: vscode.FileChangeType.Created, uri }]);
  }

  async delete(uri: vscode.Uri, options: { recursive: boolean }): Promise<void> {
    const { ref, engine } = this.resolve(uri);
    await this.run(() => engine.deleteContainerPath(ref.containerId, ref.path, options));
    this.changes.fire([{ type: vscode.FileChangeType.Deleted, uri }]);
  }

  async rename(oldUri: vscode.Uri, newUri: vscode.Uri, options: { overwrite: boolean }): Promise<void> {
    const from = this.resolve(oldUri);
    const to = this.resolve(newUri);
    if (from.ref.containerId !== to.ref.containerId || from.engine !== to.engine) {
      throw vscode.FileSystemError.NoPermissions('A file can be renamed only within its own container.');
    }
    await this.run(() => from.engine.renameContainerPath(from.ref.containerId, from.ref.path, to.ref.path, options));
    this.changes.fire([{ type: vscode.FileChangeType.Deleted, uri: oldUri }, { type: vscode.FileChangeType.Created, uri: newUri }]);
  }

  /** Runs an engine call, its failure turned into the FileSystemError VS Code understands. */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toFileSystemError(err);
    }
  }

  dispose(): void {
    this.changes.dispose();
  }
}

/** A failure as a FileSystemError with the one sentence (and its hint) as its message. */
export function toFileSystemError(err: unknown): vscode.FileSystemError | Error {
  if (err instanceof vscode.FileSystemError) return err;
  const text = err instanceof UserError ? (err.hint ? `${err.message} ${err.hint}` : err.message) : err instanceof Error ? err.message : String(err);
  if (!(err instanceof ContainerFileError)) return err instanceof UserError ? vscode.FileSystemError.Unavailable(text) : (err as Error);
  switch (err.reason) {
    case 'missingPath':
      return vscode.FileSystemError.FileNotFound(text);
    case 'exists':
      return vscode.FileSystemError.FileExists(text);
    case 'isFolder':
      return vscode.FileSystemError.FileIsADirectory(text);
    case 'notFolder':
      return vscode.FileSystemError.FileNotADirectory(text);
    case 'readOnly':
    case 'notRunning':
    case 'mountPoint':
      return vscode.FileSystemError.NoPermissions(text);
    case 'containerGone':
      return vscode.FileSystemError.Unavailable(text);
    default:
      return vscode.FileSystemError.Unavailable(text);
  }
}

/** Registers the provider for `mllab-container:` (case-sensitive paths, as Linux has them). */
export function registerContainerFileSystem(fs: ContainerFileSystem): vscode.Disposable {
  return vscode.workspace.registerFileSystemProvider(CONTAINER_FILE_SCHEME, fs, { isCaseSensitive: true });
}
