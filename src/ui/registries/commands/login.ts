/** "Log In to Registry..." and "Log Out of Registry...": credentials in VS Code's secret storage, checked against `/v2/` first. */
import * as vscode from 'vscode';
import { UserError } from '../../../core/errors';
import { RegistryClient, RegistryError } from '../../../core/registry/client';
import { DOCKER_HUB, normalizeRegistryHost, registryDisplayName, validateRegistry } from '../../../core/registry/reference';
import type { RegistryNode } from '../../../core/registry/tree';
import type { CommandContext } from '../../shared/context';
import { log } from '../../base/log';

/** Command arguments that answer every prompt (tests, other extensions). */
export interface LoginArgs {
  server?: string;
  username?: string;
  /** password or access token; never logged */
  password?: string;
}

/** The registry a command argument names: a Registries-view node, a host string, or `{server}`. */
export function registryFromArg(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg.trim()) return arg.trim();
  if (arg && typeof arg === 'object') {
    const o = arg as Partial<RegistryNode> & { server?: unknown };
    if (typeof o.server === 'string') return o.server;
    if (typeof o.registry === 'string' && typeof o.kind === 'string') return o.registry;
  }
  return undefined;
}

/** @returns the registry logged in to, undefined when the user cancelled */
export async function loginToRegistry(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const given = arg && typeof arg === 'object' ? (arg as LoginArgs) : {};
  const preset = registryFromArg(arg);
  const server =
    preset ??
    (await vscode.window.showInputBox({
      title: 'Log In to Registry (1/3): server',
      prompt: 'Registry host[:port], e.g. 127.0.0.1:5000, ghcr.io, or docker.io for Docker Hub',
      value: ctx.registries.view.entries().find((e) => e.registry !== DOCKER_HUB)?.registry ?? DOCKER_HUB,
      validateInput: (v) => validateRegistry(v),
      ignoreFocusOut: true,
    }));
  if (!server) return undefined;
  const problem = validateRegistry(server);
  if (problem) throw new UserError(`Registry "${server}": ${problem}`);
  const registry = normalizeRegistryHost(server);
  const name = registryDisplayName(registry);
  const username =
    given.username ??
    (await vscode.window.showInputBox({
      title: `Log In to ${name} (2/3): user name`,
      value: ctx.registries.credentials.loggedIn().find((l) => l.registry === registry)?.username ?? '',
      validateInput: (v) => (v.trim() ? undefined : 'Enter the user name'),
      ignoreFocusOut: true,
    }));
  if (!username) return undefined;
  const password =
    given.password ??
    (await vscode.window.showInputBox({
      title: `Log In to ${name} (3/3): password or access token`,
      password: true,
      prompt: 'Kept in VS Code secret storage, never in settings or logs',
      validateInput: (v) => (v ? undefined : 'Enter the password or token'),
      ignoreFocusOut: true,
    }));
  if (!password) return undefined;

  const client = new RegistryClient(registry, { credentials: { username: username.trim(), password, source: 'the login form' } });
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Checking the credentials with ${name}...` }, () => client.check());
  } catch (err) {
    if (err instanceof RegistryError && err.kind === 'unauthorized') {
      throw new UserError(`${name} refused the user name "${username.trim()}" with that password or token; nothing was stored.`, { hint: 'Check both and log in again.' });
    }
    throw err;
  }
  await ctx.registries.credentials.store(registry, username.trim(), password);
  log().info(`Logged in to ${registry} as ${username.trim()} (credentials kept in VS Code secret storage).`);
  ctx.registries.view.refresh();
  void vscode.window.showInformationMessage(`Logged in to ${name} as ${username.trim()}.`);
  return registry;
}

/** @returns the registry logged out of, undefined when cancelled */
export async function logoutOfRegistry(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  let server = registryFromArg(arg);
  if (!server) {
    const stored = ctx.registries.credentials.loggedIn();
    if (stored.length === 0) {
      void vscode.window.showInformationMessage('You are not logged in to any registry here. (Logins made with `docker login` are managed with `docker logout`.)');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      stored.map((s) => ({ label: registryDisplayName(s.registry), description: s.username, registry: s.registry })),
      { title: 'Log Out of Registry', placeHolder: 'Registry whose stored credentials to remove' },
    );
    server = picked?.registry;
  }
  if (!server) return undefined;
  const registry = normalizeRegistryHost(server);
  const had = await ctx.registries.credentials.remove(registry);
  ctx.registries.view.refresh();
  log().info(had ? `Logged out of ${registry}: removed its credentials from VS Code secret storage.` : `Log out of ${registry}: no credentials were stored here.`);
  void vscode.window.showInformationMessage(
    had ? `Logged out of ${registryDisplayName(registry)}.` : `No credentials for ${registryDisplayName(registry)} were stored here (a \`docker login\` is removed with \`docker logout\`).`,
  );
  return registry;
}
