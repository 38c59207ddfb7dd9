/**
 * Background health checks of container apps. The Containers view asks `ready()` while it
 * lists (synchronous, from a cache: no network on the refresh path); apps not yet known are
 * checked in the background with bounded retries, and `onChange` fires when one becomes ready
 * so the view refreshes once more.
 */
import * as http from 'node:http';
import type { ContainerSummary } from '../engineTypes';
import { appUrl, containerApps, healthUrl, jupyterServerUrl, jupyterToken, type ContainerApp } from './apps';

/** A container app that answered its health path. */
export interface ReadyApp {
  app: ContainerApp;
  /** the URL to open (Jupyter's token included when it printed one) */
  url: string;
  /** for Jupyter: the server URL with its token, for VS Code's kernel picker */
  serverUrl?: string;
}

export interface MonitorDeps {
  /** true when GET `url` answers 2xx or 3xx within `timeoutMs` */
  probe(url: string, timeoutMs: number): Promise<boolean>;
  /** the container's recent log text (for Jupyter's token) */
  readLogs(containerId: string): Promise<string>;
  /** called after an app became ready, so the view lists again */
  onChange(): void;
  /** one line when an app becomes ready or is given up (never the token) */
  log?(line: string): void;
}

export interface MonitorOptions {
  /** health checks per app before giving up; default 40 */
  attempts?: number;
  /** first wait between checks in ms, doubling up to `maxIntervalMs`; default 250 */
  intervalMs?: number;
  /** default 2000 (so 40 attempts span about 75 s: a Jupyter image can take 10-30 s to start) */
  maxIntervalMs?: number;
  /** per-request timeout in ms; default 1500 */
  timeoutMs?: number;
  /** after giving up, check again when listed this long later; default 60 000 */
  retryAfterMs?: number;
}

type Entry = { state: 'checking' } | { state: 'ready'; ready: ReadyApp } | { state: 'failed'; at: number };

const keyOf = (a: ContainerApp) => `${a.containerId}:${a.port}:${a.hostPort}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class AppMonitor {
  private readonly entries = new Map<string, Entry>();
  private readonly o: Required<MonitorOptions>;
  private disposed = false;

  constructor(private readonly deps: MonitorDeps, options: MonitorOptions = {}) {
    this.o = { attempts: 40, intervalMs: 250, maxIntervalMs: 2000, timeoutMs: 1500, retryAfterMs: 60_000, ...options };
  }

  /**
   * The ready apps of the listed containers, by container id, from the cache. Starts a
   * background check for each app not checked yet (or given up more than `retryAfterMs` ago);
   * forgets the apps of containers that are no longer listed or no longer running (a restarted
   * container is checked again, and its new Jupyter token read).
   */
  ready(containers: readonly ContainerSummary[]): Map<string, ReadyApp[]> {
    const out = new Map<string, ReadyApp[]>();
    const seen = new Set<string>();
    for (const c of containers) {
      for (const app of containerApps(c)) {
        const key = keyOf(app);
        seen.add(key);
        const e = this.entries.get(key);
        if (e?.state === 'ready') out.set(c.id, [...(out.get(c.id) ?? []), e.ready]);
        else if (!e || (e.state === 'failed' && Date.now() - e.at > this.o.retryAfterMs)) this.start(key, app);
      }
    }
    for (const key of [...this.entries.keys()]) if (!seen.has(key)) this.entries.delete(key);
    return out;
  }

  /** Every app that answered, for commands (Copy Jupyter Server URL). */
  all(): ReadyApp[] {
    return [...this.entries.values()].flatMap((e) => (e.state === 'ready' ? [e.ready] : []));
  }

  dispose(): void {
    this.disposed = true;
    this.entries.clear();
  }

  private start(key: string, app: ContainerApp): void {
    this.entries.set(key, { state: 'checking' });
    void this.check(key, app);
  }

  private async check(key: string, app: ContainerApp): Promise<void> {
    let wait = this.o.intervalMs;
    for (let i = 0; i < this.o.attempts; i++) {
      if (this.disposed || this.entries.get(key)?.state !== 'checking') return;
      if (await this.deps.probe(healthUrl(app), this.o.timeoutMs).catch(() => false)) {
        const ready = await this.describe(app);
        if (this.entries.get(key)?.state !== 'checking') return;
        this.entries.set(key, { state: 'ready', ready });
        this.deps.log?.(`App ${app.name} in container ${app.containerId.slice(0, 12)} answered ${app.health} on host port ${app.hostPort} after ${i + 1} checks`);
        this.deps.onChange();
        return;
      }
      await sleep(wait);
      wait = Math.min(wait * 2, this.o.maxIntervalMs);
    }
    if (this.entries.get(key)?.state === 'checking') {
      this.entries.set(key, { state: 'failed', at: Date.now() });
      this.deps.log?.(`App ${app.name} in container ${app.containerId.slice(0, 12)} did not answer ${healthUrl(app)} after ${this.o.attempts} checks; checking again in ${this.o.retryAfterMs / 1000} s`);
    }
  }

  private async describe(app: ContainerApp): Promise<ReadyApp> {
    if (app.kind !== 'jupyter') return { app, url: appUrl(app) };
    const token = jupyterToken(await this.deps.readLogs(app.containerId).catch(() => ''), app);
    return { app, url: appUrl(app, token), serverUrl: jupyterServerUrl(app, token) };
  }
}

/**
 * GET `url` on loopback and resolve true for a 2xx or 3xx answer within `timeoutMs`, false
 * otherwise (refused, reset, timeout, 4xx/5xx). Never throws for network errors.
 * @throws Error when the host is not 127.0.0.1, localhost or [::1]: app checks never leave the machine.
 */
export function probeLoopback(url: string, timeoutMs: number): Promise<boolean> {
  const u = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) throw new Error(`App health checks only go to loopback, not ${u.hostname}`);
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
