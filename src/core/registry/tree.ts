/**
 * Node models of the Registries view: registries (Docker Hub, those in the Docker config,
 * those logged in here, those in the `mlLab.registries` setting), their repositories (from the
 * catalog) and tags. Context tags: `registry;[loggedIn;][dockerConfig;]`, `registryRepository;`,
 * `registryTag;`, `message;registry;`.
 */
import { CommandIds } from '../ids';
import { DOCKER_HUB, normalizeRegistryHost, registryDisplayName } from './reference';

export type RegistryNodeKind = 'registry' | 'registryRepository' | 'registryTag' | 'message';

export interface RegistryNode {
  kind: RegistryNodeKind;
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  iconId?: string;
  contextValue: string;
  /** normalised registry host */
  registry: string;
  repository?: string;
  tag?: string;
  /** the pullable reference (tags), the repository reference (repositories) */
  ref?: string;
  /** whether the node has children to load */
  expandable: boolean;
  command?: { id: string; title: string; args?: unknown[] };
}

export interface RegistryEntry {
  registry: string;
  /** where the view learnt of it */
  origins: Array<'default' | 'docker config' | 'logged in' | 'setting'>;
  /** user logged in here (our secret storage), when any */
  user?: string;
}

/**
 * The registries to show: Docker Hub first, then the others by host. Invalid setting entries
 * are skipped (the caller reports them).
 */
export function registryEntries(input: { setting: string[]; dockerConfig: string[]; loggedIn: Array<{ registry: string; username: string }> }): RegistryEntry[] {
  const byHost = new Map<string, RegistryEntry>();
  const add = (host: string, origin: RegistryEntry['origins'][number], user?: string) => {
    const registry = normalizeRegistryHost(host);
    if (!registry) return;
    const e = byHost.get(registry) ?? { registry, origins: [] };
    if (!e.origins.includes(origin)) e.origins.push(origin);
    if (user) e.user = user;
    byHost.set(registry, e);
  };
  add(DOCKER_HUB, 'default');
  for (const h of input.dockerConfig) add(h, 'docker config');
  for (const l of input.loggedIn) add(l.registry, 'logged in', l.username);
  for (const h of input.setting) add(h, 'setting');
  return [...byHost.values()].sort((a, b) => (a.registry === DOCKER_HUB ? -1 : b.registry === DOCKER_HUB ? 1 : a.registry.localeCompare(b.registry)));
}

export function registryNode(e: RegistryEntry): RegistryNode {
  const loggedIn = e.user !== undefined;
  const from = e.origins.filter((o) => o !== 'default' && o !== 'logged in');
  return {
    kind: 'registry',
    id: `registry:${e.registry}`,
    label: registryDisplayName(e.registry),
    description: [...(loggedIn ? [`logged in as ${e.user}`] : []), ...from].join(' · ') || undefined,
    tooltip: [`Registry ${e.registry}`, ...(loggedIn ? [`Logged in here as ${e.user} (VS Code secret storage)`] : []), ...(from.length ? [`Listed from: ${from.join(', ')}`] : [])].join('\n'),
    iconId: e.registry === DOCKER_HUB ? 'globe' : 'server',
    contextValue: `registry;${loggedIn ? 'loggedIn;' : ''}${e.origins.includes('docker config') ? 'dockerConfig;' : ''}`,
    registry: e.registry,
    expandable: true,
  };
}

/** A repository's path as Docker shows it under a registry (`library/ubuntu` on Docker Hub is `ubuntu`). */
function shownRepository(registry: string, repository: string): string {
  return registry === DOCKER_HUB ? repository.replace(/^library\/(?=[^/]+$)/, '') : `${registry}/${repository}`;
}

export function repositoryNodes(registry: string, repositories: string[]): RegistryNode[] {
  return [...repositories].sort().map((repository) => ({
    kind: 'registryRepository',
    id: `registry:${registry}:repo:${repository}`,
    label: repository,
    tooltip: `${shownRepository(registry, repository)}`,
    iconId: 'repo',
    contextValue: 'registryRepository;',
    registry,
    repository,
    ref: shownRepository(registry, repository),
    expandable: true,
  }));
}

export function tagNodes(registry: string, repository: string, tags: string[]): RegistryNode[] {
  return tags.map((tag) => {
    const ref = `${shownRepository(registry, repository)}:${tag}`;
    return {
      kind: 'registryTag',
      id: `registry:${registry}:repo:${repository}:tag:${tag}`,
      label: tag,
      description: ref,
      tooltip: `${ref}\nPull it with the cloud button, or copy the reference.`,
      iconId: 'tag',
      contextValue: 'registryTag;',
      registry,
      repository,
      tag,
      ref,
      expandable: false,
    };
  });
}

/** The node shown instead of children: why there are none, and a click that helps when one does. */
export function registryMessageNode(registry: string, parentId: string, label: string, tooltip: string, action?: 'login' | 'pull' | 'refresh'): RegistryNode {
  const command =
    action === 'login'
      ? { id: CommandIds.registryLogin, title: 'Log In', args: [registry] }
      : action === 'pull'
        ? { id: CommandIds.imagePull, title: 'Pull...' }
        : action === 'refresh'
          ? { id: CommandIds.registriesRefresh, title: 'Refresh' }
          : undefined;
  return {
    kind: 'message',
    id: `${parentId}:message`,
    label,
    tooltip,
    iconId: action === 'pull' ? 'info' : 'warning',
    contextValue: 'message;registry;',
    registry,
    expandable: false,
    command,
  };
}
