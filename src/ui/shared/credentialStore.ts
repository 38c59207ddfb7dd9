/**
 * Registry credentials the user entered in "Log In to Registry...": kept in VS Code's
 * SecretStorage (the OS keychain on the desktop), never in settings or logs. Which registries
 * have a secret is kept in globalState (host and user name only) because SecretStorage cannot
 * list its keys on every supported VS Code.
 */
import type * as vscode from 'vscode';
import { lookupCredentials, type RegistryCredentials } from '../../core/registry/auth';
import { normalizeRegistryHost } from '../../core/registry/reference';

const INDEX_KEY = 'mlLab.registry.loggedIn';
const secretKey = (registry: string) => `mlLab.registry.credentials/${registry}`;

interface StoredSecret {
  username: string;
  secret: string;
}

export class RegistryCredentialStore {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly state: vscode.Memento,
  ) {}

  /** Registries logged in here, with the user name (no secret). */
  loggedIn(): Array<{ registry: string; username: string }> {
    return this.state.get<Array<{ registry: string; username: string }>>(INDEX_KEY) ?? [];
  }

  async get(registry: string): Promise<RegistryCredentials | undefined> {
    const host = normalizeRegistryHost(registry);
    const text = await this.secrets.get(secretKey(host));
    if (!text) return undefined;
    try {
      const s = JSON.parse(text) as StoredSecret;
      return { username: s.username, password: s.secret, source: 'VS Code secret storage' };
    } catch {
      return undefined;
    }
  }

  async store(registry: string, username: string, secret: string): Promise<void> {
    const host = normalizeRegistryHost(registry);
    await this.secrets.store(secretKey(host), JSON.stringify({ username, secret } satisfies StoredSecret));
    await this.state.update(INDEX_KEY, [...this.loggedIn().filter((l) => l.registry !== host), { registry: host, username }]);
  }

  /** @returns whether there was anything to remove */
  async remove(registry: string): Promise<boolean> {
    const host = normalizeRegistryHost(registry);
    const had = this.loggedIn().some((l) => l.registry === host) || (await this.secrets.get(secretKey(host))) !== undefined;
    await this.secrets.delete(secretKey(host));
    await this.state.update(INDEX_KEY, this.loggedIn().filter((l) => l.registry !== host));
    return had;
  }

  /** Credentials for a registry: ours first, then Docker's (credHelpers, credsStore, auths). */
  lookup(registry: string): Promise<RegistryCredentials | undefined> {
    return lookupCredentials(registry, { secretStore: (h) => this.get(h) });
  }
}
