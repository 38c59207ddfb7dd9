/** What every command gets: the engine session and the views to refresh. */
import type * as vscode from 'vscode';
import type { EngineSession } from '../session';
import type { NodeTreeProvider } from '../views/nodeTreeProvider';
import type { RefreshManager } from '../views/refresh';

export interface CommandContext {
  readonly extension: vscode.ExtensionContext;
  readonly session: EngineSession;
  readonly views: { readonly images: NodeTreeProvider; readonly containers: NodeTreeProvider };
  readonly refresh: RefreshManager;
}
