/**
 * A container's published ports as the views and the app detection show them. Apart from the
 * tree models so that src/core/apps can use them without importing the models, which import
 * the apps' types.
 */
import type { PublishedPort } from '../engineTypes';

/** `127.0.0.1:4000->8080/tcp`, as `docker ps` shows a port binding; `8080/tcp` when not published. */
export function formatPublishedPort(p: PublishedPort, arrow = '->'): string {
  const container = `${p.containerPort}/${p.protocol}`;
  if (p.hostPort === undefined) return container;
  const ip = p.hostIp && p.hostIp.includes(':') ? `[${p.hostIp}]` : (p.hostIp ?? '0.0.0.0');
  return `${ip}:${p.hostPort}${arrow}${container}`;
}

/**
 * The URL a published TCP port opens in the browser: `http://127.0.0.1:4000`. A binding to all
 * interfaces (0.0.0.0 or ::) is opened on localhost. Undefined for unpublished or non-TCP ports.
 */
export function portUrl(p: PublishedPort): string | undefined {
  if (p.hostPort === undefined || p.protocol !== 'tcp') return undefined;
  const host = !p.hostIp || p.hostIp === '0.0.0.0' || p.hostIp === '::' ? 'localhost' : p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp;
  return `http://${host}:${p.hostPort}`;
}

/**
 * Published ports of a container, one per binding, sorted by container port. The engine lists a
 * binding to all interfaces twice (0.0.0.0 and ::); we keep the IPv4 row.
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
