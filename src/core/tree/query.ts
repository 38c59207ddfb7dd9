/**
 * Filter and sort for the views, on node models. A filter matches, case-insensitively, a node's
 * label, description or search text (image, tags, labels `key=value`); a group (repository,
 * Compose project) stays when its own label matches or with just its matching children.
 */
import type { NodeModel } from './models';

export type SortKey = 'name' | 'created' | 'size';
export const SORT_KEYS: readonly SortKey[] = ['name', 'created', 'size'];

export interface ViewQuery {
  /** empty or undefined: no filter */
  filter?: string;
  /** default 'name' */
  sort?: SortKey;
}

function matches(n: NodeModel, needle: string): boolean {
  return `${n.label} ${n.description ?? ''} ${n.searchText ?? ''}`.toLowerCase().includes(needle);
}

const isGroup = (n: NodeModel) => n.kind === 'repository' || n.kind === 'composeProject';

function compare(sort: SortKey): (a: NodeModel, b: NodeModel) => number {
  switch (sort) {
    case 'created': // newest first
      return (a, b) => (b.created ?? 0) - (a.created ?? 0) || a.label.localeCompare(b.label);
    case 'size': // largest first; unknown sizes last
      return (a, b) => (b.size ?? -1) - (a.size ?? -1) || a.label.localeCompare(b.label);
    case 'name':
      return (a, b) => a.label.localeCompare(b.label);
  }
}

/**
 * The nodes to show for a query. Sorting by name keeps the models' own order (running
 * containers first, `<none>` last), which is already by name within each rank.
 * @returns new arrays; the input models are not changed
 */
export function applyQuery(nodes: NodeModel[], query: ViewQuery): NodeModel[] {
  const needle = (query.filter ?? '').trim().toLowerCase();
  const sort = query.sort ?? 'name';
  const filtered: NodeModel[] = [];
  for (const n of nodes) {
    if (!needle || n.kind === 'message') filtered.push(n);
    else if (isGroup(n)) {
      if (matches(n, needle) && !n.children?.some((c) => matches(c, needle))) filtered.push(n);
      else {
        const kids = (n.children ?? []).filter((c) => matches(c, needle));
        if (kids.length) filtered.push({ ...n, children: kids, expanded: true });
      }
    } else if (matches(n, needle)) filtered.push(n);
  }
  if (sort === 'name') return filtered;
  const cmp = compare(sort);
  return filtered
    .map((n) => (isGroup(n) && n.children ? { ...n, children: [...n.children].sort(cmp) } : n))
    .sort(cmp);
}
