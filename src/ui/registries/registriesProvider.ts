/**
 * The Registries view: Docker Hub, the registries in the Docker config (`auths`,
 * `credHelpers`), those logged in here, and the `mlLab.registries` setting. A registry's
 * children are its repositories from `/v2/_catalog` and a repository's children its tags,
 * loaded when expanded; where a registry does not list its catalog (Docker Hub) or refuses,
 * one message node says so and what to do.
 */
import * as vscode from 'vscode';
import { configuredRegistries, dockerConfigDir, readDockerConfig } from '../../core/registry/auth';
import { RegistryClient, RegistryError } from '../../core/registry/client';
import { DOCKER_HUB, registryDisplayName, validateRegistry } from '../../core/registry/reference';
import { registryEntries, registryMessageNode, registryNode, repositoryNodes, tagNodes, type RegistryNode } from '../../core/registry/tree';
import { SettingIds } from '../../core/ids';
import { describeError } from '../base/session';
import { log } from '../base/log';
import type { RegistryCredentialStore } from '../shared/credentialStore';

export function registryTreeItem(m: RegistryNode): vscode.TreeItem {
  const item = new vscode.TreeItem(m.label, m.expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = m.id;
  item.description = m.description;
  item.tooltip = m.tooltip;
  item.contextValue = m.contextValue;
  if (m.iconId) item.iconPath = new vscode.ThemeIcon(m.iconId);
  if (m.command) item.command = { command: m.command.id, title: m.command.title, arguments: m.command.args };
  return item;
}

export class RegistriesProvider implements vscode.TreeDataProvider<RegistryNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RegistryNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly parents = new Map<string, RegistryNode>();

  constructor(private readonly credentials: RegistryCredentialStore) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** The registries listed now (setting, Docker config, logged in, Docker Hub). */
  entries() {
    const setting = vscode.workspace.getConfiguration().get<string[]>(SettingIds.registries) ?? [];
    const valid = setting.filter((h) => typeof h === 'string' && validateRegistry(h) === undefined);
    if (valid.length !== setting.length) log().warn(`Registries view: ignoring invalid entries in ${SettingIds.registries}: ${setting.filter((h) => !valid.includes(h)).join(', ')}`);
    let dockerConfig: string[] = [];
    try {
      dockerConfig = configuredRegistries(readDockerConfig(dockerConfigDir()));
    } catch (err) {
      log().warn(`Registries view: ${describeError(err)}`);
    }
    return registryEntries({ setting: valid.map((h) => h.trim()), dockerConfig, loggedIn: this.credentials.loggedIn() });
  }

  getTreeItem(m: RegistryNode): vscode.TreeItem {
    return registryTreeItem(m);
  }

  getParent(m: RegistryNode): RegistryNode | undefined {
    return this.parents.get(m.id);
  }

  async getChildren(parent?: RegistryNode): Promise<RegistryNode[]> {
    const kids = await this.children(parent);
    for (const k of kids) if (parent) this.parents.set(k.id, parent);
    return kids;
  }

  private async children(parent?: RegistryNode): Promise<RegistryNode[]> {
    if (!parent) return this.entries().map(registryNode);
    if (parent.kind === 'registry') {
      if (parent.registry === DOCKER_HUB) {
        return [registryMessageNode(parent.registry, parent.id, 'Docker Hub does not list its repositories — click to pull by name', 'Docker Hub has no catalog API. Use "Pull Image..." with a name such as jupyter/scipy-notebook.', 'pull')];
      }
      return this.guard(parent, async (client) => {
        const repos = await client.catalog();
        return repos.length ? repositoryNodes(parent.registry, repos) : [registryMessageNode(parent.registry, parent.id, 'No repositories yet', `${parent.registry} has no repositories. Push an image to it from the Images view.`)];
      });
    }
    if (parent.kind === 'registryRepository' && parent.repository) {
      const repository = parent.repository;
      return this.guard(parent, async (client) => {
        const tags = await client.tags(repository);
        return tags.length ? tagNodes(parent.registry, repository, tags) : [registryMessageNode(parent.registry, parent.id, 'No tags', `${repository} has no tags.`)];
      });
    }
    return [];
  }

  /** Runs a registry request; a failure becomes one message node that says why (and offers Log In when refused). */
  private async guard(parent: RegistryNode, fn: (client: RegistryClient) => Promise<RegistryNode[]>): Promise<RegistryNode[]> {
    const name = registryDisplayName(parent.registry);
    try {
      const credentials = await this.credentials.lookup(parent.registry);
      return await fn(new RegistryClient(parent.registry, { credentials }));
    } catch (err) {
      log().warn(`Registries view: ${describeError(err)}`);
      if (err instanceof RegistryError && err.kind === 'unauthorized') {
        return [registryMessageNode(parent.registry, parent.id, `${name} refused the listing — click to log in`, err.message, 'login')];
      }
      if (err instanceof RegistryError && err.kind === 'noCatalog') {
        return [registryMessageNode(parent.registry, parent.id, `${name} does not list its catalog — pull by name`, err.message, 'pull')];
      }
      return [registryMessageNode(parent.registry, parent.id, `Cannot list ${name} — click to retry`, describeError(err), 'refresh')];
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
