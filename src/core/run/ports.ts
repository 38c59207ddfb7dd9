/**
 * Port bindings as `docker run -p` writes them, and their Engine API shape.
 * Source for the forms: https://docs.docker.com/engine/reference/commandline/run/#publish
 * ("-p [host-ip:][host-port:]container-port[/protocol]").
 */
import * as net from 'node:net';
import { UserError } from '../errors';

/** One published port: container port -> host port on a host IP. */
export interface PortBinding {
  /** Host address to listen on, e.g. "127.0.0.1" or "::1"; undefined: the caller's default. */
  hostIp?: string;
  /** Host port 1-65535; undefined: the engine picks a free one. */
  hostPort?: number;
  /** Port inside the container, 1-65535. */
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
}

const EXPECTED = 'expected [host-ip:][host-port:]container-port[/protocol], e.g. 4000:8080';
const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;

/**
 * Parses one `-p` port binding.
 *
 * Forms: `8080` (host port chosen by the engine), `4000:8080`, `127.0.0.1:4000:8080`,
 * `127.0.0.1::8080`, `[::1]:4000:8080`, each with an optional `/tcp`, `/udp` or `/sctp`
 * suffix (default tcp).
 *
 * @returns the binding; `hostIp` and `hostPort` are left undefined when not written.
 * @throws UserError naming the bad part and the expected form, e.g.
 *   `"80:abc": container port "abc" is not a number; expected ...`, for: empty text, empty parts
 *   (`:80`, `4000:`), ports that are not numbers or not 1-65535, port ranges (not supported
 *   yet), a host IP that is not an IPv4/IPv6 address, an unknown protocol.
 */
export function parsePortBinding(spec: string): PortBinding {
  const text = spec.trim();
  const fail: (what: string) => never = (what) => {
    throw new UserError(`"${text}": ${what}; ${EXPECTED}`);
  };
  if (text === '') fail('the port binding is empty');

  let body = text;
  let protocol: PortBinding['protocol'] = 'tcp';
  const slash = text.lastIndexOf('/');
  if (slash >= 0) {
    const proto = text.slice(slash + 1).toLowerCase();
    body = text.slice(0, slash);
    if (!(PROTOCOLS as readonly string[]).includes(proto)) {
      fail(proto === '' ? 'the protocol after "/" is empty (tcp, udp or sctp)' : `protocol "${text.slice(slash + 1)}" is not tcp, udp or sctp`);
    }
    protocol = proto as PortBinding['protocol'];
  }

  let hostIp: string | undefined;
  let ports: string[];
  if (body.startsWith('[')) {
    const close = body.indexOf(']');
    if (close < 0) fail('the IPv6 host IP is missing its closing "]"');
    hostIp = body.slice(1, close);
    if (body[close + 1] !== ':') fail('expected ":" after the bracketed host IP');
    ports = body.slice(close + 2).split(':');
    if (ports.length !== 2) fail('after a host IP give host-port:container-port (the host port may be empty: [::1]::8080)');
    if (!net.isIPv6(hostIp)) fail(`host IP "${hostIp}" is not an IPv6 address`);
  } else {
    const parts = body.split(':');
    if (parts.length > 3) fail('too many ":"; write an IPv6 host IP in brackets, e.g. [::1]:4000:8080');
    if (parts.length === 3) {
      hostIp = parts[0];
      if (hostIp === '') fail('host IP is empty; leave it out (4000:8080) or give one (127.0.0.1:4000:8080)');
      if (!net.isIPv4(hostIp)) fail(`host IP "${hostIp}" is not an IPv4 address (write IPv6 in brackets, e.g. [::1])`);
      ports = parts.slice(1);
    } else {
      ports = parts;
    }
  }

  const containerText = ports[ports.length - 1];
  const hostText = ports.length === 2 ? ports[0] : undefined;
  if (hostText === '' && hostIp === undefined) {
    fail(`host port is empty; leave it out (${containerText || '8080'}) to let the engine choose one, or give one (4000:${containerText || '8080'})`);
  }
  const containerPort = parsePort(containerText, 'container port', fail);
  const hostPort = hostText === undefined || hostText === '' ? undefined : parsePort(hostText, 'host port', fail);

  const binding: PortBinding = { containerPort, protocol };
  if (hostIp !== undefined) binding.hostIp = hostIp;
  if (hostPort !== undefined) binding.hostPort = hostPort;
  return binding;
}

