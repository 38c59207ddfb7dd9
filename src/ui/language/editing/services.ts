/**
 * Loads the editing services bundle (dist/vendor/language.js: dockerfile-language-service,
 * dockerfile-utils and the Compose language service) on first use, never at activation.
 */
import type * as Services from '../../../core/language/services';
import { log } from '../../base/log';

let loaded: typeof Services | undefined;

/** The services; the first call `require`s the bundle (about 400 kB minified) and logs how long it took. */
export function languageServices(): typeof Services {
  if (!loaded) {
    const t0 = performance.now();
    // A run-time require next to dist/extension.js: the build keeps `./vendor/...` out of the main bundle.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require('./vendor/language.js') as typeof Services;
    log().info(`Editing services loaded in ${Math.round(performance.now() - t0)} ms`);
  }
  return loaded;
}

/** Whether the bundle was loaded in this session (tests check that activation alone does not). */
export function languageServicesLoaded(): boolean {
  return loaded !== undefined;
}
