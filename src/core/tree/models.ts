/**
 * Tree node models: plain data for the Images, Containers and Volumes views, built from engine
 * objects. One function in src/ui turns a model into a VS Code TreeItem; menus match
 * `contextValue` tags with regexes (`container;running;hasPorts;`), and the same tag functions
 * serve commands and tests.
 */
import type { ContainerState, ContainerSummary, ImageSummary, VolumeSummary } from '../engineTypes';
import { formatAge, formatBytes, shortId } from '../format';
import { CommandIds } from '../ids';
import type { ReadyApp } from '../apps/monitor';
import { filesNode } from './files';
import { formatPublishedPort, portUrl, publishedPorts } from './ports';
import type { NodeModel } from './node';

export type { NodeKind, NodeModel } from './node';
export { formatPublishedPort, portUrl, publishedPorts } from './ports';

/** Label that Docker Compose puts on the containers of a project. */
export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';

const stateIcons: Record<ContainerState, { icon: string; color?: string }> = {
  running: { icon: 'vm-running', color: 'charts.green' },
  paused: { icon: 'debug-pause', color: 'charts.yellow' },
  restarting: { icon: 'debug-restart', color: 'charts.yellow' },
  created: { icon: 'vm-outline', color: 'charts.blue' },
  exited: { icon: 'vm-outline', color: 'disabledForeground' },
  removing: { icon: 'trash', color: 'disabledForeground' },
  dead: { icon: 'error', color: 'errorForeground' },
};

