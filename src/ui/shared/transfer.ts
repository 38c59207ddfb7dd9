/**
 * Upload to Container and Download Artifacts: the editor's `docker cp`, through the
 * Engine API, so it works the same on local and remote engines. From a Containers row, the
 * palette (pick a container), the exit notification of a run, and profiles' `upload`/`download`.
 * Progress in a cancellable notification; a download asks before it replaces files, naming them.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CommandContext } from './context';
import { containerTarget } from './pick';
import { formatBytes } from '../../core/format';
import { describeSource } from '../../core/transfer/remoteMounts';
import type { TransferSpec } from '../../core/transfer/spec';
import type { ConflictChoice, DownloadResult, TransferProgress, UploadResult } from '../../engine/engine';
import { log } from '../base/log';

/** Arguments for programmatic calls (exit notification, tests): what the pickers would ask. */
interface TransferArgs {
  id?: string;
  localPath?: string;
  /** what the workspace-path prompt offers first (default `./artifacts`) */
  localDefault?: string;
  containerPath?: string;
  /** when downloaded files exist: the answer, instead of asking */
  onExisting?: ConflictChoice;
}

const workspaceFolder = (): string | undefined => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
const argsOf = (arg: unknown): TransferArgs => (arg && typeof arg === 'object' && !('kind' in arg) ? (arg as TransferArgs) : {});
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The container-path rule for input boxes: absolute, not "/". */
function validateContainerPath(v: string): string | undefined {
  const t = v.trim();
  if (!t.startsWith('/')) return 'Write an absolute path inside the container, e.g. /usr/local/app/artifacts';
  if (path.posix.normalize(t) === '/') return 'Name a folder or file, not "/"';
  return undefined;
}

/** Workspace-relative (or absolute) path typed by the user -> absolute path. */
function resolveLocal(text: string): string | undefined {
  const t = text.trim();
  if (path.isAbsolute(t)) return t;
  const ws = workspaceFolder();
  return ws ? path.resolve(ws, t) : undefined;
}

/**
 * Runs one copy in a cancellable progress notification: bytes so far (and of how many, for an
 * upload). Resolves undefined when cancelled.
 */
export async function withTransferProgress<T>(title: string, run: (onProgress: (p: TransferProgress) => void, signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    let reportedPct = 0;
    try {
      return await run((p) => {
        const pct = p.totalBytes ? Math.min(100, (100 * p.bytes) / p.totalBytes) : 0;
        progress.report({ message: p.totalBytes ? `${formatBytes(p.bytes)} of about ${formatBytes(p.totalBytes)}` : `${formatBytes(p.bytes)} received`, increment: pct > reportedPct ? pct - reportedPct : undefined });
        reportedPct = Math.max(pct, reportedPct);
      }, abort.signal);
    } catch (err) {
      if (abort.signal.aborted) {
        log().info(`${title}: cancelled`);
        return undefined;
      }
      throw err;
    } finally {
      sub.dispose();
    }
  });
}

/** Asks before replacing downloaded files that exist, naming them (first 10). */
export async function askOverwrite(existing: string[], where: string): Promise<ConflictChoice> {
  const shown = existing.slice(0, 10).join('\n');
  const more = existing.length > 10 ? `\n... and ${existing.length - 10} more` : '';
  const choice = await vscode.window.showWarningMessage(
    `${existing.length} file${existing.length === 1 ? '' : 's'} in ${where} already exist${existing.length === 1 ? 's' : ''}. Replace ${existing.length === 1 ? 'it' : 'them'} with the container's cop${existing.length === 1 ? 'y' : 'ies'}?`,
    { modal: true, detail: `${shown}${more}\n\nReplaced files are lost. Keep Existing downloads only the files that are not there yet.` },
    'Replace',
    'Keep Existing',
  );
  return choice === 'Replace' ? 'overwrite' : choice === 'Keep Existing' ? 'keep' : 'cancel';
}

