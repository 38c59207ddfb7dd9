/** The failure every registry operation reports when a registry refuses: it names the registry, so the UI can offer "Log In" to exactly that one. */
import { UserError } from '../errors';
import { registryDisplayName } from './reference';

export class RegistryAuthError extends UserError {
  constructor(
    /** normalised registry host (`docker.io`, `127.0.0.1:5000`) */
    readonly registry: string,
    readonly operation: 'push' | 'pull' | 'list',
    /** what the engine or registry said, e.g. "no basic auth credentials" (never contains credentials) */
    readonly detail: string,
    /** whether credentials were sent (then they were refused) */
    readonly hadCredentials: boolean,
  ) {
    super(
      `${registryDisplayName(registry)} refused the ${operation}: ${hadCredentials ? 'the stored credentials were not accepted' : 'it requires you to log in'} (${detail.trim()}).`,
      { hint: `Log in to ${registry} with "ML Lab: Log In to Registry...", then try again.` },
    );
    this.name = 'RegistryAuthError';
  }
}
