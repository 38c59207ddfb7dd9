/**
 * The one command registry: a flat list of command id -> handler. Every handler is wrapped so
 * that an error is logged and shown once, with "Open Log" (and "Retry" when the engine could
 * not be reached), and never escapes as an unhandled rejection.
 */
import * as vscode from 'vscode';
import { CommandIds, type CommandId } from '../../core/ids';
import { UserError } from '../../core/errors';
import { lostRowMessage, rowOnlyCommands, rowWasLost } from '../../core/rowCommands';
import type { CommandContext } from '../shared/context';
import { log } from '../base/log';
import { describeError, isUnreachable } from '../base/session';
import { buildImage } from '../images/buildImage';
import { removeImage } from '../images/removeImage';
import { copyImageTag, tagImage } from '../images/tagImage';
import { runContainer } from '../containers/runContainer';
import {
  copyContainerId,
  pauseContainer,
  removeContainer,
  restartContainer,
  startContainer,
  stopContainer,
  unpauseContainer,
} from '../containers/containerState';
import { viewContainerLogs } from '../containers/viewLogs';
import { openContainerShell } from '../containers/shell';
import { openContainerPort } from '../containers/openPort';
import { imageHistory, inspectContainer, inspectImage, inspectVolume } from '../views/inspect';
import { removeVolume, revealMount } from '../volumes/volumes';
import { clearViewFilter, filterView, sortView, toggleDangling } from '../views/viewQuery';
import { pruneContainers, pruneImages, pruneSystem, pruneVolumes } from '../views/prune';
import { copyRunCommand, mountVolume, publishPort } from '../containers/changeContainer';
import { copyProfileCommand, openProfiles, runProfile, saveAsProfile } from '../profiles/profiles';
import { fixAllLabGuidance } from '../language/fixAll';
import { pinRequirementsFromImage } from '../language/pinFromImage';
import { pushImage } from '../registries/commands/pushImage';
import { pullImage } from '../registries/commands/pullImage';
import { loginToRegistry, logoutOfRegistry } from '../registries/commands/login';
import { addRegistry, copyRegistryReference } from '../registries/commands/manage';
import { composeDown, composeServices, composeSimple, composeUp, exportProfileAsService } from '../compose/compose';
import { connectContainerToNetwork, createNetwork, disconnectContainerFromNetwork, inspectNetwork, removeNetwork } from '../networks/networks';
import { pruneNetworks } from '../views/prune';
import { addEngine, removeEngine, useEngine } from '../engines/engines';
import { startEngine } from '../engines/startEngine';
import { showPortForwards } from '../base/forwards';
import { newLab } from '../walkthrough/newLab';
import { copyJupyterServerUrl } from '../containers/copyJupyterUrl';
import * as runs from '../runs/commands';
import * as swarm from '../swarm/swarm';
import { downloadTaskArtifacts } from '../swarm/taskArtifacts';
import { copyProfileAsKubectlCommand, exportProfileAsKubernetesJob } from '../profiles/kubernetes';
import { downloadArtifacts, uploadToContainer } from '../shared/transfer';
import { attachDebugger, debugProfile } from '../debug/commands';
import * as files from '../files/commands';

type Handler = (ctx: CommandContext, ...args: unknown[]) => unknown;