/**
 * Copies one container path into the workspace with progress, asking about existing files
 * (or answering `onExisting`). Logs what was written and refused.
 * @returns undefined when cancelled (nothing written)
 */
export async function downloadWithProgress(ctx: CommandContext, id: string, name: string, spec: Pick<TransferSpec, 'container' | 'local'>, onExisting?: ConflictChoice): Promise<DownloadResult | undefined> {
  const where = describeSource(spec.local, workspaceFolder());
  const result = await withTransferProgress(`Downloading ${name}:${spec.container} into ${where}`, (onProgress, signal) =>
    ctx.session.get().downloadFromContainer(id, spec.container, spec.local, { onProgress, signal, decide: onExisting ? async () => onExisting : (existing) => askOverwrite(existing, where) }),
  );
  if (result) {
    log().info(`Downloaded ${name}:${spec.container} into ${spec.local}: ${result.files} files, ${result.bytes} bytes (${result.wireBytes} on the wire) in ${result.durationMs} ms` +
      `${result.overwritten.length ? `; replaced ${result.overwritten.length}` : ''}${result.kept.length ? `; kept ${result.kept.length} existing` : ''}`);
    for (const r of result.refused) log().warn(`Not written (unsafe): ${r.name}: ${r.reason}`);
  }
  return result;
}

/**
 * Copies one workspace path into the container with progress.
 * @returns undefined when cancelled
 */
export async function uploadWithProgress(ctx: CommandContext, id: string, name: string, spec: Pick<TransferSpec, 'container' | 'local'>): Promise<UploadResult | undefined> {
  const result = await withTransferProgress(`Uploading ${describeSource(spec.local, workspaceFolder())} to ${name}:${spec.container}`, (onProgress, signal) =>
    ctx.session.get().uploadToContainer(id, spec.local, spec.container, { onProgress, signal }),
  );
  if (result) log().info(`Uploaded ${spec.local} to ${name}:${spec.container}: ${result.files} files, ${result.bytes} bytes in ${result.durationMs} ms`);
  return result;
}

/**
 * The container's artifacts folder, for the download's prefilled path: a mount whose target
 * looks like outputs (artifacts, output, checkpoints, models), else `<WORKDIR>/artifacts`, else
 * the labs' /usr/local/app/artifacts, when the container has it; else its WORKDIR.
 */
async function guessArtifactsPath(ctx: CommandContext, id: string): Promise<string> {
  const engine = ctx.session.get();
  const info = (await engine.inspectContainer(id)) as { Config?: { WorkingDir?: string }; Mounts?: Array<{ Destination?: string }> };
  const mount = (info.Mounts ?? []).map((m) => m.Destination ?? '').find((d) => /artifact|output|checkpoint|model/i.test(d));
  if (mount) return mount;
  const workdir = info.Config?.WorkingDir || '/';
  for (const candidate of [path.posix.join(workdir, 'artifacts'), '/usr/local/app/artifacts']) {
    if (await engine.statContainerPath(id, candidate).catch(() => undefined)) return candidate;
  }
  return workdir === '/' ? '/usr/local/app/artifacts' : workdir;
}

