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
  profileSave: 'mlLab.profile.save',
  profileCopyCommand: 'mlLab.profile.copyCommand',
  profilesOpen: 'mlLab.profiles.open',
  containersRefresh: 'mlLab.containers.refresh',
  containersFilter: 'mlLab.containers.filter',
  containersClearFilter: 'mlLab.containers.clearFilter',
  containersSort: 'mlLab.containers.sort',
  containersPrune: 'mlLab.containers.prune',
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
  logShow: 'mlLab.log.show',
  imagePush: 'mlLab.image.push',
  imagePull: 'mlLab.image.pull',
  registryLogin: 'mlLab.registry.login',
  registryLogout: 'mlLab.registry.logout',
  registryAdd: 'mlLab.registry.add',
  registryCopyReference: 'mlLab.registry.copyReference',
  registriesRefresh: 'mlLab.registries.refresh',
  // training runs (issue 12)
  runOpen: 'mlLab.run.open',
  runRerun: 'mlLab.run.rerun',
  runOpenArtifacts: 'mlLab.run.openArtifacts',
  runCopyCommand: 'mlLab.run.copyCommand',
  runDelete: 'mlLab.run.delete',
  runsCompare: 'mlLab.runs.compare',
  runsExport: 'mlLab.runs.export',
  runsRefresh: 'mlLab.runs.refresh',
  containerOpenTrainingRun: 'mlLab.container.openTrainingRun',
} as const;
export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];

export const ViewIds = {
  container: 'mlLab',
  images: 'mlLab.views.images',
  containers: 'mlLab.views.containers',
  volumes: 'mlLab.views.volumes',
  registries: 'mlLab.views.registries',
  runs: 'mlLab.views.runs',
} as const;

export const SettingIds = {
  dockerHost: 'mlLab.engine.dockerHost',
  engineTimeoutMs: 'mlLab.engine.timeoutMs',
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
  registries: 'mlLab.registries',
  // training runs (issue 12)
  runsLocation: 'mlLab.runs.location',
  runsMaxTotalMB: 'mlLab.runs.maxTotalMB',
} as const;

/** Task type of run-profile tasks (`tasks.json`: `{"type": "mllab", "profile": "train"}`). */
export const TASK_TYPE = 'mllab';

/** Image label with the workspace-relative path of the Dockerfile an image was built from (guided run reads it). */
export const DOCKERFILE_LABEL = 'org.mllab.dockerfile';

/** Label put on every container and image the extension creates: `org.mllab.created-by=ml-container-lab`. */
export const CREATED_BY_LABEL = 'org.mllab.created-by';
export const CREATED_BY_VALUE = 'ml-container-lab';
