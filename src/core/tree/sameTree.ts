/**
 * Whether a fresh load of a view differs from what it shows, so that a refresh is sent to VS
 * Code only when something changed.
 *
 * Why: VS Code's extension host maps each row's handle to our element (ExtHostTreeView in
 * microsoft/vscode src/vs/workbench/api/common/extHostTreeViews.ts). A refresh of the view's
 * root (`onDidChangeTreeData(undefined)`) runs `_addAllToClear()`, which empties that map at once,
 * and the map is filled again only after the workbench has asked for the root's children anew.
 * A context-menu command chosen in between arrives with `undefined` instead of its row (the menu
 * holds the row's handle; `_convertArgument` finds no element for it). Each refresh opens that
 * window, and on a shared engine most events change nothing a given view shows (a container
 * created elsewhere leaves the Images view as it was), so unchanged loads send no refresh.
 *
 * Refreshing single elements instead (`onDidChangeTreeData([a, b])`) keeps their handles, but
 * mixed with root refreshes at a high event rate it left rows stale in code-server 1.139
 * (a started container kept showing "Exited" until the next root refresh), so changes are
 * always sent as root refreshes, with the new list already loaded (see NodeTreeProvider).
 */
import type { NodeModel } from './models';

/** The node's own fields (children left out) as a comparable string, keys sorted. */
function ownFields(n: NodeModel): string {
  const rec = n as unknown as Record<string, unknown>;
  return JSON.stringify(
    Object.keys(rec)
      .filter((k) => k !== 'children' && rec[k] !== undefined)
      .sort()
      .map((k) => [k, rec[k]]),
  );
}

/**
 * Whether two lists of node models show the same tree: the same ids in the same order at every
 * level, and the same fields (label, description, tooltip, icon, context value, command...).
 */
export function sameTree(a: readonly NodeModel[], b: readonly NodeModel[]): boolean {
  return a.length === b.length && a.every((n, i) => n.id === b[i].id && ownFields(n) === ownFields(b[i]) && sameTree(n.children ?? [], b[i].children ?? []));
}
