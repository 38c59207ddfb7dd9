/**
 * What every command gets: the engine session, the views to refresh, read-only documents.
 * This room sits below the features, so the views and services a feature owns (the Engines,
 * Runs, Swarm and Registries views, the container file system, the walkthrough) appear here as
 * the small interfaces commands use; activate() passes the feature's own objects.
 */
import type * as vscode from 'vscode';
import type { EngineSession } from '../base/session';
import type { NodeTreeProvider } from './nodeTreeProvider';
import type { RefreshManager } from './refresh';
import type { ReadonlyDocs } from '../base/readonlyDocs';
import type { NodeModel } from '../../core/tree/models';
import type { ProfileStore } from './profileStore';
import type { RegistryCredentialStore } from './credentialStore';
import type { TransferOutput } from './transferOutput';
import type { registryEntries } from '../../core/registry/tree';
import type { AppMonitor } from '../../core/apps/monitor';
import type { RunHistory } from './runHistory';

/** A view whose rows a command reloads after it changed something. */
export interface RefreshableView {
  refresh(): void;
}

/** What the registry commands share (src/ui/registries/services.ts makes it). */
export interface RegistryAccess {
  readonly credentials: RegistryCredentialStore;
  /** the push/pull output channel */
  readonly output: TransferOutput;
  /** the Registries view: its registries now (setting, Docker config, logged in, Docker Hub) */
  readonly view: RefreshableView & { entries(): ReturnType<typeof registryEntries> };
  /** references pulled or pushed lately, newest first */
  recent(): string[];
  remember(reference: string): Promise<void>;
}

export interface CommandContext {
  readonly extension: vscode.ExtensionContext;
  readonly session: EngineSession;
  readonly views: { readonly images: NodeTreeProvider; readonly containers: NodeTreeProvider; readonly volumes: NodeTreeProvider; readonly networks: NodeTreeProvider };
  readonly treeViews: { readonly volumes: vscode.TreeView<NodeModel> };
  readonly refresh: RefreshManager;
  readonly docs: ReadonlyDocs;
  readonly profiles: ProfileStore;
  /** credentials, the Registries view, the push/pull output */
  readonly registries: RegistryAccess;
  /** the Engines view */
  readonly engines: RefreshableView;
  /** apps in containers that answered their health check */
  readonly apps: AppMonitor;
  /** sets the walkthrough's context keys after commands */
  readonly walkthrough?: { afterCommand(id: string, result: unknown): Promise<void> };
  /** run records and the runs being followed */
  readonly runs: RunHistory;
  readonly runsView: RefreshableView;
  /** the Swarm view */
  readonly swarm?: RefreshableView;
  /** the `mllab-container:` file system (a container's files in the editor) */
  readonly files?: { announce(events: vscode.FileChangeEvent[]): void };
  /** whether the Images view shows dangling images (toggled by a command, kept in workspace state) */
  showDangling(): boolean;
  setShowDangling(value: boolean): Promise<void>;
}
