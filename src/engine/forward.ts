/**
 * Port forwarding over an ssh:// engine's SSH connection: what `ssh -L
 * 127.0.0.1:<local>:<remote host>:<port> gpu-box` does, on a connection of the engine's pool.
 * A server listens on a free port of 127.0.0.1; each connection to it becomes an ssh2
 * `forwardOut` channel to `<remote host>:<port>` as the SSH host sees it. The bookkeeping (which
 * forwards exist, reuse, URL rewriting) is engine-independent: src/core/forwards.ts.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { OpenedForward } from '../core/forwards';
import type { SshDialAgent } from './ssh';

/**
 * Opens a forward from 127.0.0.1:<free port> to `remoteHost:remotePort` on the SSH host. Checks
 * first that the target answers (one channel opened and closed), so a wrong port fails here,
 * with the reason, rather than in the browser. The forward closes itself when the SSH
 * connection closes (a drop, the engine switched or closed).
 * `options.probe: false` skips that check (a target that takes an empty connection as its one client).
 * @throws SshError when the SSH connection cannot be made or nothing answers at the target
 */
export async function openSshForward(agent: SshDialAgent, remoteHost: string, remotePort: number, options: { probe?: boolean } = {}): Promise<OpenedForward> {
  // one connection of the pool carries the forward: its channels are not sessions, so they never
  // crowd out a stream, and the forward ends when that connection does
  const link = await agent.pin();
  if (options.probe !== false) {
    try {
      (await link.forwardOut(remoteHost, remotePort)).destroy();
    } catch (err) {
      link.release();
      throw err;
    }
  }
  const sockets = new Set<net.Socket>();
  const listeners = new Set<() => void>();
  let closed = false;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.pause();
    link.forwardOut(remoteHost, remotePort).then(
      (channel: Duplex) => {
        if (socket.destroyed) {
          channel.destroy();
          return;
        }
        socket.pipe(channel).pipe(socket);
        channel.once('error', () => socket.destroy());
        channel.once('close', () => socket.end());
        socket.once('error', () => channel.destroy());
        socket.once('close', () => channel.destroy());
        socket.resume();
      },
      () => socket.destroy(), // the browser sees the connection reset; the next request tries again
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const close = () => {
    if (closed) return;
    closed = true;
    link.release();
    server.close();
    for (const s of sockets) s.destroy();
    for (const l of [...listeners]) l();
  };
  link.onClose(close);
  return {
    localPort: (server.address() as net.AddressInfo).port,
    close,
    onClose: (l) => {
      if (closed) l();
      else listeners.add(l);
    },
  };
}

/**
 * Whether GET `path` at `remoteHost:remotePort` on the SSH host answers 2xx or 3xx within
 * `timeoutMs`, through one `forwardOut` channel (no local port is opened: app health checks of
 * a remote engine's containers, src/core/apps/monitor.ts). False on any failure; never throws.
 */
export function probeOverSsh(agent: SshDialAgent, remoteHost: string, remotePort: number, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      resolve(ok);
    };
    agent.forwardOut(remoteHost, remotePort).then(
      (channel) => {
        // socketPath: VS Code's proxy patch of http leaves socketPath requests alone (see connection.ts)
        const req = http.request({ socketPath: 'ssh-channel', path, method: 'GET', createConnection: () => channel as net.Socket, headers: { host: `${remoteHost}:${remotePort}`, connection: 'close' } }, (res) => {
          res.resume();
          channel.destroy();
          done((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
        });
        req.setTimeout(timeoutMs, () => req.destroy());
        req.once('error', () => {
          channel.destroy();
          done(false);
        });
        req.end();
      },
      () => done(false),
    );
  });
}