const handlers: Record<CommandId, Handler> = {
  [CommandIds.imageBuild]: (ctx, arg) => buildImage(ctx, arg),
  [CommandIds.imageRemove]: (ctx, arg, selected) => removeImage(ctx, arg, selected),
  [CommandIds.imageInspect]: (ctx, arg) => inspectImage(ctx, arg),
  [CommandIds.imageHistory]: (ctx, arg) => imageHistory(ctx, arg),
  [CommandIds.imageTag]: (ctx, arg) => tagImage(ctx, arg),
  [CommandIds.imageCopyTag]: (ctx, arg) => copyImageTag(ctx, arg),
  [CommandIds.imagesRefresh]: (ctx) => ctx.views.images.refresh(),
  [CommandIds.imagesFilter]: filterView('images'),
  [CommandIds.imagesClearFilter]: clearViewFilter('images'),
  [CommandIds.imagesSort]: sortView('images'),
  [CommandIds.imagesToggleDangling]: (ctx) => toggleDangling(ctx),
  [CommandIds.imagesPrune]: (ctx) => pruneImages(ctx),
  [CommandIds.containerRun]: (ctx, arg) => runContainer(ctx, arg),
  [CommandIds.containerStart]: startContainer,
  [CommandIds.containerStop]: stopContainer,
  [CommandIds.containerRestart]: restartContainer,
  [CommandIds.containerPause]: pauseContainer,
  [CommandIds.containerUnpause]: unpauseContainer,
  [CommandIds.containerRemove]: (ctx, arg, selected) => removeContainer(ctx, arg, selected),
  [CommandIds.containerLogs]: (ctx, arg) => viewContainerLogs(ctx, arg),
  [CommandIds.containerShell]: (ctx, arg) => openContainerShell(ctx, arg),
  [CommandIds.containerInspect]: (ctx, arg) => inspectContainer(ctx, arg),
  [CommandIds.containerOpenPort]: (ctx, arg) => openContainerPort(ctx, arg),
  [CommandIds.containerCopyId]: (ctx, arg) => copyContainerId(ctx, arg),
  [CommandIds.containerCopyRunCommand]: (ctx, arg) => copyRunCommand(ctx, arg),
  [CommandIds.containerPublishPort]: (ctx, arg) => publishPort(ctx, arg),
  [CommandIds.containerMountVolume]: (ctx, arg) => mountVolume(ctx, arg),
  [CommandIds.profileRun]: (ctx, arg) => runProfile(ctx, arg),
  [CommandIds.profileDebug]: (ctx, arg) => debugProfile(ctx, arg),
  [CommandIds.containerAttachDebugger]: (ctx, arg) => attachDebugger(ctx, arg),
  [CommandIds.profileSave]: (ctx, arg) => saveAsProfile(ctx, arg),
  [CommandIds.profileCopyCommand]: (ctx, arg) => copyProfileCommand(ctx, arg),
  [CommandIds.profilesOpen]: (ctx) => openProfiles(ctx),
  [CommandIds.containersRefresh]: (ctx) => ctx.views.containers.refresh(),
  [CommandIds.containersFilter]: filterView('containers'),
  [CommandIds.containersClearFilter]: clearViewFilter('containers'),
  [CommandIds.containersSort]: sortView('containers'),
  [CommandIds.containersPrune]: (ctx) => pruneContainers(ctx),
  [CommandIds.systemPrune]: (ctx, arg) => pruneSystem(ctx, arg),
  [CommandIds.volumeInspect]: (ctx, arg) => inspectVolume(ctx, arg),
  [CommandIds.volumeRemove]: (ctx, arg, selected) => removeVolume(ctx, arg, selected),
  [CommandIds.volumesRefresh]: (ctx) => ctx.views.volumes.refresh(),
  [CommandIds.volumesFilter]: filterView('volumes'),
  [CommandIds.volumesClearFilter]: clearViewFilter('volumes'),
  [CommandIds.volumesSort]: sortView('volumes'),
  [CommandIds.volumesPrune]: (ctx) => pruneVolumes(ctx),
  [CommandIds.mountReveal]: (ctx, arg) => revealMount(ctx, arg),
  [CommandIds.requirementsPinFromImage]: (ctx, arg) => pinRequirementsFromImage(ctx, arg),
  [CommandIds.lintFixAll]: (ctx, arg) => fixAllLabGuidance(ctx, arg),
  [CommandIds.engineRetry]: (ctx) => ctx.session.reset(),
  [CommandIds.engineStart]: () => startEngine(),
  [CommandIds.engineUse]: (ctx, arg) => useEngine(ctx, arg),
  [CommandIds.engineAdd]: (ctx) => addEngine(ctx),
  [CommandIds.engineRemove]: (ctx, arg) => removeEngine(ctx, arg),
  [CommandIds.enginesRefresh]: (ctx) => ctx.engines.refresh(),
  [CommandIds.forwardsShow]: (ctx) => showPortForwards(ctx.session),
  [CommandIds.logShow]: () => log().show(),
  [CommandIds.imagePush]: (ctx, arg) => pushImage(ctx, arg),
  [CommandIds.imagePull]: (ctx, arg) => pullImage(ctx, arg),
  [CommandIds.registryLogin]: (ctx, arg) => loginToRegistry(ctx, arg),
  [CommandIds.registryLogout]: (ctx, arg) => logoutOfRegistry(ctx, arg),
  [CommandIds.registryAdd]: (ctx, arg) => addRegistry(ctx, arg),
  [CommandIds.registryCopyReference]: (ctx, arg) => copyRegistryReference(ctx, arg),
  [CommandIds.registriesRefresh]: (ctx) => ctx.registries.view.refresh(),
  // Compose and networks; explorer menus pass (clicked uri, selected uris)
  [CommandIds.composeUp]: (ctx, arg, extra) => composeUp(ctx, arg, extra, false),
  [CommandIds.composeUpBuild]: (ctx, arg, extra) => composeUp(ctx, arg, extra, true),
  [CommandIds.composeDown]: (ctx, arg, extra) => composeDown(ctx, arg, extra),
  [CommandIds.composeBuild]: (ctx, arg, extra) => composeSimple(ctx, arg, extra, 'build'),
  [CommandIds.composeRestart]: (ctx, arg, extra) => composeSimple(ctx, arg, extra, 'restart'),
  [CommandIds.composeLogs]: (ctx, arg, extra) => composeSimple(ctx, arg, extra, 'logs'),
  [CommandIds.composeUpServices]: (ctx, arg, extra) => composeServices(ctx, arg, extra, true),
  [CommandIds.composeDownServices]: (ctx, arg, extra) => composeServices(ctx, arg, extra, false),
  [CommandIds.composeExportProfile]: (ctx, arg) => exportProfileAsService(ctx, arg),
  [CommandIds.networkCreate]: (ctx, arg) => createNetwork(ctx, arg),
  [CommandIds.networkInspect]: (ctx, arg) => inspectNetwork(ctx, arg),
  [CommandIds.networkRemove]: (ctx, arg, selected) => removeNetwork(ctx, arg, selected),
  [CommandIds.networksRefresh]: (ctx) => ctx.views.networks.refresh(),
  [CommandIds.networksPrune]: (ctx) => pruneNetworks(ctx),
  [CommandIds.containerConnectNetwork]: (ctx, arg) => connectContainerToNetwork(ctx, arg),
  [CommandIds.containerDisconnectNetwork]: (ctx, arg) => disconnectContainerFromNetwork(ctx, arg),
  [CommandIds.labNew]: (ctx, arg) => newLab(ctx, arg),
  [CommandIds.appCopyJupyterUrl]: (ctx, arg) => copyJupyterServerUrl(ctx, arg),
  // training runs
  [CommandIds.runOpen]: (ctx, arg) => runs.openTrainingRun(ctx, arg),
  [CommandIds.runRerun]: (ctx, arg) => runs.rerun(ctx, arg),
  [CommandIds.runOpenArtifacts]: (ctx, arg) => runs.openArtifacts(ctx, arg),
  [CommandIds.runCopyCommand]: (ctx, arg) => runs.copyRunAsCommand(ctx, arg),
  [CommandIds.runDelete]: (ctx, arg, selected) => runs.deleteRuns(ctx, arg, selected),
  [CommandIds.runsCompare]: (ctx, arg, selected) => runs.compareRuns(ctx, arg, selected),
  [CommandIds.runsExport]: (ctx, arg, selected) => runs.exportRuns(ctx, arg, selected),
  [CommandIds.runsRefresh]: (ctx) => ctx.runsView.refresh(),
  [CommandIds.containerOpenTrainingRun]: (ctx, arg) => runs.openContainerTrainingRun(ctx, arg),
  // Swarm
  [CommandIds.profileRunOnSwarm]: (ctx, arg) => swarm.runProfileOnSwarm(ctx, arg),
  [CommandIds.swarmRefresh]: (ctx) => ctx.swarm?.refresh(),
  [CommandIds.serviceLogs]: (ctx, arg) => swarm.viewServiceLogs(ctx, arg),
  [CommandIds.serviceRemove]: (ctx, arg) => swarm.removeService(ctx, arg),
  [CommandIds.nodeLabel]: (ctx, arg) => swarm.labelNode(ctx, arg),
  [CommandIds.swarmTaskDownloadArtifacts]: (ctx, arg) => downloadTaskArtifacts(ctx, arg),
  // Kubernetes export
  [CommandIds.profileExportKubernetesJob]: (ctx, arg) => exportProfileAsKubernetesJob(ctx, arg),
  [CommandIds.profileCopyKubectlCommand]: (ctx, arg) => copyProfileAsKubectlCommand(ctx, arg),
  // files in and out of containers
  [CommandIds.containerUpload]: (ctx, arg) => uploadToContainer(ctx, arg),
  [CommandIds.containerDownloadArtifacts]: (ctx, arg) => downloadArtifacts(ctx, arg),
  // a container's files (the Files rows of the Containers view)
  [CommandIds.containerFileOpen]: (ctx, arg) => files.openContainerFile(ctx, arg),
  [CommandIds.containerFileRefresh]: (ctx, arg) => files.refreshContainerFiles(ctx, arg),
  [CommandIds.containerFileDownload]: (ctx, arg) => files.downloadContainerFile(ctx, arg),
  [CommandIds.containerFileDelete]: (ctx, arg) => files.deleteContainerFile(ctx, arg),
  [CommandIds.containerFileNewFile]: (ctx, arg) => files.newContainerFile(ctx, arg),
  [CommandIds.containerFileNewFolder]: (ctx, arg) => files.newContainerFolder(ctx, arg),
};

