/**
 * The SSH transport for `ssh://` engines: what `docker -H ssh://host` does, through the Engine
 * API. Each HTTP connection to the engine is a `docker system dial-stdio` session channel on an
 * SSH connection kept open (dockerode's own ssh transport opens a new SSH connection per
 * request); connections are made again after they drop. How one connection is made (host key,
 * keys, timeouts, jump hosts): ./sshConnect.ts.
 *
 * The session budget: sshd allows MaxSessions session channels per connection (10 by default,
 * sshd_config(5); `error: no more sessions` and a refused channel beyond), and every long-lived
 * stream (events, log follows, waits, attach, stats) holds one. So the pool counts the session
 * channels of each connection, keeps each under its budget (the server's limit minus headroom),
 * and opens another connection to the same host when more are needed. Port forwards'
 * `direct-tcpip` channels are not sessions (MaxSessions 0 "still permits forwarding") and are not
 * counted. A refusal all the same (a server with a lower MaxSessions) lowers the budget to what
 * that connection had open, for every connection to the host, and the channel is opened again
 * elsewhere: the request it carried (a wait) is never lost.
 */
import { Agent, type ClientRequestArgs } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import { parseJumpHop, resolveSshTarget, type SshTarget } from '../core/ssh/config';
import { connectSsh, describeTarget, SshError, type ConnectPolicy, type HostKeyQuestion } from './sshConnect';

export { rememberHostKey, SshError, type HostKeyQuestion } from './sshConnect';

export interface SshOptions {
  /** asked on first contact with a host (StrictHostKeyChecking ask); resolve true to trust it. Unset: refuse. */
  askHostKey?: (q: HostKeyQuestion) => Promise<boolean>;
  /** told once per host when StrictHostKeyChecking no trusts an unknown key without asking */
  onWarning?: (message: string) => void;
  /** home folder (default os.homedir()): ~/.ssh/config and the default key and known_hosts files live there */
  home?: string;
  /** the local user name, OpenSSH's default User (default os.userInfo().username) */
  localUser?: string;
  /** ssh-agent socket when ~/.ssh/config names no IdentityAgent (default SSH_AUTH_SOCK; '' for none) */
  agentSocket?: string;
  /** extra known_hosts text (tests) checked with the known_hosts files */
  knownHostsText?: string;
  /**
   * The server's MaxSessions (sshd_config(5); default 10, OpenSSH's default). Each connection
   * keeps {@link sessionBudget} of it; a lower limit is also learnt from the first refusal.
   */
  maxSessions?: number;
}

/** OpenSSH's default MaxSessions (sshd_config(5)). */
export const DEFAULT_MAX_SESSIONS = 10;

/**
 * Session channels one connection may hold for a server allowing `maxSessions`: a fifth of it
 * (at least one) is left as headroom, because sshd frees a session only once its command has
 * exited, a moment after the channel closed (session.c). 10 -> 8, 5 -> 4, 3 -> 2, 2 -> 2, 1 -> 1.
 */
export function sessionBudget(maxSessions: number): number {
  if (maxSessions <= 2) return Math.max(1, maxSessions);
  return maxSessions - Math.max(1, Math.floor(maxSessions / 5));
}

/** Session channels open at most across all connections of one engine: beyond it, new ones wait for a free one. */
const MAX_SESSIONS_PER_ENGINE = 64;
/** An extra connection (not the first) with no channel for this long is closed, in ms. */
const IDLE_CLOSE_MS = 30_000;
/** Limit of a connection's TCP connect and handshake when ~/.ssh/config sets no ConnectTimeout, in ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;
/** SSH keep-alive when ~/.ssh/config sets no ServerAliveInterval, in ms: a host gone silent is noticed. */
const DEFAULT_KEEPALIVE_MS = 15_000;
/** Attempts to open one session channel when servers refuse (each on a connection with room). */
const SESSION_ATTEMPTS = 4;

/** Budgets learnt from refusals, per `user@host:port`, for the life of the process (new engines start with them). */
const learntBudgets = new Map<string, number>();

