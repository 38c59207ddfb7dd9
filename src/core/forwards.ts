/**
 * Port forwards for remote engines, the engine-independent part: which forwards
 * exist, reusing one per target, closing them per engine, and the URL rewriting.
 *
 * A published host port of a container on a remote engine is a port on the remote machine:
 * `http://127.0.0.1:4000` printed by Jupyter, or shown in the Containers view, reaches nothing on
 * this machine. Over SSH, a free local port (127.0.0.1:<local>) is forwarded to
 * `<published host IP, or 127.0.0.1>:<host port>` on the remote (ssh2 `forwardOut`, what
 * `ssh -L` does: src/engine/forward.ts); the URL opened is then `http://127.0.0.1:<local>` with
 * the same path, query (Jupyter's `?token=`) and fragment. Over TCP+TLS there is no tunnel: the
 * URL names the remote host instead.
 */
import { UserError } from './errors';

/** Where a forward leads: a host port on the remote engine's machine. */
export interface ForwardTarget {
  /** the engine's name (Docker context name, `default`, ...): forwards close with their engine */
  engine: string;
  /** the address on the remote machine: `127.0.0.1`, or the IP the port binding names */
  remoteHost: string;
  /** the published host port, 1-65535 */
  remotePort: number;
}

/** An open forward: what the Port Forwards list shows. */
export interface PortForward extends ForwardTarget {
  /** `<engine>|<remoteHost>:<remotePort>` */
  key: string;
  /** the local port on 127.0.0.1 */
  localPort: number;
  /** ms since epoch */
  openedAt: number;
}

/** A listening forward made by the engine side; `close()` stops listening and ends its connections. */
export interface OpenedForward {
  localPort: number;
  close(): void;
  /** registers a callback for when the forward closes on its own (the SSH connection dropped) */
  onClose(listener: () => void): void;
}

/** The host names that mean "this machine" in a URL a container prints or the view shows. */
const LOOPBACK_OR_ANY = new Set(['127.0.0.1', 'localhost', '0.0.0.0', '::', '::1', '[::]', '[::1]']);

/** Whether a URL's host name means "the engine's own machine" (loopback, or all interfaces). */
export function isLoopbackOrAny(hostname: string): boolean {
  return LOOPBACK_OR_ANY.has(hostname.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

export const forwardKey = (t: ForwardTarget): string => `${t.engine}|${t.remoteHost}:${t.remotePort}`;

/**
 * The host port a URL on a remote engine names, and the remote address to forward to. Loopback
 * and all-interfaces hosts (`127.0.0.1`, `localhost`, `0.0.0.0`, `::`) become `127.0.0.1`; any
 * other IP (a port binding's own host IP, e.g. `10.0.0.5:4000->8080`) is kept. The port defaults
 * to the scheme's (80, 443).
 * @throws UserError when `url` is not an http(s) URL
 */
export function forwardTargetOf(url: string, engine: string): ForwardTarget {
  const u = parseHttpUrl(url);
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  return { engine, remoteHost: isLoopbackOrAny(u.hostname) ? '127.0.0.1' : u.hostname.replace(/^\[|\]$/g, ''), remotePort: port };
}

/**
 * The URL to open through a forward: `http://127.0.0.1:<localPort>` with the original path,
 * query and fragment (`/lab?token=abc` stays).
 * @example forwardedUrl('http://0.0.0.0:8888/lab?token=abc', 49152) === 'http://127.0.0.1:49152/lab?token=abc'
 */
export function forwardedUrl(url: string, localPort: number): string {
  const u = parseHttpUrl(url);
  u.hostname = '127.0.0.1';
  u.port = String(localPort);
  return u.toString();
}

/**
 * The URL to open for a TCP+TLS engine (no tunnel): a loopback or all-interfaces host is
 * replaced by the engine's host; a port binding's own IP is kept. The port, path and query stay.
 * Only a port published on all interfaces (or on that address) answers from here: a binding to
 * the remote's 127.0.0.1 cannot be reached over TCP, which the caller says.
 */
export function remoteHostUrl(url: string, engineHost: string): string {
  const u = parseHttpUrl(url);
  if (isLoopbackOrAny(u.hostname)) u.hostname = engineHost.includes(':') && !engineHost.startsWith('[') ? `[${engineHost}]` : engineHost;
  return u.toString();
}

function parseHttpUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`"${url}" is not a URL.`, { hint: 'Open a port binding row, or a URL such as http://127.0.0.1:4000.' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UserError(`"${url}": only http and https URLs can be opened through a port forward.`);
  return u;
}

/**
 * The forwards of this window. One forward per target, reused; two requests for the same
 * target while it opens share one forward. Each forward is closed by `close(key)`,
 * `closeEngine(name)` (the engine was switched away from or went down), `closeAll()`
 * (deactivation), or by itself (its SSH connection dropped), and then leaves the list.
 */
export class ForwardTable {
  private readonly open = new Map<string, { forward: PortForward; handle: OpenedForward }>();
  private readonly pending = new Map<string, Promise<PortForward>>();
  private readonly listeners = new Set<() => void>();

  /** `now` for tests; ms since epoch */
  constructor(private readonly now: () => number = Date.now) {}

  /**
   * The forward to `target`, opened with `openForward` when none exists yet.
   * @throws whatever `openForward` throws (nothing is listed then)
   */
  async get(target: ForwardTarget, openForward: (t: ForwardTarget) => Promise<OpenedForward>): Promise<PortForward> {
    const key = forwardKey(target);
    const existing = this.open.get(key);
    if (existing) return existing.forward;
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const p = (async () => {
      const handle = await openForward(target);
      const forward: PortForward = { ...target, key, localPort: handle.localPort, openedAt: this.now() };
      this.open.set(key, { forward, handle });
      handle.onClose(() => {
        if (this.open.get(key)?.handle === handle) {
          this.open.delete(key);
          this.fire();
        }
      });
      this.fire();
      return forward;
    })();
    this.pending.set(key, p);
    try {
      return await p;
    } finally {
      this.pending.delete(key);
    }
  }

  /** Open forwards, oldest first. */
  list(): PortForward[] {
    return [...this.open.values()].map((e) => e.forward).sort((a, b) => a.openedAt - b.openedAt || a.key.localeCompare(b.key));
  }

  /** Closes one forward; false when it was not open. */
  close(key: string): boolean {
    const e = this.open.get(key);
    if (!e) return false;
    this.open.delete(key);
    e.handle.close();
    this.fire();
    return true;
  }

  /** Closes every forward of an engine; returns how many were closed. */
  closeEngine(engine: string): number {
    const keys = [...this.open.values()].filter((e) => e.forward.engine === engine).map((e) => e.forward.key);
    for (const k of keys) this.close(k);
    return keys.length;
  }

  /** Closes every forward. */
  closeAll(): void {
    for (const k of [...this.open.keys()]) this.close(k);
  }

  /** Called after any change of the list; returns a function that unsubscribes. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private fire(): void {
    for (const l of this.listeners) l();
  }
}
