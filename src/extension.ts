/**
 * Activation: wiring only. Every disposable goes into context.subscriptions. Nothing here talks
 * to the engine: dockerode loads on the first engine call (a view becoming visible, a command).
 */
import * as vscode from 'vscode';
import { SettingIds, ViewIds, CommandIds, TASK_TYPE } from './core/ids';
import { registerDebugType } from './ui/debug/provider';
import { containerNodes, imageNodes, usage, volumeNodes, type NodeModel } from './core/tree/models';
import { registerCommands } from './ui/commands/registry';
import { ProfileStore } from './ui/shared/profileStore';
import { ProfileTaskProvider } from './ui/profiles/taskProvider';
import { RegistryServices } from './ui/registries/services';
import type { RegistriesProvider } from './ui/registries/registriesProvider';
import type { CommandContext } from './ui/shared/context';
import { EngineSession } from './ui/base/session';
import { EngineHealth } from './ui/engines/engineHealth';
import { NodeTreeProvider } from './ui/shared/nodeTreeProvider';
import { RefreshManager } from './ui/shared/refresh';
import { SharedList, replaceByIds } from './core/tree/sharedList';
import { EngineStatusBar } from './ui/engines/statusBar';
import { ReadonlyDocs } from './ui/base/readonlyDocs';
import { disposeLog, log } from './ui/base/log';
import { registerLanguageFeatures, type EditingApi } from './ui/language/index';
import { networkNodes } from './core/tree/networks';
import { networkUsage } from './core/network/networks';
import { EnginesProvider } from './ui/engines/enginesView';
import { AppMonitor, probeLoopback } from './core/apps/monitor';
import { forwardTargetOf } from './core/forwards';
import { engineIsLocal } from './ui/base/forwards';
import { LabWalkthrough } from './ui/walkthrough/walkthrough';
import { RunHistory } from './ui/shared/runHistory';
import { RunsProvider } from './ui/runs/runsView';
import { registerPanelSerializers } from './ui/runs/trainingRunPanel';
import { SwarmView } from './ui/swarm/swarmView';
import { ContainerFileSystem, registerContainerFileSystem } from './ui/files/fileSystem';
import { filesChildren } from './ui/files/filesTree';

/** What the extension exports: the views' providers, so tests and other extensions can read what the views show. */
export interface MlLabApi {
  readonly images: NodeTreeProvider;
  readonly containers: NodeTreeProvider;
  readonly volumes: NodeTreeProvider;
  /** the Networks view's provider */
  readonly networks: NodeTreeProvider;
  /** the Registries view's provider */
  readonly registries: RegistriesProvider;
  /** text written to the "ML Container Lab: Registry" output channel (tests assert no credential is in it) */
  registryOutput(): string;
  /** the run history: tests read the records */
  readonly runs: RunHistory;
  /** ms spent in activate() */
  readonly activationMs: number;
  /** the Dockerfile and compose editing help: the bench reads check costs, tests that its bundle loads lazily */
  readonly editing: EditingApi;
}

const DANGLING_KEY = 'mlLab.images.showDangling';
/**
 * How long the container list fetched after activation may be shown as the Containers view's
 * first rows, in ms: a person who opens the sidebar soon after the window sees rows at once
 * (refreshed right after); later, the first listing asks the engine as usual.
 */
const FIRST_LIST_MAX_AGE_MS = 30_000;