/** One SSH connection of the pool and its channel counts. */
interface PooledConnection {
  client: Client;
  /** session channels reserved (open or being opened) */
  sessions: number;
  /** session channels confirmed open */
  open: number;
  /** port forwards pinned to this connection (their direct-tcpip channels are not sessions) */
  pins: number;
  /** its session channels, to fail them when it drops (ssh2 leaves them waiting) */
  channels: Set<ClientChannel>;
  /** closed, or being closed (idle): no new channel goes there */
  closed: boolean;
  idleTimer?: NodeJS.Timeout;
}

/** Counts of an engine's SSH pool, for tests and figures. */
export interface SshPoolStats {
  /** SSH connections open to the engine's host (jump hosts not counted) */
  connections: number;
  /** session channels open or being opened, over all connections */
  sessions: number;
  /** session channels per connection, as now */
  perConnection: number[];
  /** the per-connection budget now */
  budget: number;
  /** connections to jump hosts */
  jumpConnections: number;
}

/** A connection a port forward stays on: its channels, and its end. */
export interface PinnedConnection {
  /** a `direct-tcpip` channel to `host:port` as the SSH host sees it */
  forwardOut(host: string, port: number): Promise<Duplex>;
  /** called once when this connection closes (a drop, or the engine closed) */
  onClose(listener: () => void): void;
  /** the forward is done with the connection (it may close when idle) */
  release(): void;
}

/** Reads ~/.ssh/config and resolves the address (or a jump hop) against it. */
export function sshTarget(address: { host: string; port?: number; user?: string }, o: SshOptions = {}): SshTarget {
  const home = o.home ?? os.homedir();
  const configFile = path.join(home, '.ssh', 'config');
  const text = existsSync(configFile) ? readFileSync(configFile, 'utf8') : '';
  return resolveSshTarget(address, text, { home, user: o.localUser ?? os.userInfo().username });
}

/**
 * An http.Agent whose connections are `docker system dial-stdio` channels on a pool of SSH
 * connections to the target, each within its session budget. Give it to dockerode as `agent`
 * with `protocol: 'http'`.
 */
export class SshDialAgent extends Agent {
  private readonly conns: PooledConnection[] = [];
  /** the connection being made, if any: one at a time, so sshd's MaxStartups never sees a burst */
  private connecting: Promise<PooledConnection> | undefined;
  /** requests for a session channel waiting for room */
  private readonly waiting: Array<() => void> = [];
  /** connections to jump hosts, by their chain, shared by every connection through them */
  private readonly hops = new Map<string, Promise<Client>>();
  /** bumped by destroy(): a connection made for an earlier generation is ended, not pooled */
  private generation = 0;
  private readonly ssh2: typeof import('ssh2');
  private readonly policy: ConnectPolicy;
  private readonly maxSessions: number;

  constructor(
    readonly target: SshTarget,
    private readonly options: SshOptions,
    loadSsh2: () => typeof import('ssh2'),
  ) {
    // Keep-alive: an HTTP connection is a `docker system dial-stdio` process on the host, which
    // takes about 0.5-1 s to start there; reusing it for the next request, as the Docker CLI's
    // own HTTP client does, makes a list over SSH cost a round trip instead of a process start.
    super({ keepAlive: true, maxFreeSockets: 4 });
    this.ssh2 = loadSsh2();
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.policy = {
      askHostKey: options.askHostKey,
      onWarning: options.onWarning,
      agentSocket: options.agentSocket ?? process.env.SSH_AUTH_SOCK,
      knownHostsText: options.knownHostsText,
      defaultConnectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
      defaultKeepaliveMs: DEFAULT_KEEPALIVE_MS,
    };
  }

  /** The per-connection budget now: the configured limit's, or a lower one learnt from a refusal. */
  budget(): number {
    return Math.min(sessionBudget(this.maxSessions), learntBudgets.get(this.describe()) ?? Infinity);
  }

  stats(): SshPoolStats {
    const live = this.conns.filter((c) => !c.closed);
    return {
      connections: live.length,
      sessions: live.reduce((n, c) => n + c.sessions, 0),
      perConnection: live.map((c) => c.sessions),
      budget: this.budget(),
      jumpConnections: this.hops.size,
    };
  }

