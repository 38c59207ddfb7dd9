/**
 * What activation does not need for the first frame: the command implementations, the task and
 * debug providers, the Dockerfile/compose editing help and the training-run panels. The build
 * bundles this file as dist/features.js, which src/extension.ts `require`s on first use (a
 * command, a task or debug question, a Dockerfile opened, a panel restored). Modules that
 * dist/extension.js already holds (the engine session, the log, the stores, the views) are not
 * copied in here: the build makes this bundle use the ones in dist/extension.js
 * (scripts/lib/sharedBundle.mjs), so each exists once.
 */
export { registerCommands } from './ui/commands/registry';
export { ProfileTaskProvider } from './ui/profiles/taskProvider';
export { debugTypeParts } from './ui/debug/provider';
export { registerLanguageFeatures } from './ui/language/index';
export { registerPanelSerializers } from './ui/panels/trainingRunPanel';
