/**
 * Activation: wiring only. Every disposable goes into context.subscriptions. Nothing here talks
 * to the engine: dockerode loads on the first engine call (a view becoming visible, a command).
 */
import * as vscode from 'vscode';
import { ViewIds } from './core/ids';
import { imageNodes, containerNodes, type NodeModel } from './core/tree/models';
import { registerCommands } from './ui/commands/registry';
import { EngineSession } from './ui/session';
import { NodeTreeProvider } from './ui/views/nodeTreeProvider';
import { RefreshManager } from './ui/views/refresh';
import { disposeLog, log } from './ui/log';

/** What the extension exports: the views' providers, so tests and other extensions can read what the views show. */
export interface MlLabApi {
  readonly images: { getChildren(): Promise<NodeModel[]> };
  readonly containers: { getChildren(): Promise<NodeModel[]> };
  /** ms spent in activate() */
  readonly activationMs: number;
}

export function activate(context: vscode.ExtensionContext): MlLabApi {
  const started = Date.now();
  const session = new EngineSession();
  const images = new NodeTreeProvider('Images', async () => imageNodes(await session.get().listImages(), Date.now()));
  const containers = new NodeTreeProvider('Containers', async () => containerNodes(await session.get().listContainers()));
  const refresh = new RefreshManager(session, () => {
    images.refresh();
    containers.refresh();
  });
  context.subscriptions.push(session, images, containers, refresh);

  for (const [id, provider] of [
    [ViewIds.images, images],
    [ViewIds.containers, containers],
  ] as const) {
    const view = vscode.window.createTreeView(id, { treeDataProvider: provider, showCollapseAll: false });
    context.subscriptions.push(
      view,
      view.onDidChangeVisibility((e) => refresh.setVisible(id, e.visible)),
    );
    if (view.visible) refresh.setVisible(id, true);
  }

  context.subscriptions.push(...registerCommands({ extension: context, session, views: { images, containers }, refresh }));
  context.subscriptions.push({ dispose: disposeLog });
  const activationMs = Date.now() - started;
  log().info(`ML Container Lab activated in ${activationMs} ms`);
  return { images, containers, activationMs };
}

export function deactivate(): void {
  // everything is in context.subscriptions
}
