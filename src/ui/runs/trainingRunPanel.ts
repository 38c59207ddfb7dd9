/**
 * The Training Run panel (a webview): live line charts of each metric (uPlot, loaded from the
 * .vsix into the webview only), status, duration, exit code, image and last values; and the
 * Compare Runs panel: each metric's curves of several runs overlaid, and a table of what
 * differs. Content Security Policy: scripts only with the page's nonce, styles only from the
 * extension. Both panels survive a reload (WebviewPanelSerializer): a run panel is rebuilt
 * from its stored record and, while the container exists, from the container's logs.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { MetricStream, type MetricPoint, type MetricSeries } from '../../core/logs/metrics';
import { formatDuration } from '../../core/logs/urls';
import { alignSeries, compareTable, formatMetricValue, runLabel, type RunRecord } from '../../core/runs/record';
import type { RunHistory } from '../shared/runHistory';
import { ResourceFeed, type ResourceUpdate } from '../shared/resourceFeed';
import type { ResourcePeaks, ResourceSample, GpuSample } from '../../core/runs/stats';
import type { EngineSession } from '../base/session';

export const RUN_PANEL_TYPE = 'mlLab.trainingRun';
export const COMPARE_PANEL_TYPE = 'mlLab.compareRuns';

/** What the panel is about: a recorded run, or a container the extension did not start. */
export interface RunPanelTarget {
  runId?: string;
  containerId?: string;
}

/** Points reach the webview in batches at most this often (ms): 20 messages/s, well under the 250 ms goal. */
const flushEveryMs = 50;

