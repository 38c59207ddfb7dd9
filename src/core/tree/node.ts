/**
 * The shape of a tree row: plain data every view's models share (src/core/tree/models.ts builds
 * the engine views' rows, files.ts a container's files, networks.ts and swarm/tree.ts
 * theirs). Types only, so that the builders can import it without importing each other.
 */

export type NodeKind = 'image' | 'repository' | 'container' | 'composeProject' | 'port' | 'mount' | 'containerImage' | 'volume' | 'message' | 'network' | 'networkContainer' | 'app'
  // the Swarm view
  | 'swarmGroup' | 'swarmNode' | 'swarmService' | 'swarmTask'
  | 'containerFiles' | 'containerFolder' | 'containerFile';

export interface NodeModel {
  kind: NodeKind;
  /** stable id for the tree (keeps expansion and selection across refreshes) */
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  /** codicon id, e.g. 'vm-running' */
  iconId?: string;
  /** theme colour id for the icon, e.g. 'charts.green' */
  iconColor?: string;
  contextValue?: string;
  /** command run on click */
  command?: { id: string; title: string; args?: unknown[] };
  /** what the node stands for: image reference, container id, volume name, URL, host path */
  ref?: string;
  children?: NodeModel[];
  /** how a node with children starts */
  expanded?: boolean;
  /** for filter and sort: ms since the epoch */
  created?: number;
  /** for sort: bytes */
  size?: number;
  /** text the view filter matches against besides the label (image, tags, labels) */
  searchText?: string;
  /** children are listed only when the row is expanded (a container's folders), not in `children` */
  lazy?: boolean;
  /** URI text of the file or folder the row stands for (its file icon comes from the icon theme) */
  resourceUri?: string;
  /** a Files row: its container and path (src/core/tree/files.ts) */
  file?: FileRowData;
}

/** A mount point as the Files rows show it. */
export interface FilesMount {
  destination: string;
  /** 'volume', 'bind', 'tmpfs'... */
  type: string;
  /** volume name, or host path of a bind mount */
  source: string;
  readOnly: boolean;
  /** other containers that mount the same named volume */
  sharedWith: string[];
}

/** What every Files row carries about its container. */
export interface FilesContainer {
  id: string;
  name: string;
  running: boolean;
  mounts: FilesMount[];
  /** the container's working folder; known once the Files node was expanded */
  workdir?: string;
}

/** The data of a Files row (commands read it). */
export interface FileRowData {
  container: FilesContainer;
  /** absolute posix path in the container */
  path: string;
  kind: 'dir' | 'file' | 'symlink' | 'other';
  /** bytes, when listed */
  size?: number;
  /** what a symlink points at */
  targetKind?: 'dir' | 'file' | 'missing';
  /** the mount at exactly this path */
  mount?: FilesMount;
}
