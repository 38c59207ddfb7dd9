/**
 * Tree node models: plain data for the Images and Containers views, built from engine objects.
 * One function in src/ui turns a model into a VS Code TreeItem; menus match `contextValue`
 * tags with regexes (`container;running;hasPorts;`), and the same tag functions serve
 * commands and tests.
 */
import type { ContainerState, ContainerSummary, ImageSummary, PublishedPort } from '../engineTypes';
import { formatAge, formatBytes, shortId } from '../format';

export interface NodeModel {
  kind: 'image' | 'container' | 'message';
  /** stable id for the tree (keeps expansion and selection across refreshes) */
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  /** codicon id, e.g. 'debug-start' */
  iconId?: string;
  /** theme colour id for the icon, e.g. 'charts.green' */
  iconColor?: string;
  contextValue?: string;
  /** command run on click */
  command?: { id: string; title: string; args?: unknown[] };
  /** what the node stands for: image reference or container id */
  ref?: string;
}

/** `127.0.0.1:4000->8080/tcp`, as `docker ps` shows a port binding; `8080/tcp` when not published. */
export function formatPublishedPort(p: PublishedPort): string {
  const container = `${p.containerPort}/${p.protocol}`;
  if (p.hostPort === undefined) return container;
  const ip = p.hostIp && p.hostIp.includes(':') ? `[${p.hostIp}]` : (p.hostIp ?? '0.0.0.0');
  return `${ip}:${p.hostPort}->${container}`;
}

/**
 * Published ports of a container, deduplicated and sorted by container port. The engine lists
 * a binding to all interfaces twice (0.0.0.0 and ::); `docker ps` shows both, we keep IPv4.
 */
export function publishedPorts(ports: PublishedPort[]): PublishedPort[] {
  const byBinding = new Map<string, PublishedPort>();
  for (const p of ports) {
    const key = `${p.hostPort ?? ''}->${p.containerPort}/${p.protocol}`;
    const seen = byBinding.get(key);
    if (!seen || (seen.hostIp === '::' && p.hostIp !== '::')) byBinding.set(key, p);
  }
  return [...byBinding.values()].sort((a, b) => a.containerPort - b.containerPort || (a.hostPort ?? 0) - (b.hostPort ?? 0));
}

const stateIcons: Record<ContainerState, { icon: string; color?: string }> = {
  running: { icon: 'vm-running', color: 'charts.green' },
  paused: { icon: 'debug-pause', color: 'charts.yellow' },
  restarting: { icon: 'debug-restart', color: 'charts.yellow' },
  created: { icon: 'vm-outline' },
  exited: { icon: 'vm-outline', color: 'disabledForeground' },
  removing: { icon: 'trash', color: 'disabledForeground' },
  dead: { icon: 'error', color: 'errorForeground' },
};

/** `container;running;hasPorts;` — the tags menus match on. */
export function containerContextValue(c: ContainerSummary): string {
  const tags = ['container', c.state];
  if (publishedPorts(c.ports).some((p) => p.hostPort !== undefined)) tags.push('hasPorts');
  return tags.join(';') + ';';
}

/** One node per container, running first, then by name. */
export function containerNodes(containers: ContainerSummary[]): NodeModel[] {
  const rank = (s: ContainerState) => (s === 'running' ? 0 : s === 'paused' || s === 'restarting' ? 1 : 2);
  return [...containers]
    .sort((a, b) => rank(a.state) - rank(b.state) || a.name.localeCompare(b.name))
    .map((c) => {
      const ports = publishedPorts(c.ports)
        .filter((p) => p.hostPort !== undefined)
        .map(formatPublishedPort);
      const icon = stateIcons[c.state] ?? { icon: 'vm-outline' };
      return {
        kind: 'container',
        id: `container:${c.id}`,
        label: c.name,
        description: [c.image, c.status, ...(ports.length ? [ports.join(', ')] : [])].join(' · '),
        tooltip: [
          `${c.name} (${shortId(c.id)})`,
          `Image: ${c.image}`,
          `State: ${c.state} — ${c.status}`,
          ...(ports.length ? [`Ports: ${ports.join(', ')}`] : []),
          ...c.mounts.map((m) => `Mount: ${m.type === 'volume' ? (m.name ?? m.source) : m.source} -> ${m.destination}${m.readOnly ? ' (read-only)' : ''}`),
        ].join('\n'),
        iconId: icon.icon,
        iconColor: icon.color,
        contextValue: containerContextValue(c),
        ref: c.id,
      } satisfies NodeModel;
    });
}

/** One node per tag (`repo:tag`), sorted by reference; dangling images are left out. */
export function imageNodes(images: ImageSummary[], nowMs: number): NodeModel[] {
  const nodes: NodeModel[] = [];
  for (const img of images) {
    for (const tag of img.repoTags) {
      nodes.push({
        kind: 'image',
        id: `image:${tag}`,
        label: tag,
        description: `${formatBytes(img.size)} · ${formatAge(img.created, nowMs)} · ${shortId(img.id)}`,
        tooltip: [`${tag}`, `Id: ${img.id}`, `Size: ${formatBytes(img.size)}`, `Created: ${new Date(img.created).toISOString()}`].join('\n'),
        iconId: 'file-binary',
        contextValue: `image;${img.containers > 0 ? 'inUse;' : ''}`,
        ref: tag,
      });
    }
  }
  return nodes.sort((a, b) => a.label.localeCompare(b.label));
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
