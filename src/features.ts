/**
 * What activation does not need for the first frame: the command implementations and the task,
 * debug and editing providers. The build bundles this file as dist/features.js, which
 * src/extension.ts `require`s on first use (a command, a task or debug question, a Dockerfile
 * opened). Modules that dist/extension.js already holds with state (the engine session, the log,
 * the stores, the error classes) are not copied in here: the build makes this bundle use the ones
 * in dist/extension.js (scripts/lib/sharedBundle.mjs), so each exists once.
 */
export { registerCommands } from './ui/commands/registry';
export { ProfileTaskProvider } from './ui/profiles/taskProvider';
export { debugTypeParts } from './ui/debug/provider';
export { registerLanguageFeatures } from './ui/language/index';
