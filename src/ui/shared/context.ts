/** What every command gets: the engine session, the views to refresh, read-only documents. */
import type * as vscode from 'vscode';
import type { EngineSession } from '../base/session';
import type { NodeTreeProvider } from './nodeTreeProvider';
import type { RefreshManager } from './refresh';
import type { ReadonlyDocs } from '../base/readonlyDocs';
import type { NodeModel } from '../../core/tree/models';
import type { ProfileStore } from './profileStore';
import type { RegistryServices } from '../registries/services';
import type { EnginesProvider } from '../engines/enginesView';
import type { AppMonitor } from '../../core/apps/monitor';
import type { LabWalkthrough } from '../walkthrough/walkthrough';
import type { RunHistory } from './runHistory';
import type { RunsProvider } from '../runs/runsView';
import type { SwarmView } from '../swarm/swarmView';
import type { ContainerFileSystem } from '../files/fileSystem';

export interface CommandContext {
  readonly extension: vscode.ExtensionContext;
  readonly session: EngineSession;
  readonly views: { readonly images: NodeTreeProvider; readonly containers: NodeTreeProvider; readonly volumes: NodeTreeProvider; readonly networks: NodeTreeProvider };
  readonly treeViews: { readonly volumes: vscode.TreeView<NodeModel> };
  readonly refresh: RefreshManager;
  readonly docs: ReadonlyDocs;
  readonly profiles: ProfileStore;
  /** credentials, the Registries view, the push/pull output */
  readonly registries: RegistryServices;
  /** the Engines view */
  readonly engines: EnginesProvider;
  /** apps in containers that answered their health check */
  readonly apps: AppMonitor;
  /** sets the walkthrough's context keys after commands */
  readonly walkthrough?: LabWalkthrough;
  /** run records and the runs being followed */
  readonly runs: RunHistory;
  readonly runsView: RunsProvider;
  /** the Swarm view */
  readonly swarm?: SwarmView;
  /** the `mllab-container:` file system (a container's files in the editor) */
  readonly files?: ContainerFileSystem;
  /** whether the Images view shows dangling images (toggled by a command, kept in workspace state) */
  showDangling(): boolean;
  setShowDangling(value: boolean): Promise<void>;
}
