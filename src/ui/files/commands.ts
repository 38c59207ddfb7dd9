/**
 * The actions on a container's Files rows: open a file in the editor (asking first above the
 * size limit), refresh a folder, download a file or folder (Download Artifacts' path), delete
 * (asks first, naming what is lost; never a mount point), new file and new folder.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import { checkEntryName } from '../../core/files/listing';
import { formatBytes } from '../../core/format';
import { SettingIds } from '../../core/ids';
import type { FileRowData } from '../../core/tree/files';
import type { NodeModel } from '../../core/tree/models';
import type { CommandContext } from '../shared/context';
import { downloadArtifacts } from '../shared/transfer';
import { containerFileUriFor } from './fileSystem';

/** Default of `mlLab.files.openLimitMB`: files above it ask before they open (package.json has the same). */
const DEFAULT_OPEN_LIMIT_MB = 50;

/** The Files row a command was chosen on; a UserError when it is not one. */
function rowOf(arg: unknown): { node?: NodeModel; file: FileRowData } {
  const node = arg as NodeModel | undefined;
  if (node?.file) return { node, file: node.file };
  throw new UserError('Choose a file or folder under a container\'s Files in the Containers view.');
}

/**
 * Opens a container file in the editor (a row click). Asks first when it is larger than
 * `mlLab.files.openLimitMB` (default 50 MB). VS Code decides text or binary from the bytes.
 * @param arg `{ containerId, path }` (the row's click) or the row itself
 * @returns the URI opened, or undefined when the user declined
 */
export async function openContainerFile(ctx: CommandContext, arg: unknown): Promise<vscode.Uri | undefined> {
  const a = arg as { containerId?: string; path?: string; size?: number; file?: FileRowData } | undefined;
  const containerId = a?.containerId ?? a?.file?.container.id;
  const containerPath = a?.path ?? a?.file?.path;
  if (!containerId || !containerPath) throw new UserError('Choose a file under a container\'s Files in the Containers view.');
  const engine = ctx.session.get();
  // The row's listing gave the size of a plain file: no engine call before the editor's own.
  let size = a?.size ?? (a?.file?.kind === 'file' ? a.file.size : undefined);
  if (size === undefined) {
    const st = await engine.statContainerFile(containerId, containerPath);
    if (st.kind === 'dir') throw new UserError(`${containerPath} is a folder: expand it in the Containers view.`);
    size = st.size;
  }
  const limitMb = vscode.workspace.getConfiguration().get<number>(SettingIds.filesOpenLimitMB) ?? DEFAULT_OPEN_LIMIT_MB;
  if (size > limitMb * 1024 * 1024) {
    const open = 'Open Anyway';
    const answer = await vscode.window.showWarningMessage(
      `${containerPath} is ${formatBytes(size)}, larger than the ${limitMb} MB limit for opening container files. Open it anyway?`,
      { modal: true, detail: `The whole file is read through the Docker engine into the editor${engine.connection.address.kind === 'socket' ? '' : ', over the network'}. Download it instead to keep a copy. The limit is the setting ${SettingIds.filesOpenLimitMB}.` },
      open,
    );
    if (answer !== open) return undefined;
  }
  const uri = containerFileUriFor(ctx.session, containerId, containerPath);
  await vscode.commands.executeCommand('vscode.open', uri);
  return uri;
}

/** Lists a Files row again (its inline Refresh). */
export function refreshContainerFiles(ctx: CommandContext, arg: unknown): void {
  const { node } = rowOf(arg);
  if (node) ctx.views.containers.refreshNode(node);
}

/** Downloads a container file or folder into the workspace: Download Artifacts with the path filled in. */
export async function downloadContainerFile(ctx: CommandContext, arg: unknown): Promise<unknown> {
  const { file } = rowOf(arg);
  return downloadArtifacts(ctx, { id: file.container.id, containerPath: file.path, localDefault: `./${path.posix.basename(file.path) || 'container-root'}` });
}