function parsePort(text: string, role: string, fail: (what: string) => never): number {
  if (text === '') fail(`${role} is empty`);
  if (/^\d+-\d+$/.test(text)) fail(`${role} range "${text}" is not supported yet; publish each port separately`);
  if (!/^\d+$/.test(text)) fail(`${role} "${text}" is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65535) fail(`${role} ${text} is out of range 1-65535`);
  return port;
}

/**
 * Parses a list of port bindings separated by commas and/or whitespace, e.g.
 * `"8888:8888, 6006:6006/tcp"`. Empty or blank text gives [].
 * @throws UserError from `parsePortBinding` for the first bad binding.
 */
export function parsePortBindings(text: string): PortBinding[] {
  return text
    .split(/[\s,]+/)
    .filter((part) => part !== '')
    .map(parsePortBinding);
}

/** Formats a binding as `docker run -p` text, e.g. `127.0.0.1:4000:8080`, `[::1]::53/udp`; tcp is left implicit. */
export function formatPortBinding(b: PortBinding): string {
  const proto = b.protocol === 'tcp' ? '' : `/${b.protocol}`;
  const host = b.hostPort === undefined ? '' : String(b.hostPort);
  if (b.hostIp !== undefined && b.hostIp !== '') {
    const ip = b.hostIp.includes(':') ? `[${b.hostIp}]` : b.hostIp;
    return `${ip}:${host}:${b.containerPort}${proto}`;
  }
  return b.hostPort === undefined ? `${b.containerPort}${proto}` : `${host}:${b.containerPort}${proto}`;
}

/**
 * Converts bindings to the Engine API `POST /containers/create` shape: top-level
 * `ExposedPorts` (`{"8080/tcp": {}}`) and `HostConfig.PortBindings`
 * (`{"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "4000"}]}`). `HostPort` is '' when the
 * engine should choose. Several bindings of one container port become one array.
 *
 * @param defaultHostIp used when a binding names no host IP; the extension passes the setting
 *   `mlLab.run.bindAddress` (default '127.0.0.1', so a Jupyter or Flask server is not exposed
 *   to the network by accident — Docker itself would use 0.0.0.0).
 * @throws UserError when two bindings claim the same host IP, host port and protocol
 *   (the engine would fail with "port is already allocated").
 */
export function toEnginePortOptions(
  bindings: PortBinding[],
  defaultHostIp: string,
): { ExposedPorts: Record<string, Record<string, never>>; PortBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> } {
  const ExposedPorts: Record<string, Record<string, never>> = {};
  const PortBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  const claimed = new Map<string, PortBinding>();
  for (const b of bindings) {
    const key = `${b.containerPort}/${b.protocol}`;
    const hostIp = b.hostIp ?? defaultHostIp;
    if (b.hostPort !== undefined) {
      const claim = `${hostIp}|${b.hostPort}/${b.protocol}`;
      const earlier = claimed.get(claim);
      if (earlier) {
        throw new UserError(`Host port ${b.hostPort}/${b.protocol} is used twice ("${formatPortBinding(earlier)}" and "${formatPortBinding(b)}"); give each binding its own host port.`);
      }
      claimed.set(claim, b);
    }
    ExposedPorts[key] = {};
    (PortBindings[key] ??= []).push({ HostIp: hostIp, HostPort: b.hostPort === undefined ? '' : String(b.hostPort) });
  }
  return { ExposedPorts, PortBindings };
}

/**
 * Default bindings for an image: each port in its config's `ExposedPorts`
 * (`{"8080/tcp": {}, "53/udp": {}}`) published on the same host port, sorted by port.
 * Keys without a protocol mean tcp; keys that are not `port[/tcp|udp|sctp]` are skipped
 * (image metadata is not user input).
 */
export function portsFromExposed(exposed: Record<string, unknown> | undefined): PortBinding[] {
  if (!exposed) return [];
  const out: PortBinding[] = [];
  for (const key of Object.keys(exposed)) {
    const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/i.exec(key.trim());
    if (!m) continue;
    const port = Number(m[1]);
    if (port < 1 || port > 65535) continue;
    out.push({ hostPort: port, containerPort: port, protocol: (m[2]?.toLowerCase() ?? 'tcp') as PortBinding['protocol'] });
  }
  return out.sort((a, b) => a.containerPort - b.containerPort || a.protocol.localeCompare(b.protocol));
}