/** The ids this registry registers (a unit test compares them with package.json). */
export const registeredCommandIds: readonly string[] = Object.keys(handlers);

/** Shows an error once: the message, its hint, and actions that help. */
export async function showError(err: unknown): Promise<void> {
  const message = describeError(err);
  if (err instanceof UserError) log().warn(message);
  else log().error(err instanceof Error ? (err.stack ?? message) : message);
  const actions = isUnreachable(err) ? ['Retry', 'Open Log'] : ['Open Log'];
  const choice = await vscode.window.showErrorMessage(message, ...actions);
  if (choice === 'Open Log') log().show();
  if (choice === 'Retry') await vscode.commands.executeCommand(CommandIds.engineRetry);
}

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const pkg = ctx.extension.extension.packageJSON as { contributes?: { menus?: Record<string, Array<{ command: string }>> } };
  const rowOnly = rowOnlyCommands(pkg.contributes?.menus ?? {});
  return Object.entries(handlers).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        // Chosen on a row VS Code could no longer find: never fall back to a picker.
        if (rowOnly.has(id) && rowWasLost(args)) {
          const { message, hint } = lostRowMessage(id);
          throw new UserError(message, { hint });
        }
        const result = await handler(ctx, ...args);
        void ctx.walkthrough?.afterCommand(id, result);
        return result;
      } catch (err) {
        void showError(err);
        return undefined;
      }
    }),
  );
}