/**
 * Deletes a container file or folder after a modal that names what is lost (a folder: with
 * everything in it; a named volume's files: also for the other containers that mount it).
 * Never a mount point. Needs a running container (exec `rm`): a stopped one is said so.
 */
export async function deleteContainerFile(ctx: CommandContext, arg: unknown): Promise<boolean> {
  const { node, file } = rowOf(arg);
  const c = file.container;
  if (file.mount || c.mounts.some((m) => m.destination === file.path)) {
    throw new UserError(`${file.path} is a mount point of ${c.name} and is not deleted from here.`, { hint: file.mount?.type === 'volume' ? `Delete files inside it, or remove the volume ${file.mount.source} in the Volumes view once no container uses it.` : 'Delete files inside it instead.' });
  }
  if (file.path === '/') throw new UserError('/ is the container\'s whole file system and is not deleted from here.');
  if (!c.running) {
    throw new UserError(`${file.path} cannot be deleted while ${c.name} is stopped: deleting runs rm inside the container, and the Engine API has no call that deletes a path.`, { hint: 'Start the container, then delete again.' });
  }
  const isFolder = file.kind === 'dir';
  const inVolume = c.mounts.find((m) => m.type === 'volume' && file.path.startsWith(`${m.destination}/`));
  const shared = inVolume?.sharedWith.length ? ` It is in the named volume ${inVolume.source}, which ${inVolume.sharedWith.join(', ')} also mount${inVolume.sharedWith.length === 1 ? 's' : ''}: ${inVolume.sharedWith.length === 1 ? 'it loses' : 'they lose'} it too.` : '';
  const what = isFolder ? `the folder ${file.path} and everything in it` : `${file.path}${file.size !== undefined && file.kind === 'file' ? ` (${formatBytes(file.size)})` : ''}`;
  const answer = await vscode.window.showWarningMessage(
    `Delete ${what} from container ${c.name}?`,
    { modal: true, detail: `It is deleted inside the container and cannot be restored.${shared}` },
    'Delete',
  );
  if (answer !== 'Delete') return false;
  await ctx.session.get().deleteContainerPath(c.id, file.path, { recursive: isFolder });
  ctx.files?.announce([{ type: vscode.FileChangeType.Deleted, uri: containerFileUriFor(ctx.session, c.id, file.path) }]);
  const parent = node ? ctx.views.containers.getParent(node) : undefined;
  if (parent) ctx.views.containers.refreshNode(parent);
  return true;
}

async function askName(title: string, folder: string): Promise<string | undefined> {
  return vscode.window.showInputBox({ title, prompt: `Name of the new entry in ${folder}`, validateInput: (v) => checkEntryName(v), ignoreFocusOut: true });
}

/** Makes an empty file in the chosen folder (owner: the folder's) and opens it. */
export async function newContainerFile(ctx: CommandContext, arg: unknown): Promise<string | undefined> {
  const { node, file } = rowOf(arg);
  const name = await askName(`New File in ${file.container.name}`, file.path);
  if (!name) return undefined;
  const target = path.posix.join(file.path, name);
  await ctx.session.get().writeContainerFile(file.container.id, target, new Uint8Array(0), { create: true, overwrite: false });
  if (node) ctx.views.containers.refreshNode(node);
  await vscode.commands.executeCommand('vscode.open', containerFileUriFor(ctx.session, file.container.id, target));
  return target;
}

/** Makes a folder in the chosen folder (mode 0755, owner: the folder's). */
export async function newContainerFolder(ctx: CommandContext, arg: unknown): Promise<string | undefined> {
  const { node, file } = rowOf(arg);
  const name = await askName(`New Folder in ${file.container.name}`, file.path);
  if (!name) return undefined;
  const target = path.posix.join(file.path, name);
  await ctx.session.get().makeContainerFolder(file.container.id, target);
  if (node) ctx.views.containers.refreshNode(node);
  return target;
}