/** ML Lab: Download Artifacts... (Containers view row, palette, exit notification). */
export async function downloadArtifacts(ctx: CommandContext, arg: unknown): Promise<DownloadResult | undefined> {
  const args = argsOf(arg);
  const c = await containerTarget(ctx, args.id ?? arg, 'Download Artifacts from which container?');
  if (!c) return undefined;
  const containerPath = args.containerPath ?? (await vscode.window.showInputBox({
    title: `Download Artifacts from ${c.name} (1/2)`,
    prompt: 'Folder or file in the container to copy',
    value: await guessArtifactsPath(ctx, c.id),
    validateInput: validateContainerPath,
    ignoreFocusOut: true,
  }));
  if (!containerPath) return undefined;
  let local = args.localPath;
  if (!local) {
    const typed = await vscode.window.showInputBox({
      title: `Download Artifacts from ${c.name} (2/2)`,
      prompt: `Where in the workspace: ${path.posix.basename(containerPath.trim())}'s contents go into this folder`,
      value: args.localDefault ?? './artifacts',
      validateInput: (v) => (v.trim() === '' ? 'Name a workspace folder, e.g. ./artifacts' : !path.isAbsolute(v.trim()) && !workspaceFolder() ? 'No folder is open: write an absolute path' : undefined),
      ignoreFocusOut: true,
    });
    if (!typed) return undefined;
    local = resolveLocal(typed);
  }
  if (!local) return undefined;
  const result = await downloadWithProgress(ctx, c.id, c.name, { container: path.posix.normalize(containerPath.trim()), local }, args.onExisting);
  if (!result) return undefined;
  const where = describeSource(result.path, workspaceFolder());
  const text = `Downloaded ${result.files} file${result.files === 1 ? '' : 's'} (${formatBytes(result.bytes)}) from ${c.name}:${containerPath.trim()} into ${where} in ${secs(result.durationMs)}` +
    `${result.kept.length ? `; kept ${result.kept.length} existing` : ''}.` +
    (result.refused.length ? ` ${result.refused.length} unsafe entr${result.refused.length === 1 ? 'y was' : 'ies were'} not written (they would land outside the folder): ${result.refused.slice(0, 3).map((r) => `${r.name} (${r.reason})`).join(', ')}${result.refused.length > 3 ? ', ...' : ''}.` : '');
  const show = result.refused.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(text, 'Reveal in Explorer').then((choice) => {
    if (choice) void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(result.path));
  });
  return result;
}

/** ML Lab: Upload to Container... (Containers view row, Explorer's context menu on a file or folder, palette). */
export async function uploadToContainer(ctx: CommandContext, arg: unknown): Promise<UploadResult | undefined> {
  const fromExplorer = arg instanceof vscode.Uri ? arg : undefined;
  const args: TransferArgs = fromExplorer ? { localPath: fromExplorer.fsPath } : argsOf(arg);
  const c = await containerTarget(ctx, fromExplorer ? undefined : (args.id ?? arg), `Upload ${args.localPath ? path.basename(args.localPath) : ''} to which container?`.replace('  ', ' '));
  if (!c) return undefined;
  let local = args.localPath;
  if (!local) {
    const ws = workspaceFolder();
    const picked = await vscode.window.showOpenDialog({
      title: `Upload to ${c.name}: choose a file or folder`,
      canSelectFiles: true,
      canSelectFolders: true,
      canSelectMany: false,
      openLabel: 'Upload',
      ...(ws ? { defaultUri: vscode.Uri.file(ws) } : {}),
    });
    local = picked?.[0]?.fsPath;
  }
  if (!local) return undefined;
  const info = (await ctx.session.get().inspectContainer(c.id)) as { Config?: { WorkingDir?: string } };
  const containerPath = args.containerPath ?? (await vscode.window.showInputBox({
    title: `Upload ${path.basename(local)} to ${c.name}`,
    prompt: `Path in the container; it will hold what ${path.basename(local)} holds (missing folders are made)`,
    value: path.posix.join(info.Config?.WorkingDir || '/', path.basename(local)),
    validateInput: validateContainerPath,
    ignoreFocusOut: true,
  }));
  if (!containerPath) return undefined;
  const result = await uploadWithProgress(ctx, c.id, c.name, { local, container: path.posix.normalize(containerPath.trim()) });
  if (result) {
    void vscode.window.showInformationMessage(
      `Uploaded ${result.files} file${result.files === 1 ? '' : 's'} (${formatBytes(result.bytes)}) from ${describeSource(local, workspaceFolder())} to ${c.name}:${containerPath.trim()} in ${secs(result.durationMs)}.`,
    );
  }
  return result;
}
