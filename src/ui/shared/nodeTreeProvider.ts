/**
 * A TreeDataProvider over plain node models (src/core/tree). It loads the models through a
 * loader function, applies the view's filter and sort (src/core/tree/query.ts), shows one
 * message node (with Retry) when the loader fails, and turns each model into a TreeItem in
 * one place. With an engine health tracker (src/ui/engines/engineHealth.ts), an engine that is not
 * installed, not running or not allowed shows no row: the view's welcome content says which
 * case it is and what to do (VS Code shows welcome content only in an empty view).
 *
 * A refresh loads first and tells VS Code only when something changed
 * (src/core/tree/sameTree.ts): a root refresh makes the extension host forget which element
 * each row stands for until the root is fetched again, and a context-menu command chosen
 * meanwhile would get no row. When the root must be refreshed, the new list is ready, so the
 * extension host gets it without waiting for the engine.
 */
import * as vscode from 'vscode';
import { noMatchNode, unreachableNode, type NodeModel } from '../../core/tree/models';
import { applyQuery, type SortKey, type ViewQuery } from '../../core/tree/query';
import { sameTree } from '../../core/tree/sameTree';
import { CommandIds } from '../../core/ids';
import { describeError } from '../base/session';
import { log } from '../base/log';

export function toTreeItem(m: NodeModel): vscode.TreeItem {
  const collapsible = m.lazy
    ? vscode.TreeItemCollapsibleState.Collapsed
    : m.children?.length
    ? m.expanded
      ? vscode.TreeItemCollapsibleState.Expanded
      : vscode.TreeItemCollapsibleState.Collapsed
    : vscode.TreeItemCollapsibleState.None;
  const item = new vscode.TreeItem(m.label, collapsible);
  item.id = m.id;
  item.description = m.description;
  item.tooltip = m.tooltip;
  item.contextValue = m.contextValue;
  if (m.resourceUri) item.resourceUri = vscode.Uri.parse(m.resourceUri);
  // A file or folder with a URI takes its icon from the file icon theme (by name and extension).
  if (m.resourceUri && m.iconId === 'file') item.iconPath = vscode.ThemeIcon.File;
  else if (m.resourceUri && m.iconId === 'folder') item.iconPath = vscode.ThemeIcon.Folder;
  else if (m.iconId) item.iconPath = new vscode.ThemeIcon(m.iconId, m.iconColor ? new vscode.ThemeColor(m.iconColor) : undefined);
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
  /** the top-level nodes VS Code was given (or gets on its next root fetch); undefined before the first load */
  private shown: NodeModel[] | undefined;
  private parents = new Map<string, NodeModel>();
  private query: ViewQuery = {};
  /** update() calls made, loads completed (as the count of calls each served), and who waits */
  private requested = 0;
  private completed = 0;
  private waiters: Array<{ gen: number; resolve: () => void }> = [];
  private loading = false;
  /** a root refresh was fired and VS Code has not fetched the root since: `shown` is what it wants */
  private rootPending = false;
  /** the last load's error, logged once */
  private lastError: string | undefined;
  private listedOnce = false;

  constructor(
    readonly name: string,
    private readonly load: () => Promise<NodeModel[]>,
    /** command that clears this view's filter */
    private readonly clearFilterCommand: string,
    /** more tooltip lines for a node, fetched only when the user hovers it (e.g. an image's architecture) */
    private readonly moreTooltip?: (m: NodeModel) => Promise<string | undefined>,
    /** lists shared with other views (src/core/tree/sharedList.ts): made stale by every refresh request, so this view never shows a list older than the request */
    private readonly sharedLists: ReadonlyArray<{ invalidate(): void }> = [],
    /** the children of a `lazy` node (a container's folder), listed when VS Code asks for them; never throws */
    private readonly lazyChildren?: (m: NodeModel) => Promise<NodeModel[]>,
    /** told of every load's outcome; `failed` returns true when the view shows its welcome content instead of a message row */
    private readonly health?: { loaded(): void; failed(err: unknown): boolean },
  ) {}

  /**
   * Lists a `lazy` node's children again (its Refresh action). Its own row stays: VS Code asks
   * for the children of that one element, with the element it knows.
   */
  refreshNode(m: NodeModel): void {
    for (const id of [...this.lazyCache.keys()]) if (id === m.id || id.startsWith(`${m.id}/`)) this.lazyCache.delete(id);
    this.changed.fire(m);
  }

  /**
   * Children of lazy nodes by node id, with the node's own fields they were listed for and when.
   * A root refresh (engine events: on a shared engine several a second) makes VS Code ask again
   * for the children of every expanded node; listing them each time kept an exec per expanded
   * folder running and re-drew the rows under the pointer. They are listed again when the node
   * changed (its container stopped), on its Refresh, or when older than {@link lazyMaxAgeMs}.
   */
  private readonly lazyCache = new Map<string, { key: string; at: number; children: NodeModel[] }>();

  /** How long lazily listed children are reused across root refreshes, in ms. */
  lazyMaxAgeMs = 30_000;

  /** Reloads the view in the background (see `update`); lists shared with other views and fetched before this call are not reused. */
  refresh(): void {
    for (const l of this.sharedLists) l.invalidate();
    void this.update();
  }

  /**
   * Loads the view's models and, when they differ from what it shows, refreshes the view's root.
   * Resolves once a load that started after this call has been shown: at most two loads, however
   * many events keep arriving (a shared engine can send them faster than a load takes).
   */
  update(): Promise<void> {
    const gen = ++this.requested;
    const done = new Promise<void>((resolve) => this.waiters.push({ gen, resolve }));
    if (!this.loading) void this.loadUntilCurrent();
    return done;
  }

  private async loadUntilCurrent(): Promise<void> {
    this.loading = true;
    try {
      while (this.completed < this.requested) {
        const gen = this.requested; // this load serves every request made so far
        try {
          await this.reload();
        } catch (err) {
          log().error(`${this.name} view: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`); // a bug: keep the last view
        }
        this.completed = gen;
        this.waiters = this.waiters.filter((w) => (w.gen <= gen ? (w.resolve(), false) : true));
      }
    } finally {
      this.loading = false;
    }
  }

  private async reload(): Promise<void> {
    const next = await this.loadShown();
    const first = this.shown === undefined;
    if (!first && sameTree(this.shown!, next)) return; // nothing changed: no refresh, every row stays resolvable
    this.shown = next;
    this.last = next.filter((n) => n.kind !== 'message');
    this.index(next);
    if (first) return; // VS Code has not shown the view yet, or awaits this load in getChildren
    this.rootPending = true;
    this.changed.fire(undefined);
  }

  /** The top-level nodes to show: the filtered models, or one message node. Never throws. */
  private async loadShown(): Promise<NodeModel[]> {
    let loaded: NodeModel[];
    const started = Date.now();
    try {
      loaded = await this.load();
    } catch (err) {
      // once per change: the views retry every few seconds while a local engine is down
      const text = describeError(err);
      if (text !== this.lastError) log().warn(`${this.name} view: ${text}`);
      this.lastError = text;
      if (this.health?.failed(err)) return [];
      return [unreachableNode(describeError(err), CommandIds.engineRetry)];
    }
    this.lastError = undefined;
    // how long a person waited for the view's first rows, for "why is it slow" questions
    if (!this.listedOnce) log().info(`${this.name} view: first listing in ${Date.now() - started} ms (${loaded.length} top-level rows)`);
    this.listedOnce = true;
    this.health?.loaded();
    const shown = applyQuery(loaded, this.query);
    if (shown.length === 0 && this.filter) return [noMatchNode(this.filter, this.clearFilterCommand)];
    return shown;
  }

  private index(nodes: readonly NodeModel[]): void {
    this.parents = new Map();
    const walk = (level: readonly NodeModel[], p?: NodeModel) => {
      for (const n of level) {
        if (p) this.parents.set(n.id, p);
        walk(n.children ?? [], n);
      }
    };
    walk(nodes);
  }

  get filter(): string {
    return this.query.filter ?? '';
  }

  get sort(): SortKey {
    return this.query.sort ?? 'name';
  }

  /** Sets the filter and/or sort; resolves when the view shows the result. */
  setQuery(q: ViewQuery): Promise<void> {
    this.query = { ...this.query, ...q };
    this.queryChanged.fire();
    return this.update();
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
    return this.parents.get(m.id) ?? this.lazyParents.get(m.id);
  }

  /** parents of the children of lazy nodes (by child id), kept apart from `parents`, which each load rebuilds */
  private readonly lazyParents = new Map<string, NodeModel>();

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
    if (parent?.lazy && this.lazyChildren) {
      const key = JSON.stringify([parent.kind, parent.file ?? null]);
      const cached = this.lazyCache.get(parent.id);
      if (cached && cached.key === key && Date.now() - cached.at < this.lazyMaxAgeMs) return cached.children;
      const children = await this.lazyChildren(parent);
      for (const c of children) this.lazyParents.set(c.id, parent);
      this.lazyCache.set(parent.id, { key, at: Date.now(), children });
      return children;
    }
    if (parent) return parent.children ?? [];
    // VS Code fetching the root after our root refresh: the list is ready, hand it over at once
    // (the extension host resolves no row until it has it). Any other call loads afresh.
    if (this.shown && this.rootPending) {
      this.rootPending = false;
      return this.shown;
    }
    await this.update();
    return this.shown ?? [];
  }

  dispose(): void {
    this.changed.dispose();
    this.queryChanged.dispose();
  }
}
