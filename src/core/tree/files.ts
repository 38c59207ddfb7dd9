/**
 * Tree node models of a container's files: the **Files** node under each container row, its
 * first level (the working folder, each mount point, then `/`), and one folder's entries. The
 * Files node and folder rows are `lazy`: their children are listed only when the row is
 * expanded (src/engine/files.ts lists one folder at a time).
 */
import type { ContainerSummary } from '../engineTypes';
import { formatBytes } from '../format';
import { CommandIds } from '../ids';
import type { ContainerFileEntry } from '../files/listing';
import type { FileRowData, FilesContainer, FilesMount, NodeModel } from './node';

export type { FileRowData, FilesContainer, FilesMount } from './node';

/** The mounts of `c` with, for named volumes, the other containers that mount them. */
export function filesMounts(c: ContainerSummary, volumeUsers: ReadonlyMap<string, string[]>): FilesMount[] {
  return c.mounts.map((m) => {
    const isVolume = m.type === 'volume';
    const source = isVolume ? (m.name ?? m.source) : m.source;
    return { destination: m.destination, type: m.type, source, readOnly: m.readOnly, sharedWith: isVolume ? (volumeUsers.get(source) ?? []).filter((n) => n !== c.name) : [] };
  });
}

/** `Files` under a container row; expanding it lists the working folder, the mounts and `/`. */
export function filesNode(c: ContainerSummary, volumeUsers: ReadonlyMap<string, string[]>): NodeModel {
  const container: FilesContainer = { id: c.id, name: c.name, running: c.state === 'running', mounts: filesMounts(c, volumeUsers) };
  return {
    kind: 'containerFiles',
    id: `container:${c.id}:files`,
    label: 'Files',
    description: container.running ? '' : 'read from the archive while stopped',
    tooltip: `The file system of ${c.name}: the working folder and mount points first, then /. Folders are listed when you expand them${container.running ? '' : ' (the container is stopped: from an archive of each folder, which takes longer for big folders)'}; click a file to open it in the editor.`,
    iconId: 'files',
    contextValue: `containerFiles;${container.running ? 'running;' : ''}`,
    ref: c.id,
    lazy: true,
    file: { container, path: '/', kind: 'dir' },
  };
}

function mountText(m: FilesMount): string {
  // A VOLUME of the image with nothing named for it gets a 64-hex name: say so, and shorten it.
  const anonymous = m.type === 'volume' && /^[0-9a-f]{64}$/.test(m.source);
  const what = anonymous ? `anonymous volume ${m.source.slice(0, 12)}` : m.type === 'volume' ? `named volume ${m.source}` : m.type === 'bind' ? `bind mount ${m.source}` : `${m.type} mount`;
  return `${what}${m.readOnly ? ', read-only' : ''}${m.sharedWith.length ? `, also in ${m.sharedWith.join(', ')}` : ''}`;
}

/**
 * Row ids are paths in the tree, not in the container: one folder may be shown twice (the working
 * folder first, and again under `/`), and a tree's ids must be unique.
 */
function folderRow(id: string, container: FilesContainer, p: string, label: string, description: string, extra: Partial<FileRowData> = {}): NodeModel {
  const mount = container.mounts.find((m) => m.destination === p);
  const deletable = !mount && p !== '/';
  return {
    kind: 'containerFolder',
    id,
    label,
    description,
    tooltip: `${p}${mount ? `\nMount point: ${mountText(mount)}` : ''}${container.workdir === p ? '\nThe container\'s working folder' : ''}`,
    iconId: mount ? (mount.type === 'volume' ? 'database' : 'folder-library') : 'folder',
    contextValue: `containerFolder;${container.running ? 'running;' : ''}${mount ? 'mount;' : ''}${deletable ? 'deletable;' : ''}`,
    ref: p,
    lazy: true,
    file: { container, path: p, kind: 'dir', ...(mount ? { mount } : {}), ...extra },
  };
}

/**
 * The first level under Files: the working folder, each mount point (with what is mounted), then
 * `/` (left out when the working folder is `/`).
 */