function html(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p));
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${webview.cspSource} data:; style-src ${webview.cspSource}; font-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${asset('dist', 'webview', 'uPlot.min.css')}">
<link rel="stylesheet" href="${asset('dist', 'webview', 'runPanel.css')}">
<title>${title.replace(/[<&]/g, '')}</title></head>
<body><div id="app"><p class="muted">Loading…</p></div>
<script nonce="${nonce}" src="${asset('dist', 'webview', 'uPlot.iife.min.js')}"></script>
<script nonce="${nonce}" src="${asset('dist', 'webview', 'runPanel.js')}"></script>
</body></html>`;
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
  };
}

/** The header fields the panel shows. */
interface RunInfo {
  title: string;
  status: string;
  exitCode?: number;
  duration?: string;
  image: string;
  digest?: string;
  container: string;
  engine?: string;
  git?: string;
  startedAt?: string;
  running: boolean;
  /** why the run died (one sentence), when it was diagnosed */
  diagnosis?: string;
}

/** The resources part of the panel's first message: recent samples, the latest GPU sample, peaks. */
interface ResourcesInit {
  samples: ResourceSample[];
  gpu?: GpuSample;
  peaks?: ResourcePeaks;
  /** whether the figures are live (a stats stream follows the container) */
  live: boolean;
}

function infoOf(r: RunRecord): RunInfo {
  const running = r.status === 'running';
  return {
    title: runLabel(r),
    status: running ? 'running' : r.status === 'lost' ? 'outcome unknown' : 'exited',
    exitCode: r.exitCode,
    duration: r.durationMs !== undefined ? formatDuration(r.durationMs) : undefined,
    image: r.image.reference,
    digest: r.image.repoDigests[0] ?? r.image.id,
    container: r.containerName,
    engine: r.engine,
    git: r.git ? `${r.git.commit.slice(0, 12)}${r.git.dirty ? ' (dirty)' : ''}` : undefined,
    startedAt: r.startedAt,
    running,
    diagnosis: r.diagnosis?.message,
  };
}

function seriesObject(m: Map<string, MetricSeries> | Record<string, MetricSeries>): Record<string, { xs: number[]; ys: number[]; xKind: string }> {
  const out: Record<string, { xs: number[]; ys: number[]; xKind: string }> = {};
  for (const [k, s] of m instanceof Map ? m : Object.entries(m)) out[k] = { xs: [...s.xs], ys: [...s.ys], xKind: s.xKind };
  return out;
}

/** Open Training Run panels, one per run or container. */
const openPanels = new Map<string, TrainingRunPanel>();

export class TrainingRunPanel {
  private readonly disposables: vscode.Disposable[] = [];
  private pending: MetricPoint[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();
  private ready = false;
  private disposed = false;
  private stream: MetricStream | undefined;
  private info: RunInfo | undefined;
  /** stats samples reach the webview at most this often (ms); the engine sends about one a second */
  private lastResourcesPost = 0;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly key: string,
    private readonly target: RunPanelTarget,
    private readonly history: RunHistory,
    private readonly session: EngineSession,
    extensionUri: vscode.Uri,
  ) {
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = html(panel.webview, extensionUri, panel.title);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: { type?: string }) => {
        if (m?.type === 'ready') void this.load();
      }),
    );
  }

  /** Opens (or reveals) the panel of a run or container. */
  static show(history: RunHistory, session: EngineSession, extensionUri: vscode.Uri, target: RunPanelTarget): TrainingRunPanel {
    const record = target.runId ? history.get(target.runId) ?? history.activeRun(target.runId)?.record : target.containerId ? history.forContainer(target.containerId) : undefined;
    const t: RunPanelTarget = record ? { runId: record.id, containerId: record.containerId } : target;
    const key = t.runId ?? `container:${t.containerId}`;
    const open = openPanels.get(key);
    if (open) {
      open.panel.reveal();
      return open;
    }
    const title = `Training Run: ${record ? record.containerName : (t.containerId ?? '').slice(0, 12)}`;
    const panel = vscode.window.createWebviewPanel(RUN_PANEL_TYPE, title, vscode.ViewColumn.Active, webviewOptions(extensionUri));
    return TrainingRunPanel.attach(panel, history, session, extensionUri, t);
  }

  /** Attaches to a panel (a new one, or one VS Code restored after a reload). */
  static attach(panel: vscode.WebviewPanel, history: RunHistory, session: EngineSession, extensionUri: vscode.Uri, target: RunPanelTarget): TrainingRunPanel {
    const key = target.runId ?? `container:${target.containerId}`;
    const p = new TrainingRunPanel(panel, key, target, history, session, extensionUri);
    openPanels.set(key, p);
    return p;
  }

  private post(message: unknown): void {
    void this.panel.webview.postMessage(message);
  }

  /** Sends the header and every point known so far, then follows new points. */
  private async load(): Promise<void> {
    this.ready = true;
    const { runId, containerId } = this.target;
    const active = runId ? this.history.activeRun(runId) : containerId ? this.history.activeRun(containerId) : undefined;
    if (active) {
      this.info = infoOf(active.record);
      const feed = active.resources;
      this.post({ type: 'init', mode: 'run', state: this.target, info: this.info, series: seriesObject(active.metrics.series), resources: { samples: [...feed.recent], gpu: feed.latestGpu, peaks: feed.peaks, live: true } satisfies ResourcesInit });
      const stop = active.metrics.onPoints((ps) => this.queue(ps));
      // the recorder's stream (one per run, it keeps the peaks): the panel only listens, and stops listening when it closes
      const stopResources = feed.onUpdate((u) => this.postResources(u));
      this.disposables.push({ dispose: stop }, { dispose: stopResources });
      void active.done.then((r) => this.finish(infoOf(r), r.peaks));
      return;
    }
    const record = runId ? this.history.get(runId) : undefined;
    const engine = this.session.get();
    const cid = record?.containerId ?? containerId;
    let inspect: Record<string, unknown> | undefined;
    if (cid) inspect = await engine.inspectContainer(cid).catch(() => undefined);
    if (!inspect) {
      if (!record) {
        this.post({ type: 'error', message: `The container ${cid?.slice(0, 12)} no longer exists and no run record names it.` });
        return;
      }
      // the container is gone: the stored points are all there is
      this.info = infoOf(record);
      this.post({ type: 'init', mode: 'run', state: this.target, info: this.info, series: seriesObject(record.series), resources: { samples: [], peaks: record.peaks, live: false } satisfies ResourcesInit });
      return;
    }
    // rebuild from the container's logs (after a reload, or for a container the extension did not start)
    const st = inspect.State as { Running?: boolean; ExitCode?: number; StartedAt?: string; FinishedAt?: string } | undefined;
    const cfg = inspect.Config as { Image?: string } | undefined;
    const running = st?.Running === true;
    this.info = record
      ? { ...infoOf(record), running, status: running ? 'running' : 'exited', exitCode: running ? undefined : (record.exitCode ?? st?.ExitCode) }
      : {
          title: String(inspect.Name ?? cid).replace(/^\//, ''),
          status: running ? 'running' : 'exited',
          exitCode: running ? undefined : st?.ExitCode,
          image: cfg?.Image ?? String(inspect.Image),
          digest: String(inspect.Image),
          container: String(inspect.Name ?? cid).replace(/^\//, ''),
          startedAt: st?.StartedAt,
          running,
          duration: !running && st?.StartedAt && st.FinishedAt ? formatDuration(Date.parse(st.FinishedAt) - Date.parse(st.StartedAt)) : undefined,
        };
    this.stream = new MetricStream();
    // A container no recorder follows: the panel's own stats stream, ended when the panel closes
    // (this.abort) or the container stops. GPUs are sampled when it was created with a GPU request.
    const deviceRequests = (inspect.HostConfig as { DeviceRequests?: Array<{ Capabilities?: string[][] }> | null } | undefined)?.DeviceRequests ?? [];
    const gpus = deviceRequests.some((d) => (d.Capabilities ?? []).some((c) => c.includes('gpu')));
    const feed = running ? new ResourceFeed(engine, cid!, { gpus, signal: this.abort.signal }) : undefined;
    if (feed) this.disposables.push({ dispose: feed.onUpdate((u) => this.postResources(u)) });
    this.post({ type: 'init', mode: 'run', state: this.target, info: this.info, series: {}, resources: { samples: [], peaks: record?.peaks, live: !!feed } satisfies ResourcesInit });
    this.stream.onPoints((ps) => this.queue(ps));
    await engine.logs(cid!, (text) => this.stream!.push(text), { follow: running, signal: this.abort.signal }).catch(() => undefined);
    this.stream.end();
    if (running && !this.abort.signal.aborted) {
      const code = await engine.waitContainer(cid!).then((r) => r.exitCode, () => undefined);
      const rec = runId ? this.history.get(runId) : undefined;
      // the record may not be finished yet (its recorder ends after the logs): the container's exit code is known
      this.finish(rec && rec.status !== 'running' ? infoOf(rec) : { ...this.info, running: false, status: 'exited', exitCode: code });
    }
  }

  /** A stats or GPU sample to the webview (stats at most every 500 ms; GPU samples always). */
  private postResources(u: ResourceUpdate): void {
    if (!this.ready || this.disposed) return;
    const now = Date.now();
    if (u.sample && !u.gpu && now - this.lastResourcesPost < 500) return;
    this.lastResourcesPost = now;
    this.post({ type: 'resources', sample: u.sample, gpu: u.gpu, peaks: u.peaks, sentAt: now });
  }

  private finish(info: RunInfo, peaks?: ResourcePeaks): void {
    if (this.disposed) return;
    this.flush();
    this.info = info;
    this.post({ type: 'status', info, peaks });
  }

  private queue(points: MetricPoint[]): void {
    if (!this.ready || this.disposed) return;
    for (const p of points) this.pending.push(p);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), flushEveryMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length) return;
    const points = this.pending.map((p) => [p.name, p.x, p.y, p.xKind]);
    this.pending = [];
    this.post({ type: 'points', points, sentAt: Date.now() });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    openPanels.delete(this.key);
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}

/** The Compare Runs panel of `ids` (two or more records). */
export function showComparePanel(history: RunHistory, extensionUri: vscode.Uri, ids: string[], panel?: vscode.WebviewPanel): vscode.WebviewPanel {
  const p = panel ?? vscode.window.createWebviewPanel(COMPARE_PANEL_TYPE, `Compare Runs (${ids.length})`, vscode.ViewColumn.Active, webviewOptions(extensionUri));
  p.webview.options = webviewOptions(extensionUri);
  p.webview.html = html(p.webview, extensionUri, p.title);
  const sub = p.webview.onDidReceiveMessage((m: { type?: string }) => {
    if (m?.type !== 'ready') return;
    const runs = ids.map((id) => history.get(id)).filter((r): r is RunRecord => !!r);
    if (runs.length < 2) {
      void p.webview.postMessage({ type: 'error', message: 'Fewer than two of these runs are still recorded: nothing to compare.' });
      return;
    }
    const names = [...new Set(runs.flatMap((r) => Object.keys(r.series)))].sort();
    const metrics: Record<string, { xs: number[]; ys: Array<Array<number | null>>; xKind: string }> = {};
    for (const n of names) metrics[n] = { ...alignSeries(runs.map((r) => r.series[n])), xKind: runs.find((r) => r.series[n])!.series[n].xKind };
    void p.webview.postMessage({
      type: 'init',
      mode: 'compare',
      state: { compare: ids },
      runs: runs.map((r) => runLabel(r)),
      metrics,
      table: compareTable(runs),
      finals: runs.map((r) => Object.fromEntries(Object.entries(r.metrics).map(([k, m]) => [k, formatMetricValue(m.final)]))),
    });
  });
  p.onDidDispose(() => sub.dispose());
  return p;
}

/** Restores both panels after a reload from the state their webviews saved. */
export function registerPanelSerializers(history: RunHistory, session: EngineSession, extensionUri: vscode.Uri): vscode.Disposable[] {
  return [
    vscode.window.registerWebviewPanelSerializer(RUN_PANEL_TYPE, {
      deserializeWebviewPanel: async (panel, state: RunPanelTarget | undefined) => {
        if (!state || (!state.runId && !state.containerId)) {
          panel.dispose();
          return;
        }
        TrainingRunPanel.attach(panel, history, session, extensionUri, state);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(COMPARE_PANEL_TYPE, {
      deserializeWebviewPanel: async (panel, state: { compare?: string[] } | undefined) => {
        if (!state?.compare?.length) {
          panel.dispose();
          return;
        }
        showComparePanel(history, extensionUri, state.compare, panel);
      },
    }),
  ];
}
