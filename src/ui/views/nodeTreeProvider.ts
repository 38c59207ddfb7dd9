/**
 * A TreeDataProvider over plain node models (src/core/tree). It loads the models through a
 * loader function, applies the view's filter and sort (src/core/tree/query.ts), shows one
 * message node (with Retry) when the loader fails, and turns each model into a TreeItem in
 * one place.
 */
import * as vscode from 'vscode';
import { noMatchNode, unreachableNode, type NodeModel } from '../../core/tree/models';
import { applyQuery, type SortKey, type ViewQuery } from '../../core/tree/query';
import { CommandIds } from '../../core/ids';
import { describeError } from '../session';
import { log } from '../log';

export function toTreeItem(m: NodeModel): vscode.TreeItem {
  const collapsible = m.children?.length
    ? m.expanded
      ? vscode.TreeItemCollapsibleState.Expanded
      : vscode.TreeItemCollapsibleState.Collapsed
    : vscode.TreeItemCollapsibleState.None;
  const item = new vscode.TreeItem(m.label, collapsible);
  item.id = m.id;
  item.description = m.description;
  item.tooltip = m.tooltip;
  item.contextValue = m.contextValue;
  if (m.iconId) item.iconPath = new vscode.ThemeIcon(m.iconId, m.iconColor ? new vscode.ThemeColor(m.iconColor) : undefined);
  if (m.command) item.command = { command: m.command.id, title: m.command.title, arguments: m.command.args };
  return item;
}

export class NodeTreeProvider implements vscode.TreeDataProvider<NodeModel>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<NodeModel | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly queryChanged = new vscode.EventEmitter<void>();
  /** Fires when the filter or sort changes (the view shows them in its description). */
  readonly onDidChangeQuery = this.queryChanged.event;
  /** the models of the last successful load, after filter and sort */
  private last: NodeModel[] = [];
  private parents = new Map<string, NodeModel>();
  private query: ViewQuery = {};

  constructor(
    readonly name: string,
    private readonly load: () => Promise<NodeModel[]>,
    /** command that clears this view's filter */
    private readonly clearFilterCommand: string,
    /** more tooltip lines for a node, fetched only when the user hovers it (e.g. an image's architecture) */
    private readonly moreTooltip?: (m: NodeModel) => Promise<string | undefined>,
    /** lists shared with other views (src/core/tree/sharedList.ts): made stale by every refresh request, so this view never shows a list older than the request */
    private readonly sharedLists: ReadonlyArray<{ invalidate(): void }> = [],
  ) {}

  /** Asks VS Code to load the view again; lists fetched before this call are not reused. */
  refresh(): void {
    for (const l of this.sharedLists) l.invalidate();
    this.changed.fire(undefined);
  }

  get filter(): string {
    return this.query.filter ?? '';
  }

  get sort(): SortKey {
    return this.query.sort ?? 'name';
  }

  setQuery(q: ViewQuery): void {
    this.query = { ...this.query, ...q };
    this.queryChanged.fire();
    this.refresh();
  }

  /** "filter: iris · sort: size" for the view's description; '' when neither is set. */
  describeQuery(): string {
    return [this.filter ? `filter: ${this.filter}` : '', this.sort !== 'name' ? `sort: ${this.sort}` : ''].filter(Boolean).join(' · ');
  }

  /** The top-level models last shown (empty before the first load). */
  current(): readonly NodeModel[] {
    return this.last;
  }

  getTreeItem(m: NodeModel): vscode.TreeItem {
    return toTreeItem(m);
  }

  /** Called by VS Code when a row is hovered: completes its tooltip without slowing down the listing. */
  async resolveTreeItem(item: vscode.TreeItem, m: NodeModel): Promise<vscode.TreeItem> {
    if (!this.moreTooltip) return item;
    try {
      const more = await this.moreTooltip(m);
      if (more) item.tooltip = `${m.tooltip ?? m.label}\n${more}`;
    } catch {
      // the object may be gone since the listing; the basic tooltip stays
    }
    return item;
  }

  getParent(m: NodeModel): NodeModel | undefined {
    return this.parents.get(m.id);
  }

  /** Finds a loaded node by id, at any depth. */
  find(predicate: (m: NodeModel) => boolean): NodeModel | undefined {
    const walk = (nodes: readonly NodeModel[]): NodeModel | undefined => {
      for (const n of nodes) {
        if (predicate(n)) return n;
        const hit = walk(n.children ?? []);
        if (hit) return hit;
      }
      return undefined;
    };
    return walk(this.last);
  }

  async getChildren(parent?: NodeModel): Promise<NodeModel[]> {
    if (parent) return parent.children ?? [];
    try {
      const shown = applyQuery(await this.load(), this.query);
      this.parents = new Map();
      const index = (nodes: NodeModel[], p?: NodeModel) => {
        for (const n of nodes) {
          if (p) this.parents.set(n.id, p);
          index(n.children ?? [], n);
        }
      };
      index(shown);
      this.last = shown;
      if (shown.length === 0 && this.filter) return [noMatchNode(this.filter, this.clearFilterCommand)];
      return shown;
    } catch (err) {
      log().warn(`${this.name} view: ${describeError(err)}`);
      this.last = [];
      return [unreachableNode(describeError(err), CommandIds.engineRetry)];
    }
  }

  dispose(): void {
    this.changed.dispose();
    this.queryChanged.dispose();
  }
}
