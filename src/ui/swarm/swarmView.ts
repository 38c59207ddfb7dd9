/**
 * The Swarm view: shown only while the current engine is a Swarm manager (the
 * context key SWARM_MANAGER_CONTEXT, from `GET /info`: Swarm.LocalNodeState active and
 * ControlAvailable). It lists the nodes and the services with their tasks
 * (src/core/swarm/tree.ts). Task states change without engine events the other views follow,
 * so while the view is visible it polls every `POLL_MS`.
 */
import * as vscode from 'vscode';
import { CommandIds, SWARM_MANAGER_CONTEXT, ViewIds } from '../../core/ids';
import { swarmTree } from '../../core/swarm/tree';
import type { NodeModel } from '../../core/tree/models';
import { NodeTreeProvider } from '../shared/nodeTreeProvider';
import type { EngineSession } from '../base/session';
import { log } from '../base/log';

/** How often the visible view asks for nodes, services and tasks, in ms: a task's state lasts seconds. */
const POLL_MS = 2_000;
/** The manager check asks `GET /info` at most this often when the other views refresh, in ms (someone may run `docker swarm init`). */
const MANAGER_CHECK_MIN_MS = 10_000;

export class SwarmView implements vscode.Disposable {
  readonly provider: NodeTreeProvider;
  private readonly view: vscode.TreeView<NodeModel>;
  private readonly disposables: vscode.Disposable[] = [];
  private poll: NodeJS.Timeout | undefined;
  private managerTimer: NodeJS.Timeout | undefined;
  private lastCheck = 0;
  private manager: boolean | undefined;
  private checking: Promise<boolean> | undefined;

  constructor(private readonly session: EngineSession) {
    this.provider = new NodeTreeProvider(
      'Swarm',
      async () => {
        const engine = this.session.get();
        try {
          const [nodes, services, tasks] = await Promise.all([engine.listNodes(), engine.listServices(), engine.listTasks()]);
          return swarmTree(nodes, services, tasks);
        } catch (err) {
          this.recheck(); // the engine may have left the swarm: the view then hides
          throw err;
        }
      },
      CommandIds.swarmRefresh,
    );
    this.view = vscode.window.createTreeView(ViewIds.swarm, { treeDataProvider: this.provider, showCollapseAll: true });
    this.disposables.push(
      this.provider,
      this.view,
      this.view.onDidChangeVisibility((e) => this.setPolling(e.visible)),
      session.onDidChange(() => void this.checkManager()),
    );
    // Off the activation path: the first engine call loads dockerode.
    this.managerTimer = setTimeout(() => void this.checkManager(), 1_500);
  }

  /**
   * Asks again whether the engine is a manager, at most every MANAGER_CHECK_MIN_MS: called when
   * the other views refresh (engine events, their fallback poll), so it runs only while the
   * sidebar is in use.
   */
  recheck(): void {
    if (Date.now() - this.lastCheck >= MANAGER_CHECK_MIN_MS) void this.checkManager();
  }

  /** Whether the current engine is a swarm manager (asks `GET /info`); sets the context key the view's `when` reads. */
  checkManager(): Promise<boolean> {
    this.lastCheck = Date.now();
    this.checking ??= (async () => {
      let manager = false;
      try {
        manager = (await this.session.get().info()).swarmManager;
      } catch {
        manager = false; // unreachable: the other views say so
      }
      if (manager !== this.manager) {
        this.manager = manager;
        log().info(manager ? 'The engine is a Swarm manager: the Swarm view is shown.' : 'The engine is not a Swarm manager.');
        await vscode.commands.executeCommand('setContext', SWARM_MANAGER_CONTEXT, manager);
        if (manager) this.provider.refresh();
      }
      return manager;
    })().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  refresh(): void {
    this.provider.refresh();
  }

  private setPolling(visible: boolean): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
    if (!visible) return;
    this.provider.refresh();
    this.poll = setInterval(() => {
      if (this.manager) this.provider.refresh();
    }, POLL_MS);
  }

  dispose(): void {
    if (this.poll) clearInterval(this.poll);
    if (this.managerTimer) clearTimeout(this.managerTimer);
    for (const d of this.disposables) d.dispose();
  }
}