/** `container;running;hasPorts;` — the tags menus match on. */
export function containerContextValue(c: ContainerSummary): string {
  const tags = ['container', c.state];
  if (publishedPorts(c.ports).some((p) => p.hostPort !== undefined)) tags.push('hasPorts');
  if (c.labels[COMPOSE_PROJECT_LABEL]) tags.push('compose');
  return tags.join(';') + ';';
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/**
 * An app row under its container (an app that answered its health path): click opens its URL.
 * `ref` is the URL to open (Jupyter's token included); the description shows it without the token.
 */
export function appNode(c: ContainerSummary, r: ReadyApp): NodeModel {
  const shown = r.url.replace(/([?&])token=[^&#]*/, '$1token=…');
  return {
    kind: 'app',
    id: `container:${c.id}:app:${r.app.port}`,
    label: r.app.name,
    description: shown,
    tooltip: `${r.app.name} in ${c.name}: container port ${r.app.port} published on host port ${r.app.hostPort}; answered ${r.app.health}\nClick to open ${shown}`,
    iconId: r.app.kind === 'jupyter' ? 'notebook' : r.app.kind === 'tensorboard' || r.app.kind === 'mlflow' ? 'graph' : 'globe',
    contextValue: `app;${r.app.kind};`,
    ref: r.url,
    command: { id: CommandIds.containerOpenPort, title: 'Open App', args: [r.url] },
  };
}

/**
 * A container row with its apps (those that answered), port bindings, mounts, Files and image as children.
 * @param volumeUsers named volume -> containers that mount it (Files marks volumes shared with others)
 */
export function containerNode(c: ContainerSummary, apps: readonly ReadyApp[] = [], volumeUsers: ReadonlyMap<string, string[]> = new Map()): NodeModel {
  const ports = publishedPorts(c.ports).filter((p) => p.hostPort !== undefined);
  const portTexts = ports.map((p) => formatPublishedPort(p));
  const icon = stateIcons[c.state] ?? { icon: 'vm-outline' };
  const children: NodeModel[] = [
    ...apps.map((a) => appNode(c, a)),
    ...ports.map((p): NodeModel => {
      const url = portUrl(p);
      return {
        kind: 'port',
        id: `container:${c.id}:port:${formatPublishedPort(p)}`,
        label: formatPublishedPort(p, ' -> '),
        description: url ? 'open in browser' : undefined,
        tooltip: url ? `Open ${url}` : 'Not a TCP port: nothing to open in a browser',
        iconId: 'plug',
        contextValue: url ? 'port;http;' : 'port;',
        ref: url,
        command: url && c.state === 'running' ? { id: CommandIds.containerOpenPort, title: 'Open in Browser', args: [url] } : undefined,
      };
    }),
    ...c.mounts.map((m): NodeModel => {
      const isVolume = m.type === 'volume';
      const source = isVolume ? (m.name ?? m.source) : m.source;
      return {
        kind: 'mount',
        id: `container:${c.id}:mount:${m.destination}`,
        label: `${source} -> ${m.destination}`,
        description: `${isVolume ? 'named volume' : m.type === 'bind' ? 'bind mount' : m.type}${m.readOnly ? ', read-only' : ''}`,
        tooltip: isVolume ? `Named volume ${source}, mounted at ${m.destination}` : `Host folder ${m.source}, mounted at ${m.destination}`,
        iconId: isVolume ? 'database' : 'folder',
        contextValue: `mount;${isVolume ? 'volume' : m.type};`,
        ref: source,
        command: m.type === 'bind' || isVolume ? { id: CommandIds.mountReveal, title: 'Reveal', args: [{ type: m.type, source }] } : undefined,
      };
    }),
    filesNode(c, volumeUsers),
    {
      kind: 'containerImage',
      id: `container:${c.id}:image`,
      label: c.image,
      description: 'image',
      tooltip: `Image ${c.image} (${shortId(c.imageId)})`,
      iconId: 'file-binary',
      contextValue: 'containerImage;',
      ref: c.image,
    },
  ];
  return {
    kind: 'container',
    id: `container:${c.id}`,
    label: c.name,
    description: [c.image, c.status, ...(portTexts.length ? [portTexts.join(', ')] : [])].join(' · '),
    tooltip: [
      `${c.name} (${shortId(c.id)})`,
      `Image: ${c.image}`,
      `State: ${c.state} — ${c.status}`,
      `Created: ${new Date(c.created).toISOString()}`,
      ...(portTexts.length ? [`Ports: ${portTexts.join(', ')}`] : []),
      ...c.mounts.map((m) => `Mount: ${m.type === 'volume' ? (m.name ?? m.source) : m.source} -> ${m.destination}${m.readOnly ? ' (read-only)' : ''}`),
    ].join('\n'),
    iconId: icon.icon,
    iconColor: icon.color,
    contextValue: containerContextValue(c),
    ref: c.id,
    children,
    created: c.created,
    searchText: `${c.image} ${c.id.slice(0, 12)} ${labelText(c.labels)}`,
  };
}

/**
 * Container rows, Compose projects grouped under a project node (the containers that carry
 * the compose project label). Order within each level: running first, then by name.
 */
export function containerNodes(containers: ContainerSummary[], apps: ReadonlyMap<string, readonly ReadyApp[]> = new Map()): NodeModel[] {
  const volumeUsers = usage(containers).volumes;
  const node = (c: ContainerSummary) => containerNode(c, apps.get(c.id), volumeUsers);
  const rank = (s: ContainerState) => (s === 'running' ? 0 : s === 'paused' || s === 'restarting' ? 1 : 2);
  const sorted = [...containers].sort((a, b) => rank(a.state) - rank(b.state) || a.name.localeCompare(b.name));
  const projects = new Map<string, ContainerSummary[]>();
  const loose: NodeModel[] = [];
  for (const c of sorted) {
    const project = c.labels[COMPOSE_PROJECT_LABEL];
    if (project) projects.set(project, [...(projects.get(project) ?? []), c]);
    else loose.push(node(c));
  }
  const groups = [...projects.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([project, members]): NodeModel => {
      const running = members.filter((m) => m.state === 'running').length;
      return {
        kind: 'composeProject',
        id: `compose:${project}`,
        label: project,
        description: `Compose project · ${running}/${members.length} running`,
        tooltip: `Docker Compose project ${project}: ${members.map((m) => m.name).join(', ')}`,
        iconId: 'layers',
        contextValue: 'composeProject;',
        ref: project,
        children: members.map(node),
        expanded: true,
        created: Math.max(...members.map((m) => m.created)),
        searchText: members.map((m) => `${m.name} ${m.image}`).join(' '),
      };
    });
  return [...groups, ...loose];
}

/** The repository part of `repo:tag` (`127.0.0.1:5000/a/b:c` -> `127.0.0.1:5000/a/b`). */
export function splitReference(ref: string): { repository: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repository: ref, tag: 'latest' };
}

function imageTagNode(img: ImageSummary, ref: string, tagLabel: string, usedBy: string[], nowMs: number): NodeModel {
  return {
    kind: 'image',
    id: `image:${ref}`,
    label: tagLabel,
    description: `${formatBytes(img.size)} · ${formatAge(img.created, nowMs)} · ${shortId(img.id)}`,
    tooltip: [
      ref,
      `Id: ${img.id}`,
      ...img.repoDigests.map((d) => `Digest: ${d.slice(d.indexOf('@') + 1)}`),
      `Created: ${new Date(img.created).toISOString()}`,
      `Size: ${formatBytes(img.size)}`,
      ...(usedBy.length ? [`Used by: ${usedBy.join(', ')}`] : []),
      ...Object.entries(img.labels).map(([k, v]) => `Label: ${k}=${v}`),
    ].join('\n'),
    iconId: usedBy.length ? 'file-binary' : 'file',
    iconColor: usedBy.length ? 'charts.green' : undefined,
    contextValue: `image;${usedBy.length ? 'inUse;' : ''}${ref.startsWith('<none>') ? 'dangling;' : ''}`,
    ref: ref.startsWith('<none>') ? img.id : ref,
    created: img.created,
    size: img.size,
    searchText: `${ref} ${img.id.slice(7, 19)} ${labelText(img.labels)}`,
  };
}

/**
 * Images grouped by repository; each tag a row with size, age and short id. Dangling
 * (untagged) images are left out unless `showDangling`, then grouped under `<none>`.
 * @param usedBy image id -> names of containers created from it
 */
export function imageNodes(images: ImageSummary[], nowMs: number, options: { showDangling?: boolean; usedBy?: Map<string, string[]> } = {}): NodeModel[] {
  const repos = new Map<string, NodeModel[]>();
  const add = (repo: string, node: NodeModel) => repos.set(repo, [...(repos.get(repo) ?? []), node]);
  for (const img of images) {
    const usedBy = options.usedBy?.get(img.id) ?? [];
    if (img.repoTags.length === 0) {
      if (options.showDangling) add('<none>', imageTagNode(img, `<none>@${shortId(img.id)}`, shortId(img.id), usedBy, nowMs));
      continue;
    }
    for (const ref of img.repoTags) {
      const { repository, tag } = splitReference(ref);
      add(repository, imageTagNode(img, ref, tag, usedBy, nowMs));
    }
  }
  return [...repos.entries()]
    .sort(([a], [b]) => (a === '<none>' ? 1 : b === '<none>' ? -1 : a.localeCompare(b)))
    .map(([repository, tags]): NodeModel => ({
      kind: 'repository',
      id: `repository:${repository}`,
      label: repository,
      description: `${tags.length} ${repository === '<none>' ? 'dangling' : tags.length === 1 ? 'tag' : 'tags'}`,
      tooltip: repository === '<none>' ? 'Dangling images: no tag points at them' : `Repository ${repository}`,
      iconId: repository === '<none>' ? 'circle-slash' : 'repo',
      contextValue: 'repository;',
      children: tags.sort((a, b) => a.label.localeCompare(b.label)),
      expanded: false,
      created: Math.max(...tags.map((t) => t.created ?? 0)),
      size: Math.max(...tags.map((t) => t.size ?? 0)),
      searchText: tags.map((t) => `${t.label} ${t.searchText ?? ''}`).join(' '),
    }));
}

/** Which containers use each named volume and each image: `name -> container names`. */
export function usage(containers: ContainerSummary[]): { volumes: Map<string, string[]>; images: Map<string, string[]> } {
  const volumes = new Map<string, string[]>();
  const images = new Map<string, string[]>();
  for (const c of containers) {
    for (const m of c.mounts) if (m.type === 'volume' && m.name) volumes.set(m.name, [...(volumes.get(m.name) ?? []), c.name]);
    images.set(c.imageId, [...(images.get(c.imageId) ?? []), c.name]);
  }
  return { volumes, images };
}

/** Volume rows: name, driver, size when reported, and which containers use it. */
export function volumeNodes(volumes: VolumeSummary[], usedBy: Map<string, string[]>, nowMs: number): NodeModel[] {
  return volumes
    .map((v): NodeModel => {
      const users = usedBy.get(v.name) ?? [];
      return {
        kind: 'volume',
        id: `volume:${v.name}`,
        label: v.name,
        description: [v.driver, ...(v.size !== undefined ? [formatBytes(v.size)] : []), users.length ? `used by ${users.join(', ')}` : 'unused'].join(' · '),
        tooltip: [
          `Volume ${v.name}`,
          `Driver: ${v.driver}`,
          `Mount point: ${v.mountpoint}`,
          ...(v.created ? [`Created: ${new Date(v.created).toISOString()} (${formatAge(v.created, nowMs)})`] : []),
          ...(v.size !== undefined ? [`Size: ${formatBytes(v.size)}`] : []),
          `Used by: ${users.length ? users.join(', ') : 'no container'}`,
          ...Object.entries(v.labels).map(([k, val]) => `Label: ${k}=${val}`),
        ].join('\n'),
        iconId: 'database',
        iconColor: users.length ? 'charts.green' : undefined,
        contextValue: `volume;${users.length ? 'inUse;' : ''}`,
        ref: v.name,
        created: v.created,
        size: v.size,
        searchText: `${v.driver} ${v.mountpoint} ${users.join(' ')} ${labelText(v.labels)}`,
      };
    })
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** The single node a view shows when the engine cannot be reached: says where we tried, and clicking it retries. */
export function unreachableNode(message: string, retryCommand: string): NodeModel {
  return {
    kind: 'message',
    id: 'message:unreachable',
    label: 'Docker engine not reachable — click to retry',
    description: '',
    tooltip: message,
    iconId: 'warning',
    iconColor: 'list.warningForeground',
    contextValue: 'message;unreachable;',
    command: { id: retryCommand, title: 'Retry' },
  };
}

/** The node a view shows when its filter matches nothing (so an empty tree is never a mystery). */
export function noMatchNode(filter: string, clearCommand: string): NodeModel {
  return {
    kind: 'message',
    id: 'message:nomatch',
    label: `Nothing matches "${filter}" — click to clear the filter`,
    iconId: 'filter',
    contextValue: 'message;nomatch;',
    command: { id: clearCommand, title: 'Clear Filter' },
  };
}
