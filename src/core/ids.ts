/**
 * Every command, view and setting id the extension contributes, in one place.
 * A unit test compares this module with `package.json` `contributes`, so the two cannot drift.
 * Naming: commands `mlLab.<noun>.<verb>`, views `mlLab.views.<noun>`, settings `mlLab.*`.
 */
export const CommandIds = {
  imageBuild: 'mlLab.image.build',
  imageRemove: 'mlLab.image.remove',
  imageInspect: 'mlLab.image.inspect',
  imageHistory: 'mlLab.image.history',
  imageTag: 'mlLab.image.tag',
  imageCopyTag: 'mlLab.image.copyTag',
  imagesRefresh: 'mlLab.images.refresh',
  imagesFilter: 'mlLab.images.filter',
  imagesClearFilter: 'mlLab.images.clearFilter',
  imagesSort: 'mlLab.images.sort',
  imagesToggleDangling: 'mlLab.images.toggleDangling',
  imagesPrune: 'mlLab.images.prune',
  containerRun: 'mlLab.container.run',
  containerStart: 'mlLab.container.start',
  containerStop: 'mlLab.container.stop',
  containerRestart: 'mlLab.container.restart',
  containerPause: 'mlLab.container.pause',
  containerUnpause: 'mlLab.container.unpause',
  containerRemove: 'mlLab.container.remove',
  containerLogs: 'mlLab.container.logs',
  containerShell: 'mlLab.container.shell',
  containerInspect: 'mlLab.container.inspect',
  containerOpenPort: 'mlLab.container.openPort',
  containerCopyId: 'mlLab.container.copyId',
  containerCopyRunCommand: 'mlLab.container.copyRunCommand',
  containerPublishPort: 'mlLab.container.publishPort',
  containerMountVolume: 'mlLab.container.mountVolume',
  profileRun: 'mlLab.profile.run',
  profileDebug: 'mlLab.profile.debug',
  containerAttachDebugger: 'mlLab.container.attachDebugger',
  profileSave: 'mlLab.profile.save',
  profileCopyCommand: 'mlLab.profile.copyCommand',
  profilesOpen: 'mlLab.profiles.open',
  containersRefresh: 'mlLab.containers.refresh',
  containersFilter: 'mlLab.containers.filter',
  containersClearFilter: 'mlLab.containers.clearFilter',
  containersSort: 'mlLab.containers.sort',
  containersPrune: 'mlLab.containers.prune',
  systemPrune: 'mlLab.system.prune',
  volumeInspect: 'mlLab.volume.inspect',
  volumeRemove: 'mlLab.volume.remove',
  volumesRefresh: 'mlLab.volumes.refresh',
  volumesFilter: 'mlLab.volumes.filter',
  volumesClearFilter: 'mlLab.volumes.clearFilter',
  volumesSort: 'mlLab.volumes.sort',
  volumesPrune: 'mlLab.volumes.prune',
  mountReveal: 'mlLab.mount.reveal',
  requirementsPinFromImage: 'mlLab.requirements.pinFromImage',
  lintFixAll: 'mlLab.lint.fixAll',
  engineRetry: 'mlLab.engine.retry',
  engineStart: 'mlLab.engine.start',
  engineUse: 'mlLab.engine.use',
  engineAdd: 'mlLab.engine.add',
  engineRemove: 'mlLab.engine.remove',
  enginesRefresh: 'mlLab.engines.refresh',
  logShow: 'mlLab.log.show',
  imagePush: 'mlLab.image.push',
  imagePull: 'mlLab.image.pull',
  registryLogin: 'mlLab.registry.login',
  registryLogout: 'mlLab.registry.logout',
  registryAdd: 'mlLab.registry.add',
  registryCopyReference: 'mlLab.registry.copyReference',
  registriesRefresh: 'mlLab.registries.refresh',
  // Compose and networks
  composeUp: 'mlLab.compose.up',
  composeUpBuild: 'mlLab.compose.upBuild',
  composeDown: 'mlLab.compose.down',
  composeBuild: 'mlLab.compose.build',
  composeRestart: 'mlLab.compose.restart',
  composeLogs: 'mlLab.compose.logs',
  composeUpServices: 'mlLab.compose.upServices',
  composeDownServices: 'mlLab.compose.downServices',
  composeExportProfile: 'mlLab.compose.exportProfile',
  networkCreate: 'mlLab.network.create',
  networkInspect: 'mlLab.network.inspect',
  networkRemove: 'mlLab.network.remove',
  networksRefresh: 'mlLab.networks.refresh',
  networksPrune: 'mlLab.networks.prune',
  containerConnectNetwork: 'mlLab.container.connectNetwork',
  containerDisconnectNetwork: 'mlLab.container.disconnectNetwork',
  // apps in containers, a first lab
  labNew: 'mlLab.lab.new',
  appCopyJupyterUrl: 'mlLab.app.copyJupyterUrl',
  // training runs
  runOpen: 'mlLab.run.open',
  runRerun: 'mlLab.run.rerun',
  runOpenArtifacts: 'mlLab.run.openArtifacts',
  runCopyCommand: 'mlLab.run.copyCommand',
  runDelete: 'mlLab.run.delete',
  runsCompare: 'mlLab.runs.compare',
  runsExport: 'mlLab.runs.export',
  runsRefresh: 'mlLab.runs.refresh',
  containerOpenTrainingRun: 'mlLab.container.openTrainingRun',
  // Swarm
  profileRunOnSwarm: 'mlLab.profile.runOnSwarm',
  swarmRefresh: 'mlLab.swarm.refresh',
  serviceLogs: 'mlLab.service.logs',
  serviceRemove: 'mlLab.service.remove',
  nodeLabel: 'mlLab.node.label',
  swarmTaskDownloadArtifacts: 'mlLab.task.downloadArtifacts',
  // Kubernetes export
  profileExportKubernetesJob: 'mlLab.profile.exportKubernetesJob',
  profileCopyKubectlCommand: 'mlLab.profile.copyKubectlCommand',
  // files in and out of containers
  containerUpload: 'mlLab.container.upload',
  containerDownloadArtifacts: 'mlLab.container.downloadArtifacts',
  // port forwards of remote engines
  forwardsShow: 'mlLab.forwards.show',
  // a container's files in the Containers view and the editor
  containerFileOpen: 'mlLab.file.open',
  containerFileRefresh: 'mlLab.file.refresh',
  containerFileDownload: 'mlLab.file.download',
  containerFileDelete: 'mlLab.file.delete',
  containerFileNewFile: 'mlLab.file.newFile',
  containerFileNewFolder: 'mlLab.file.newFolder',
} as const;
export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];

