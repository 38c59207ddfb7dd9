/**
 * Keeps the views current: subscribes to engine events while a view is visible, refreshes
 * 100 ms after the last event of a burst, reconnects with backoff when the event stream drops,
 * and polls slowly as a fallback. Does nothing while no view is visible.
 */
import * as vscode from 'vscode';
import type { EngineSession } from '../base/session';
import type { EngineEvent } from '../../core/engineTypes';
import { containerOfEvent, FALLBACK_POLL_MS, LOCAL_RECONNECT_BACKOFF_MS, MAX_RECONNECT_BACKOFF_MS, REFRESH_DEBOUNCE_MS, REFRESH_MAX_WAIT_MS } from '../../core/tree/refreshPolicy';

export class RefreshManager implements vscode.Disposable {
  private visibleViews = new Set<string>();
  private abort: AbortController | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly session: EngineSession,
    /**
     * Refreshes the views. `containers` is set when every event of the burst was about one
     * container (src/core/tree/refreshPolicy.ts containerOfEvent): only those containers changed (the views may ask for just them);
     * undefined means anything may have changed.
     */
    private readonly refreshAll: (changed?: { containers: string[] }) => void,
  ) {
    this.disposables.push(session.onDidChange(() => this.restart()));
  }

  /** Tells the manager a view's visibility; the event stream runs while any view is visible. */
  setVisible(viewId: string, visible: boolean): void {
    if (visible) this.visibleViews.add(viewId);
    else this.visibleViews.delete(viewId);
    if (this.visibleViews.size > 0) this.start();
    else this.stop();
  }

  /** When the first call of the pending burst came (ms since the epoch). */
  private burstStarted = 0;
  /** the containers the pending burst's events named; undefined once anything else asked for a refresh */
  private burstContainers: Set<string> | undefined = new Set();

  /**
   * Schedules one refresh `REFRESH_DEBOUNCE_MS` after the last call, but no later than
   * `REFRESH_MAX_WAIT_MS` after the first call of a burst (a steady stream of events must not
   * hold the views back).
   */
  schedule(event?: EngineEvent): void {
    const container = event && containerOfEvent(event);
    if (container) this.burstContainers?.add(container);
    else this.burstContainers = undefined;
    if (this.debounceTimer) {
      if (Date.now() - this.burstStarted >= REFRESH_MAX_WAIT_MS) return; // the pending refresh fires soon
      clearTimeout(this.debounceTimer);
    } else {
      this.burstStarted = Date.now();
    }
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      const containers = this.burstContainers;
      this.burstContainers = new Set();
      this.refreshAll(containers?.size ? { containers: [...containers] } : undefined);
    }, REFRESH_DEBOUNCE_MS);
  }

  private start(): void {
    if (this.abort) return;
    const abort = new AbortController();
    this.abort = abort;
    this.schedule(); // events were not followed while every view was hidden
    this.pollTimer = setInterval(() => this.refreshAll(), FALLBACK_POLL_MS);
    void this.listen(abort.signal);
  }

  private stop(): void {
    this.abort?.abort();
    this.abort = undefined;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  private restart(): void {
    const wasRunning = !!this.abort;
    this.stop();
    this.refreshAll();
    if (wasRunning) this.start();
  }

  private async listen(signal: AbortSignal): Promise<void> {
    let backoffMs = 1000;
    while (!signal.aborted) {
      const started = Date.now();
      try {
        // A refresh once subscribed too: events between the last listing and the subscription
        // (a container stopped while the stream reconnected) are in no stream.
        await this.session.get().events((e) => this.schedule(e), signal, () => this.schedule());
      } catch {
        // engine unreachable: the views show it; try again after the backoff
      }
      if (signal.aborted) return;
      if (Date.now() - started > 10_000) backoffMs = 1000; // the stream was up for a while: start over
      this.schedule(); // we may have missed events while disconnected
      await new Promise((r) => setTimeout(r, backoffMs));
      backoffMs = Math.min(backoffMs * 2, this.isLocal() ? LOCAL_RECONNECT_BACKOFF_MS : MAX_RECONNECT_BACKOFF_MS);
    }
  }

  /** The engine is on a local socket (a malformed setting counts as remote: retrying it fast helps no one). */
  private isLocal(): boolean {
    try {
      return this.session.get().connection.address.kind === 'socket';
    } catch {
      return false;
    }
  }

  dispose(): void {
    this.stop();
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    for (const d of this.disposables) d.dispose();
  }
}
