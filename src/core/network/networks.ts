/**
 * User-defined networks: name and subnet validation for "Create Network...", which networks
 * are Docker's own (never removed or pruned), and which containers use each network. Pure.
 */
import { UserError } from '../errors';
import type { ContainerSummary, NetworkSummary } from '../engineTypes';

/** The networks every engine has; Docker refuses to remove them (`docker network rm bridge`). */
export const BUILTIN_NETWORKS = ['bridge', 'host', 'none'] as const;

/** Whether a network is one of Docker's own (bridge, host, none) or a swarm's (ingress, docker_gwbridge), which users do not remove. */
export function isBuiltinNetwork(n: Pick<NetworkSummary, 'name'>): boolean {
  return (BUILTIN_NETWORKS as readonly string[]).includes(n.name) || n.name === 'ingress' || n.name === 'docker_gwbridge';
}

/**
 * Checks a network name as Docker does (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`, daemon/names
 * RestrictedNamePattern), refusing Docker's own names.
 * @returns the trimmed name
 * @throws UserError saying what is wrong and what is allowed
 */
export function validateNetworkName(text: string): string {
  const name = text.trim();
  if (!name) throw new UserError('The network name is empty; e.g. lab-net.');
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) {
    throw new UserError(`Network name "${name}": use letters, digits, _ . - and start with a letter or digit, e.g. lab-net.`);
  }
  if ((BUILTIN_NETWORKS as readonly string[]).includes(name)) throw new UserError(`"${name}" is one of Docker's own networks; choose another name, e.g. lab-net.`);
  return name;
}

/** An IPv4 subnet: network address as a 32-bit number and prefix length. */
export interface Ipv4Subnet {
  cidr: string;
  base: number;
  prefix: number;
}

function ipv4ToNumber(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

const numberToIpv4 = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/**
 * Parses an IPv4 subnet in CIDR form for a bridge network (`docker network create --subnet`).
 * The prefix is 8-30 (a /31 or /32 leaves no address for containers besides the gateway), and
 * the address must be the network address (host bits zero), as the engine's IPAM requires.
 * @example parseSubnet('10.42.0.0/24') -> { cidr: '10.42.0.0/24', base: 0x0a2a0000, prefix: 24 }
 * @throws UserError for another form, an IPv6 subnet (needs an IPv6-enabled engine; not offered),
 *   a prefix out of range, or host bits set (naming the network address to use)
 */
export function parseSubnet(text: string): Ipv4Subnet {
  const t = text.trim();
  const expected = 'expected an IPv4 subnet in CIDR form, e.g. 10.42.0.0/24';
  if (t.includes(':')) throw new UserError(`Subnet "${t}": IPv6 subnets are not offered here; ${expected}.`);
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(t);
  const addr = m ? ipv4ToNumber(m[1]) : undefined;
  if (!m || addr === undefined) throw new UserError(`Subnet "${t}": ${expected}.`);
  const prefix = Number(m[2]);
  if (prefix < 8 || prefix > 30) throw new UserError(`Subnet "${t}": the prefix length /${prefix} is out of range; use /8 to /30 (e.g. /24 gives 254 addresses).`);
  const size = 2 ** (32 - prefix);
  const base = addr - (addr % size);
  if (base !== addr) throw new UserError(`Subnet "${t}": the address has host bits set; the network address of that subnet is ${numberToIpv4(base)}/${prefix}.`);
  return { cidr: `${numberToIpv4(base)}/${prefix}`, base, prefix };
}

/** Whether two IPv4 subnets share an address (the engine refuses "Pool overlaps with other one on this address space"). */
export function subnetsOverlap(a: Ipv4Subnet, b: Ipv4Subnet): boolean {
  const aEnd = a.base + 2 ** (32 - a.prefix);
  const bEnd = b.base + 2 ** (32 - b.prefix);
  return a.base < bEnd && b.base < aEnd;
}

/**
 * The existing network whose IPv4 subnet overlaps `subnet`, if any (networks without an IPv4
 * subnet, or with one that does not parse, are skipped).
 */
export function overlappingNetwork(subnet: Ipv4Subnet, networks: NetworkSummary[]): { network: NetworkSummary; subnet: string } | undefined {
  for (const n of networks) {
    for (const s of n.subnets) {
      let other: Ipv4Subnet;
      try {
        other = parseSubnet(s);
      } catch {
        continue;
      }
      if (subnetsOverlap(subnet, other)) return { network: n, subnet: s };
    }
  }
  return undefined;
}

/** Which containers are attached to each network: network name -> container names (from the container list). */
export function networkUsage(containers: ContainerSummary[]): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const c of containers) for (const n of c.networks ?? []) used.set(n, [...(used.get(n) ?? []), c.name]);
  return used;
}
