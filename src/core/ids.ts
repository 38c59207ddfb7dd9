/**
 * Every command, view and setting id the extension contributes, in one place.
 * A unit test compares this module with `package.json` `contributes`, so the two cannot drift.
 * Naming: commands `mlLab.<noun>.<verb>`, views `mlLab.views.<noun>`, settings `mlLab.*`.
 */
export const CommandIds = {
  imageBuild: 'mlLab.image.build',
  imageRemove: 'mlLab.image.remove',
  imagesRefresh: 'mlLab.images.refresh',
  containerRun: 'mlLab.container.run',
  containerStart: 'mlLab.container.start',
  containerStop: 'mlLab.container.stop',
  containerRemove: 'mlLab.container.remove',
  containerLogs: 'mlLab.container.logs',
  containersRefresh: 'mlLab.containers.refresh',
  engineRetry: 'mlLab.engine.retry',
  logShow: 'mlLab.log.show',
} as const;
export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];

export const ViewIds = {
  container: 'mlLab',
  images: 'mlLab.views.images',
  containers: 'mlLab.views.containers',
} as const;

export const SettingIds = {
  dockerHost: 'mlLab.engine.dockerHost',
  engineTimeoutMs: 'mlLab.engine.timeoutMs',
  buildArgs: 'mlLab.build.args',
  runLabels: 'mlLab.run.labels',
  runBindAddress: 'mlLab.run.bindAddress',
} as const;

/** Label put on every container and image the extension creates: `org.mllab.created-by=ml-container-lab`. */
export const CREATED_BY_LABEL = 'org.mllab.created-by';
export const CREATED_BY_VALUE = 'ml-container-lab';
