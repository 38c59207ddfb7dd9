/** Where a debug run's port is published, and whether debugpy listens yet. */
import { isIP } from 'node:net';
import type { EngineAddress } from '../connection';
import { UserError } from '../errors';
import { isLoopbackOrAny } from '../forwards';

/**
 * The host IP the debug port is published on. debugpy's port runs any code it is sent, so it is
 * never published on every interface:
 * - a local engine (socket, TCP to loopback) and an ssh:// engine: 127.0.0.1 (an ssh:// engine's
 *   port is reached through a forward over its SSH connection);
 * - a tcp:// engine on another machine: the engine's own address, the one this machine reaches it
 *   by (only that interface of the remote machine).
 * @throws UserError for a tcp:// engine named by a host name (Docker binds ports to IPs only)
 */
export function debugBindAddress(address: EngineAddress): string {
  if (address.kind !== 'tcp' || isLoopbackOrAny(address.host)) return '127.0.0.1';
  if (isIP(address.host)) return address.host;
  throw new UserError(`The engine is reached over TCP by the name ${address.host}, so the debug port cannot be published on that one interface.`, {
    hint: 'Name the engine by its IP address (tcp://<ip>:2376), or reach it over SSH (ssh://user@host), whose ports are forwarded.',
  });
}

/**
 * Whether a TCP socket listens on `port` (any address), from the text of `/proc/net/tcp` and
 * `/proc/net/tcp6` inside the container (Linux: `sl local_address rem_address st ...`, the
 * address as hex `IP:PORT`, state `0A` = LISTEN; kernel Documentation/networking/proc_net_tcp.rst).
 * Read there rather than by connecting from the host: Docker's port proxy accepts a connection
 * before anything listens in the container.
 */
export function listensOn(procNetTcp: string, port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return procNetTcp.split('\n').some((line) => {
    const f = line.trim().split(/\s+/);
    return f.length > 3 && f[1].toUpperCase().endsWith(`:${hex}`) && f[3] === '0A';
  });
}