  override createConnection(_options: ClientRequestArgs, callback: (err: Error | null, stream?: Duplex) => void): undefined {
    this.session('docker system dial-stdio').then(
      (stream) => {
        // When dial-stdio fails on the host (its engine is down), say so with its own words
        // rather than the bare "socket hang up" the HTTP client would report.
        let stderr = '';
        stream.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-500)));
        stream.once('exit', (code: number | null) => {
          if (code) {
            stream.emit('error', new SshError(`${this.describe()}: "docker system dial-stdio" on the host stopped (exit ${code}): ${stderr.trim() || 'no message'}. Check that the Docker engine on that host runs, then Retry.`, 'connect'));
          }
        });
        callback(null, withSocketMethods(stream as unknown as Duplex));
      },
      (err: Error) => callback(err),
    );
    return undefined;
  }

  /**
   * Runs `command` in a session channel on a connection with room, opening another connection
   * when all are at their budget. A channel the server refuses lowers the budget and is tried
   * again on another connection.
   * @throws SshError when no connection can be made, or (kind 'sessions') the server refuses
   *   session channels even on a fresh connection; (kind 'connect') when the command cannot start
   */
  async session(command: string): Promise<ClientChannel> {
    for (let attempt = 1; ; attempt++) {
      const conn = await this.reserve();
      const result = await new Promise<ClientChannel | Error>((resolve) => {
        conn.client.exec(command, (err, stream) => resolve(err ?? stream));
      });
      if (!(result instanceof Error)) {
        conn.open++;
        owner.set(result, conn.client);
        conn.channels.add(result);
        result.once('close', () => {
          conn.channels.delete(result);
          conn.open--;
          this.release(conn);
        });
        return result;
      }
      const openThen = conn.open;
      this.release(conn);
      if (conn.closed) {
        if (attempt < SESSION_ATTEMPTS) continue;
        throw new SshError(`${this.describe()}: the SSH connection closed while opening a channel. Retry.`, 'connect');
      }
      // "open failed": sshd's MaxSessions (session.c: "no more sessions") or a channel limit
      if (!/open failure/i.test(result.message)) {
        throw new SshError(`${this.describe()}: could not run "${command}" there: ${result.message.replace(/^\(SSH\) /, '')}. Is the Docker CLI installed on that host?`, 'connect');
      }
      if (openThen > 0) learntBudgets.set(this.describe(), Math.min(this.budget(), openThen));
      if (openThen === 0 || attempt >= SESSION_ATTEMPTS) {
        throw new SshError(`${this.describe()}: the SSH server refused a session channel (${openThen} open on that connection): its MaxSessions (sshd_config) allows ${openThen === 0 ? 'none' : 'fewer than the extension needs'}. Raise MaxSessions on the server, or set mlLab.engine.sshMaxSessions to its value, then Retry.`, 'sessions');
      }
    }
  }

  /** A connection with room for one more session channel (reserved for the caller). */
  private async reserve(): Promise<PooledConnection> {
    for (;;) {
      const budget = this.budget();
      // the fullest connection with room: the others can close when idle
      const room = this.conns.filter((c) => !c.closed && c.sessions < budget).sort((a, b) => b.sessions - a.sessions)[0];
      if (room) {
        room.sessions++;
        clearTimeout(room.idleTimer);
        return room;
      }
      const total = this.conns.reduce((n, c) => n + c.sessions, 0);
      const pending = this.connecting;
      if (pending) {
        // every request waiting for this connection shares its outcome (one host-key question, one error)
        try {
          await pending;
        } catch (err) {
          if (!this.conns.some((c) => !c.closed)) throw err;
          // the server takes no more connections now (MaxStartups, a per-user limit): wait for room on those there are
          await new Promise<void>((resolve) => this.waiting.push(resolve));
        }
      } else if (total >= MAX_SESSIONS_PER_ENGINE) {
        await new Promise<void>((resolve) => this.waiting.push(resolve));
      } else {
        this.connecting = this.connect().finally(() => (this.connecting = undefined)); // awaited as `pending` next round
      }
    }
  }

  private release(conn: PooledConnection): void {
    conn.sessions = Math.max(0, conn.sessions - 1);
    this.waiting.shift()?.();
    this.scheduleIdleClose(conn);
  }

  private scheduleIdleClose(conn: PooledConnection): void {
    clearTimeout(conn.idleTimer);
    if (conn.closed || conn.sessions > 0 || conn.pins > 0 || this.conns.find((c) => !c.closed) === conn) return;
    conn.idleTimer = setTimeout(() => {
      if (conn.sessions > 0 || conn.pins > 0) return;
      conn.closed = true;
      conn.client.end();
    }, IDLE_CLOSE_MS).unref();
  }

  /** Makes one more connection to the target (through its jump hosts) and adds it to the pool. */
  private async connect(): Promise<PooledConnection> {
    const generation = this.generation;
    const client = await this.connectTo(this.target, []);
    const conn: PooledConnection = { client, sessions: 0, open: 0, pins: 0, closed: false, channels: new Set() };
    client.on('error', () => undefined); // a later error closes it: 'close' below
    client.once('close', () => {
      conn.closed = true;
      clearTimeout(conn.idleTimer);
      const i = this.conns.indexOf(conn);
      if (i >= 0) this.conns.splice(i, 1);
      this.dropPooled(conn);
      // the streams on it (a wait, a log follow) learn at once that they were cut: a wait is made again
      for (const ch of conn.channels) {
        // (a channel nobody listens on any more, as one the HTTP client let go of, is only closed)
        if (ch.listenerCount('error') > 0) ch.emit('error', Object.assign(new Error(`${this.describe()}: the SSH connection closed`), { code: 'ECONNRESET' }));
        ch.destroy();
      }
      conn.channels.clear();
      for (const w of this.waiting.splice(0)) w();
    });
    if (generation !== this.generation) {
      client.end();
      throw new SshError(`${this.describe()}: the engine was closed.`, 'connect');
    }
    this.conns.push(conn);
    return conn;
  }

  /**
   * Connects to `t`, through its ProxyJump hops (each its own SSH connection, its host key
   * checked) or its ProxyCommand. `chain` lists the hops already on the way (loops are refused).
   */
  private async connectTo(t: SshTarget, chain: string[]): Promise<Client> {
    if (!t.proxyJump.length) return connectSsh(t, this.policy, this.ssh2);
    if (chain.length >= 8 || chain.includes(describeTarget(t))) {
      throw new SshError(`${this.describe()}: the ProxyJump chain of ~/.ssh/config loops or is longer than 8 hops (${[...chain, describeTarget(t)].join(' -> ')}).`, 'connect');
    }
    const hops = t.proxyJump;
    const last = hops[hops.length - 1];
    let hop: SshTarget;
    try {
      hop = sshTarget(parseJumpHop(last), this.options);
    } catch (err) {
      throw new SshError(`${this.describe()}: ${(err as Error).message}`, 'connect');
    }
    // `ProxyJump a,b`: b is reached through a (ssh -J a -W %h:%p b); a single hop keeps its own ProxyJump
    if (hops.length > 1) hop = { ...hop, proxyJump: hops.slice(0, -1), proxyCommand: undefined };
    const key = [...hop.proxyJump, describeTarget(hop)].join(' -> ');
    let jump = this.hops.get(key);
    if (!jump) {
      jump = this.connectTo(hop, [...chain, describeTarget(t)]).catch((err: unknown) => {
        this.hops.delete(key);
        const m = err instanceof Error ? err.message : String(err);
        throw new SshError(`${this.describe()}: could not reach the jump host ${last} (ProxyJump in ~/.ssh/config): ${m}`, err instanceof SshError ? err.kind : 'connect');
      });
      this.hops.set(key, jump);
      void jump.then((c) => {
        c.on('error', () => undefined);
        c.once('close', () => {
          if (this.hops.get(key) === jump) this.hops.delete(key);
        });
      }, () => undefined);
    }
    const via = await jump;
    const sock = await new Promise<Duplex>((resolve, reject) => {
      via.forwardOut('127.0.0.1', 0, t.hostName, t.port, (err, channel) => {
        if (err) reject(new SshError(`${describeTarget(t)}: the jump host ${last} could not reach ${t.hostName}:${t.port}: ${err.message.replace(/^\(SSH\) /, '')}. Check the HostName and Port of ${t.alias} as the jump host sees them, and that the jump host allows TCP forwarding (AllowTcpForwarding).`, 'connect'));
        else resolve(channel as unknown as Duplex);
      });
    });
    return connectSsh(t, this.policy, this.ssh2, sock);
  }

  /**
   * A connection for a port forward, held until `release()`: its `direct-tcpip` channels are
   * not sessions, so any connection takes them; the forward closes when it closes.
   */
  async pin(): Promise<PinnedConnection> {
    let conn = this.conns.find((c) => !c.closed);
    if (!conn) {
      // make one (the first session's way), without keeping a session
      const reserved = await this.reserve();
      this.release(reserved);
      conn = reserved;
    }
    const c = conn;
    c.pins++;
    clearTimeout(c.idleTimer);
    let released = false;
    return {
      forwardOut: (host, port) => new Promise<Duplex>((resolve, reject) => {
        if (c.closed) {
          reject(new SshError(`${this.describe()}: the SSH connection closed.`, 'connect'));
          return;
        }
        c.client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
          if (err) reject(new SshError(`${this.describe()}: could not reach ${host}:${port} there: ${err.message.replace(/^\(SSH\) /, '')}. Is the container running with that port published, and does sshd allow TCP forwarding (AllowTcpForwarding)?`, 'forward'));
          else resolve(withSocketMethods(channel as unknown as Duplex));
        });
      }),
      onClose: (listener) => {
        if (c.closed) listener();
        else c.client.once('close', listener);
      },
      release: () => {
        if (released) return;
        released = true;
        c.pins--;
        this.scheduleIdleClose(c);
      },
    };
  }

  /**
   * A TCP channel to `host:port` as the SSH host sees it (what `ssh -L` opens for each
   * connection), on a connection of the pool. `host` is usually 127.0.0.1 on that machine.
   * @throws SshError when the SSH connection cannot be made, or (kind 'forward') the host refuses
   *   the channel (nothing listens there, or sshd has AllowTcpForwarding no)
   */
  async forwardOut(host: string, port: number): Promise<Duplex> {
    const pinned = await this.pin();
    try {
      const channel = await pinned.forwardOut(host, port);
      channel.once('close', () => pinned.release());
      return channel;
    } catch (err) {
      pinned.release();
      throw err;
    }
  }

  /** `root@10.231.4.2:22` */
  describe(): string {
    return describeTarget(this.target);
  }

  /** Closes the kept-alive channels not in use (the next request opens a fresh one). */
  dropIdle(): void {
    this.dropPooled();
  }

  /**
   * Forgets the kept-alive channels of `conn` (all when unset): they die with their SSH
   * connection, and an ssh2 channel's destroy() does not mark it `destroyed` (Node's agent would
   * hand it out again).
   */
  private dropPooled(conn?: PooledConnection): void {
    const free = this.freeSockets as Record<string, Array<{ destroy(): void }> | undefined>;
    for (const name of Object.keys(free)) {
      const keep: Array<{ destroy(): void }> = [];
      for (const socket of free[name] ?? []) {
        if (!conn || owner.get(socket) === conn.client) socket.destroy();
        else keep.push(socket);
      }
      if (keep.length) free[name] = keep;
      else delete free[name];
    }
  }

  /** Closes every connection (jump hosts too); the next request makes new ones. */
  override destroy(): void {
    this.generation++;
    this.dropPooled();
    super.destroy();
    for (const c of this.conns.splice(0)) c.client.end();
    for (const h of this.hops.values()) void h.then((c) => c.end(), () => undefined);
    this.hops.clear();
    for (const w of this.waiting.splice(0)) w();
  }
}

/** Which SSH connection a channel belongs to (to drop only its kept-alive sockets when it closes). */
const owner = new WeakMap<object, Client>();

/** http's ClientRequest may call these on its socket; an SSH channel has none of them. */
function withSocketMethods(stream: Duplex): Duplex {
  const s = stream as Duplex & Record<string, unknown>;
  for (const m of ['setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref']) {
    if (typeof s[m] !== 'function') s[m] = () => stream;
  }
  return stream;
}