export function filesRootNodes(container: FilesContainer): NodeModel[] {
  const workdir = container.workdir || '/';
  const base = `container:${container.id}:files`;
  const rows: NodeModel[] = [folderRow(`${base}:${workdir}`, container, workdir, workdir, workdir === '/' ? 'working folder (the root file system)' : 'working folder')];
  for (const m of [...container.mounts].sort((a, b) => a.destination.localeCompare(b.destination))) {
    if (m.destination === workdir) {
      rows[0].description = `working folder · ${mountText(m)}`;
      continue;
    }
    rows.push(folderRow(`${base}:${m.destination}`, container, m.destination, m.destination, mountText(m)));
  }
  if (workdir !== '/') rows.push(folderRow(`${base}:/`, container, '/', '/', 'the root file system'));
  return rows;
}

/**
 * One folder's entries as rows, in the order given (src/core/files/listing.ts sortEntries):
 * folders and symlinks to folders expand; files open on click.
 * @param resourceUri the `mllab-container:` URI of a path (src/core/files/uri.ts), for file icons
 */
export function fileEntryNodes(parentId: string, container: FilesContainer, entries: readonly ContainerFileEntry[], resourceUri: (p: string) => string): NodeModel[] {
  return entries.map((e): NodeModel => {
    const id = `${parentId}/${e.name}`;
    const mount = container.mounts.find((m) => m.destination === e.path);
    const linkText = e.kind === 'symlink' ? `→ ${e.linkTarget ?? '?'}${e.targetKind === 'missing' ? ' (missing)' : ''}` : '';
    if (e.kind === 'dir' || (e.kind === 'symlink' && e.targetKind === 'dir')) {
      const row = folderRow(id, container, e.path, e.name, [mount ? mountText(mount) : '', e.path === container.workdir ? 'working folder' : '', linkText].filter(Boolean).join(' · '), { kind: e.kind, ...(e.targetKind ? { targetKind: e.targetKind } : {}) });
      return { ...row, resourceUri: resourceUri(e.path) };
    }
    const opens = e.kind === 'file' || (e.kind === 'symlink' && e.targetKind === 'file');
    return {
      kind: 'containerFile',
      id,
      label: e.name,
      description: [e.kind === 'file' ? formatBytes(e.size) : '', linkText, e.kind === 'other' ? 'device, socket or FIFO' : ''].filter(Boolean).join(' · '),
      tooltip: `${e.path}\n${e.kind === 'file' ? `${formatBytes(e.size)} · ` : ''}mode ${e.mode.toString(8).padStart(4, '0')} · owner ${e.uid}:${e.gid} · modified ${new Date(e.mtimeMs).toISOString()}${linkText ? `\nSymlink ${linkText}` : ''}`,
      iconId: 'file',
      contextValue: `containerFile;${container.running ? 'running;' : ''}deletable;`,
      ref: e.path,
      resourceUri: resourceUri(e.path),
      ...(opens ? { command: { id: CommandIds.containerFileOpen, title: 'Open', args: [{ containerId: container.id, path: e.path, ...(e.kind === 'file' ? { size: e.size } : {}) }] } } : {}),
      file: { container, path: e.path, kind: e.kind, size: e.size, ...(e.targetKind ? { targetKind: e.targetKind } : {}) },
    };
  });
}

/** The row that ends a listing the archive stream did not finish within its time budget. */
export function partialListingNode(parentId: string, container: FilesContainer, folder: string, budgetMs: number): NodeModel {
  return {
    kind: 'message',
    id: `${parentId}:partial`,
    label: 'More entries not listed',
    description: `stopped container: the folder took over ${Math.round(budgetMs / 1000)} s to read`,
    tooltip: `${container.name} is stopped, so ${folder} was read from an archive of everything under it, and reading stopped after ${Math.round(budgetMs / 1000)} s. Start the container to list the folder fully (a running container lists one folder at a time), or open a subfolder.`,
    iconId: 'ellipsis',
    contextValue: 'message;partial;',
  };
}

/** The row a folder shows when it cannot be listed: the one sentence, and Refresh to try again. */
export function fileErrorNode(parentId: string, message: string): NodeModel {
  return {
    kind: 'message',
    id: `${parentId}:error`,
    label: message,
    tooltip: `${message}\nRefresh the folder to try again.`,
    iconId: 'warning',
    iconColor: 'list.warningForeground',
    contextValue: 'message;fileError;',
  };
}