export const ViewIds = {
  container: 'mlLab',
  images: 'mlLab.views.images',
  containers: 'mlLab.views.containers',
  volumes: 'mlLab.views.volumes',
  registries: 'mlLab.views.registries',
  networks: 'mlLab.views.networks',
  engines: 'mlLab.views.engines',
  runs: 'mlLab.views.runs',
  swarm: 'mlLab.views.swarm',
} as const;

export const SettingIds = {
  dockerHost: 'mlLab.engine.dockerHost',
  engineContext: 'mlLab.engine.context',
  engineTimeoutMs: 'mlLab.engine.timeoutMs',
  engineSshMaxSessions: 'mlLab.engine.sshMaxSessions',
  buildArgs: 'mlLab.build.args',
  buildBuilder: 'mlLab.build.builder',
  runLabels: 'mlLab.run.labels',
  runBindAddress: 'mlLab.run.bindAddress',
  preferredShell: 'mlLab.container.shell',
  showDanglingImages: 'mlLab.images.showDangling',
  volumeSizes: 'mlLab.volumes.showSizes',
  lintEnable: 'mlLab.lint.enable',
  profilesFile: 'mlLab.profiles.file',
  lintRules: 'mlLab.lint.rules',
  languageDockerfile: 'mlLab.language.dockerfile',
  languageCompose: 'mlLab.language.compose',
  registries: 'mlLab.registries',
  // training runs
  runsLocation: 'mlLab.runs.location',
  runsMaxTotalMB: 'mlLab.runs.maxTotalMB',
  filesOpenLimitMB: 'mlLab.files.openLimitMB',
} as const;

/** context key set while the current engine is a Swarm manager (the Swarm view's `when`). */
export const SWARM_MANAGER_CONTEXT = 'mlLab.swarm.isManager';

/** Diagnostic `source`: the extension's display name, so our findings can be told apart from other Dockerfile linters'. */
export const DIAGNOSTIC_SOURCE = 'ML Container Lab';

/** Task type of run-profile tasks (`tasks.json`: `{"type": "mllab", "profile": "train"}`). */
export const TASK_TYPE = 'mllab';

/** Image label with the workspace-relative path of the Dockerfile an image was built from (guided run reads it). */
export const DOCKERFILE_LABEL = 'org.mllab.dockerfile';

/** Label put on every container and image the extension creates: `org.mllab.created-by=ml-container-lab`. */
export const CREATED_BY_LABEL = 'org.mllab.created-by';
export const CREATED_BY_VALUE = 'ml-container-lab';

/**
 * the walkthrough "Containerise your first model" (package.json
 * `contributes.walkthroughs`, id `mlLab.firstModel`) and the context keys the extension sets
 * when a step's real event happened; the steps' `completionEvents` name them as `onContext:<key>`.
 */
export const WALKTHROUGH_ID = 'mlLab.firstModel';
export const WalkthroughContexts = {
  /** a workspace folder holds a lab (`.vscode/mllab.yaml`) */
  labOpen: 'mlLab.lab.isOpen',
  /** a Dockerfile was saved */
  dockerfileSaved: 'mlLab.lab.dockerfileSaved',
  /** a lab-guidance finding went away after an edit (quick fix or typing) */
  findingFixed: 'mlLab.lab.findingFixed',
  /** a build finished and the engine has the tagged image */
  imageBuilt: 'mlLab.lab.imageBuilt',
  /** a run started a container with a port binding or a mount at .../artifacts */
  containerRan: 'mlLab.lab.containerRan',
  /** a metrics.json was opened in an editor */
  metricsOpened: 'mlLab.lab.metricsOpened',
} as const;
