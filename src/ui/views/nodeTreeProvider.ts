/**
 * A TreeDataProvider over plain node models (src/core/tree). It loads the models through a
 * loader function, shows one message node (with Retry) when the loader fails, and turns each
 * model into a TreeItem in one place.
 */
import * as vscode from 'vscode';
import { unreachableNode, type NodeModel } from '../../core/tree/models';
import { CommandIds } from '../../core/ids';
import { describeError } from '../session';
import { log } from '../log';

export function toTreeItem(m: NodeModel): vscode.TreeItem {
  const item = new vscode.TreeItem(m.label, vscode.TreeItemCollapsibleState.None);
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
  /** the models of the last successful load, for commands and tests */
  private last: NodeModel[] = [];

  constructor(
    private readonly name: string,
    private readonly load: () => Promise<NodeModel[]>,
  ) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** The models last shown (empty before the first load). */
  current(): readonly NodeModel[] {
    return this.last;
  }

  getTreeItem(m: NodeModel): vscode.TreeItem {
    return toTreeItem(m);
  }

  async getChildren(parent?: NodeModel): Promise<NodeModel[]> {
    if (parent) return [];
    try {
      this.last = await this.load();
      return this.last;
    } catch (err) {
      log().warn(`${this.name} view: ${describeError(err)}`);
      this.last = [];
      return [unreachableNode(describeError(err), CommandIds.engineRetry)];
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
