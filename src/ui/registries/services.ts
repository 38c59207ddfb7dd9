/** What the registry commands share: credentials, the Registries view, the transfer output, recent references. */
import type * as vscode from 'vscode';
import { RegistryCredentialStore } from '../shared/credentialStore';
import { RegistriesProvider } from './registriesProvider';
import { TransferOutput } from '../shared/transferOutput';
import type { RegistryAccess } from '../shared/context';

const RECENT_KEY = 'mlLab.registry.recentReferences';
/** How many references "Pull..." offers. */
const RECENT_MAX = 15;

export class RegistryServices implements RegistryAccess, vscode.Disposable {
  readonly credentials: RegistryCredentialStore;
  readonly view: RegistriesProvider;
  readonly output = new TransferOutput();

  constructor(private readonly extension: vscode.ExtensionContext) {
    this.credentials = new RegistryCredentialStore(extension.secrets, extension.globalState);
    this.view = new RegistriesProvider(this.credentials);
  }

  /** References pulled or pushed lately, newest first (globalState: no secrets in them). */
  recent(): string[] {
    return this.extension.globalState.get<string[]>(RECENT_KEY) ?? [];
  }

  async remember(reference: string): Promise<void> {
    await this.extension.globalState.update(RECENT_KEY, [reference, ...this.recent().filter((r) => r !== reference)].slice(0, RECENT_MAX));
  }

  dispose(): void {
    this.view.dispose();
    this.output.dispose();
  }
}
