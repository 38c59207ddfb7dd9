/**
 * Host port checks before a run: is the host port free, and which is the next free one.
 * Checked on this machine, so meaningful when the engine publishes ports here (local engine,
 * Docker Desktop); for a remote engine (DOCKER_HOST=tcp://...) the caller should skip it.
 */
import * as net from 'node:net';
import { UserError } from '../errors';

/** How many ports `nextFreePort` tries before giving up. */
export const FREE_PORT_SEARCH_LIMIT = 100;

/**
 * Whether `port` can be listened on at `host`, tried by listening (exclusively) with node:net
 * and closing again. EADDRINUSE -> false. EACCES (ports below 1024 for a normal user) -> true:
 * the Docker daemon binds as root, so we cannot tell and let the engine decide.
 * @param host the host IP the port binding uses (default 127.0.0.1, the extension's bind address).
 * @throws UserError for a port outside 1-65535 or a host address that is not on this machine
 *   (EADDRNOTAVAIL).
 */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return Promise.reject(new UserError(`Host port ${port} is out of range 1-65535.`));
  }
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve(false);
      else if (err.code === 'EACCES') resolve(true);
      else if (err.code === 'EADDRNOTAVAIL') reject(new UserError(`Host IP ${host} is not an address of this machine; use 127.0.0.1 or 0.0.0.0.`, { cause: err }));
      else reject(err);
    });
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/**
 * The first free host port from `start` on, trying at most FREE_PORT_SEARCH_LIMIT (100) ports
 * and never above 65535.
 * @returns a port number for which `isPortFree` said true.
 * @throws UserError when none is free in the range, naming it.
 */
export async function nextFreePort(start: number, host = '127.0.0.1', limit = FREE_PORT_SEARCH_LIMIT): Promise<number> {
  const last = Math.min(start + limit - 1, 65535);
  for (let port = start; port <= last; port++) {
    if (await isPortFree(port, host)) return port;
  }
  throw new UserError(`No free host port on ${host} between ${start} and ${last}.`, { hint: 'Stop what uses these ports, or pick a host port in another range, e.g. 18080.' });
}
