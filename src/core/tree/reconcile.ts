/**
 * Reconciles the node models a view shows with a fresh load, so that a refresh replaces as
 * little of the tree as it can.
 *
 * Why: VS Code's extension host maps each row's handle to our element (ExtHostTreeView in
 * microsoft/vscode src/vs/workbench/api/common/extHostTreeViews.ts). A refresh of the view's
 * root (`onDidChangeTreeData(undefined)`) runs `_addAllToClear()`, which empties that map at once,
 * and the map is filled again only after the workbench has asked for the root's children anew.
 * A context-menu command chosen in between arrives with `undefined` instead of its row (the menu
 * holds the row's handle; `_convertArgument` finds no element for it). Refreshing single elements
 * (`onDidChangeTreeData([a, b])`) keeps each element's own handle mapped (only its children are
 * re-fetched). So a refresh here:
 * - changes nothing when nothing changed (most engine events change only some views);
 * - keeps the shown objects when a level has the same ids in the same order, updates them in
 *   place and refreshes only the changed ones;
 * - refreshes the root only when top-level rows were added, removed or reordered.
 */
import type { NodeModel } from './models';

export type TreeChange =
  /** nothing to tell VS Code */
  | { kind: 'none' }
  /** these shown nodes (updated in place) changed; their children are re-fetched by VS Code */
  | { kind: 'nodes'; nodes: NodeModel[] }
  /** top-level rows were added, removed or reordered: refresh the root with the new list */
  | { kind: 'root' };

function sameIds(a: readonly NodeModel[], b: readonly NodeModel[]): boolean {
  return a.length === b.length && a.every((n, i) => n.id === b[i].id);
}

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

/** Makes `target` hold `source`'s own fields (children are handled by the caller). */
function assignOwn(target: NodeModel, source: NodeModel): void {
  const t = target as unknown as Record<string, unknown>;
  const s = source as unknown as Record<string, unknown>;
  for (const k of Object.keys(t)) if (k !== 'children' && !(k in s)) delete t[k];
  for (const k of Object.keys(s)) if (k !== 'children') t[k] = s[k];
}

/** Updates `old` to equal `fresh`, in place; pushes onto `changed` the topmost nodes VS Code must refresh. */
function update(old: NodeModel, fresh: NodeModel, changed: NodeModel[]): void {
  const ownChanged = ownFields(old) !== ownFields(fresh);
  const oldKids = old.children ?? [];
  const freshKids = fresh.children ?? [];
  if (ownChanged) assignOwn(old, fresh);
  if (!sameIds(oldKids, freshKids)) {
    // Children added, removed or reordered: the node is refreshed and VS Code re-fetches them.
    old.children = fresh.children;
    changed.push(old);
    return;
  }
  // Same children: keep their objects (their handles stay mapped) and update them in place.
  const below: NodeModel[] = [];
  oldKids.forEach((k, i) => update(k, freshKids[i], below));
  if (ownChanged) changed.push(old); // a refresh of this node covers its children
  else changed.push(...below);
}

/**
 * Brings `shown` (the objects VS Code holds as elements) up to date with `next`, mutating the
 * shown nodes in place where the ids allow it.
 *
 * @param shown the top-level nodes last given to VS Code; mutated unless the result is `root`
 * @param next a fresh load of the same view (filter and sort applied)
 * @returns what VS Code must be told: nothing, the changed shown nodes, or a root refresh (then
 *   the caller shows `next` itself; `shown` is left as it was)
 */
export function reconcile(shown: NodeModel[], next: readonly NodeModel[]): TreeChange {
  if (!sameIds(shown, next)) return { kind: 'root' };
  const changed: NodeModel[] = [];
  shown.forEach((n, i) => update(n, next[i], changed));
  return changed.length ? { kind: 'nodes', nodes: changed } : { kind: 'none' };
}