export function activate(context: vscode.ExtensionContext): MlLabApi {
  const started = Date.now();
  const session = new EngineSession();
  // One container list per refresh for the Containers view, the status bar and "used by" in
  // the Images and Volumes views; every refresh request makes it stale.
  const containerList = new SharedList(() => session.get().listContainers());
  const statusBar = new EngineStatusBar(session);
  // which welcome content the engine views show when the engine cannot be reached
  const health = new EngineHealth(session);
  // Apps in containers: health checks run in the background; the view lists from
  // the monitor's cache and refreshes once more when an app becomes ready.
  const apps = new AppMonitor({
    // on an ssh:// engine the check goes through one SSH channel to the remote's host port
    probe: (url, timeoutMs) => {
      const engine = session.get();
      if (engine.connection.address.kind !== 'ssh') return probeLoopback(url, timeoutMs);
      const t = forwardTargetOf(url, session.name());
      const u = new URL(url);
      return engine.probeHttp(t.remoteHost, t.remotePort, `${u.pathname}${u.search}`, timeoutMs);
    },
    readLogs: async (id) => {
      let text = '';
      await session.get().logs(id, (t) => (text += t), { follow: false, tail: 500 });
      return text;
    },
    onChange: () => containers.refresh(),
    log: (line) => log().info(line),
  });
  // App rows need a health check: from here for a local engine, through SSH for an ssh:// one;
  // a tcp:// engine on another host has none (its checks would leave the machine).
  const appsChecked = () => engineIsLocal(session) || session.get().connection.address.kind === 'ssh';
  const showDangling = () =>
    context.workspaceState.get<boolean>(DANGLING_KEY) ?? vscode.workspace.getConfiguration().get<boolean>(SettingIds.showDanglingImages) ?? false;

  const containers = new NodeTreeProvider(
    'Containers',
    async () => {
      try {
        const list = await containerList.get();
        void statusBar.update(list);
        return containerNodes(list, appsChecked() ? apps.ready(list) : undefined);
      } catch (err) {
        void statusBar.update(undefined, err);
        throw err;
      }
    },
    CommandIds.containersClearFilter,
    undefined,
    [containerList],
    filesChildren(session),
    health,
  );
  // a container's files in the editor (mllab-container: URIs)
  const containerFiles = new ContainerFileSystem(session);
  context.subscriptions.push(containerFiles, registerContainerFileSystem(containerFiles));
  const images = new NodeTreeProvider(
    'Images',
    async () => {
      const [list, used] = await Promise.all([session.get().listImages(), containerList.get()]);
      return imageNodes(list, Date.now(), { showDangling: showDangling(), usedBy: usage(used).images });
    },
    CommandIds.imagesClearFilter,
    async (m) => {
      if (m.kind !== 'image' || !m.ref) return undefined;
      const d = await session.get().inspectImage(m.ref);
      return `Architecture: ${d.os}/${d.architecture}`;
    },
    [containerList],
    undefined,
    health,
  );
  // GET /system/df measures every volume (du on data sets and checkpoints): asked at most every
  // 30 s, not on every event burst; between, the last sizes are shown.
  const volumeSizesMaxAgeMs = 30_000;
  let volumeSizes: { at: number; byName: Map<string, number | undefined> } | undefined;
  const volumes = new NodeTreeProvider(
    'Volumes',
    async () => {
      const withSizes = vscode.workspace.getConfiguration().get<boolean>(SettingIds.volumeSizes) ?? true;
      const fresh = withSizes && (!volumeSizes || Date.now() - volumeSizes.at > volumeSizesMaxAgeMs);
      const [list, used] = await Promise.all([session.get().listVolumes({ withSizes: fresh }), containerList.get()]);
      if (fresh) volumeSizes = { at: Date.now(), byName: new Map(list.map((v) => [v.name, v.size])) };
      const known = withSizes && volumeSizes ? list.map((v) => ({ ...v, size: v.size ?? volumeSizes!.byName.get(v.name) })) : list;
      return volumeNodes(known, usage(used).volumes, Date.now());
    },
    CommandIds.volumesClearFilter,
    undefined,
    [containerList],
    undefined,
    health,
  );
  // Networks view: attached containers come from the shared container list.
  const networks = new NodeTreeProvider(
    'Networks',
    async () => {
      const [list, used] = await Promise.all([session.get().listNetworks(), containerList.get()]);
      return networkNodes(list, networkUsage(used), Date.now());
    },
    CommandIds.networksRefresh,
    undefined,
    [containerList],
    undefined,
    health,
  );
  // Swarm: the view appears while the engine is a swarm manager
  const swarmView = new SwarmView(session);
  context.subscriptions.push(swarmView);
  const refresh = new RefreshManager(session, (changed) => {
    // A burst of container events: the container list is the last one with just those containers
    // asked again (milliseconds for the engine, where the full list of a few hundred takes
    // 100-300 ms on a busy machine); the fallback poll and every other refresh list everything.
    const patched = !!changed && containerList.patch(async (last) =>
      replaceByIds(last, changed.containers, await session.get().listContainers({ ids: changed.containers })));
    for (const view of [images, containers, volumes, networks]) {
      if (patched) void view.update();
      else view.refresh();
    }
    swarmView.recheck(); // the Swarm view follows `docker swarm init`/`leave`
  });
  const docs = new ReadonlyDocs();
  const walkthrough = new LabWalkthrough(session);
  context.subscriptions.push(session, statusBar, health, images, containers, volumes, networks, refresh, docs, apps, walkthrough);

  const treeViews = {} as Record<'images' | 'containers' | 'volumes' | 'networks', vscode.TreeView<NodeModel>>;
  for (const [key, id, provider] of [
    ['images', ViewIds.images, images],
    ['containers', ViewIds.containers, containers],
    ['volumes', ViewIds.volumes, volumes],
    ['networks', ViewIds.networks, networks],
  ] as const) {
    // Several rows at once: start, stop, restart and remove act on every selected row (src/core/bulk.ts).
    const view = vscode.window.createTreeView(id, { treeDataProvider: provider, showCollapseAll: key !== 'volumes' && key !== 'networks', canSelectMany: true });
    treeViews[key] = view;
    context.subscriptions.push(
      view,
      view.onDidChangeVisibility((e) => refresh.setVisible(id, e.visible)),
      provider.onDidChangeQuery(() => (view.description = provider.describeQuery() || undefined)),
    );
    if (view.visible) refresh.setVisible(id, true);
  }
  void vscode.commands.executeCommand('setContext', DANGLING_KEY, showDangling());

  const profiles = new ProfileStore();
  context.subscriptions.push(profiles);
  const registries = new RegistryServices(context);
  context.subscriptions.push(
    registries,
    vscode.window.createTreeView(ViewIds.registries, { treeDataProvider: registries.view, showCollapseAll: true }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SettingIds.registries)) registries.view.refresh();
    }),
  );
  const engines = new EnginesProvider();
  context.subscriptions.push(
    engines,
    vscode.window.createTreeView(ViewIds.engines, { treeDataProvider: engines }),
    session.onDidChange(() => engines.refresh()),
  );
  // training runs: the history, the Runs view, the panels' reload
  const runHistory = new RunHistory(context, session);
  const runsView = new RunsProvider(runHistory);
  context.subscriptions.push(
    runHistory,
    runsView,
    vscode.window.createTreeView(ViewIds.runs, { treeDataProvider: runsView, canSelectMany: true }),
    ...registerPanelSerializers(runHistory, session, context.extensionUri),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mlLab.runs')) runsView.refresh();
    }),
  );
  // runs that were being recorded when the window reloaded: follow them again, off the activation path
  const resume = setTimeout(() => void runHistory.resumeUnfinished().catch((err: unknown) => log().warn(`Could not resume run records: ${String(err)}`)), 2000);
  context.subscriptions.push({ dispose: () => clearTimeout(resume) });
  const commandContext: CommandContext = {
    extension: context,
    session,
    views: { images, containers, volumes, networks },
    treeViews,
    refresh,
    docs,
    profiles,
    registries,
    engines,
    apps,
    walkthrough,
    runs: runHistory,
    runsView,
    swarm: swarmView,
    files: containerFiles,
    showDangling,
    setShowDangling: async (value) => {
      await context.workspaceState.update(DANGLING_KEY, value);
      await vscode.commands.executeCommand('setContext', DANGLING_KEY, value);
    },
  };
  context.subscriptions.push(
    ...registerCommands(commandContext),
    vscode.tasks.registerTaskProvider(TASK_TYPE, new ProfileTaskProvider(commandContext)),
    ...registerDebugType(commandContext),
  );
  const language = registerLanguageFeatures(context, {
    listImages: () => session.get().listImages(),
    inspectImage: (ref) => session.get().inspectImage(ref),
    credentials: (registry) => registries.credentials.lookup(registry),
  });
  context.subscriptions.push(...language.disposables);
  context.subscriptions.push({ dispose: disposeLog });
  // Off the activation path, before anyone opens the sidebar: load dockerode, make the client and,
  // for an engine on a local socket (no SSH connection, no host-key question), fetch the container
  // list the Containers view shows first. The view shows it at once if opened within
  // FIRST_LIST_MAX_AGE_MS, and its first refresh replaces it right after.
  const warm = setTimeout(() => {
    try {
      const engine = session.get();
      engine.warm();
      if (engine.connection.address.kind === 'socket') containerList.prefetch(FIRST_LIST_MAX_AGE_MS);
    } catch {
      // malformed connection settings: the views say so when they load
    }
  }, 0);
  context.subscriptions.push({ dispose: () => clearTimeout(warm) });
  const activationMs = Date.now() - started;
  log().info(`ML Container Lab activated in ${activationMs} ms`);
  return { images, containers, volumes, networks, registries: registries.view, registryOutput: () => registries.output.text(), runs: runHistory, activationMs, editing: language.api };
}

export function deactivate(): void {
  // everything is in context.subscriptions
}
