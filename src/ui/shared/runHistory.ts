/**
 * The run history: records every run the extension starts (src/ui/shared/runner.ts calls
 * `record`, for interactive `-it` runs too, which are followed on their attach stream),
 * follows the container's logs on its own stream to parse metrics (the logs
 * terminal is not touched, so parsing never slows it), and finishes the record when the
 * container exits. Records are kept by RunStore in workspace storage, or in the workspace
 * folder named by `mlLab.runs.location`.
 */
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { SettingIds } from '../../core/ids';
import { MetricStream } from '../../core/logs/metrics';
import type { MetricPattern } from '../../core/logs/metricLines';
import type { RunRequest } from '../../core/run/createOptions';
import { artifactsMount, finished, newRecord, withMetrics, type RunRecord, type RunSource } from '../../core/runs/record';
import { RunStore } from '../../core/runs/store';
import { gitState, listArtifacts, requirementsFile } from '../../core/runs/workspaceInfo';
import { diagnoseExit, LastLines } from '../../core/runs/diagnosis';
import { ResourceFeed } from './resourceFeed';
import type { EngineSession } from '../base/session';
import type { Engine } from '../../engine/engine';
import { log } from '../base/log';

/** How a run was started, for its record. */
export interface RecordOptions {
  source?: RunSource;
  profile?: string;
  /** the image reference to record when `req.image` is an image id (re-run by digest) */
  imageReference?: string;
  /** the engine the run is on, when not the current one (a profile's `engine:`) */
  engine?: Engine;
  /** a profile's `metrics:` patterns, tried on each log line before the built-in forms */
  metricPatterns?: MetricPattern[];
  /**
   * Sample GPUs with nvidia-smi even when the request asks for none (a container that has
   * GPUs by other means, or a test on an engine without a GPU runtime); default: when it asks.
   */
  sampleGpus?: boolean;
  /** ms between GPU samples (default 5,000) */
  gpuIntervalMs?: number;
}

/**
 * Where a run's output and exit code come from when not from the engine's logs and wait
 * (an interactive run: the attach stream the terminal reads, and its own exit).
 */
export interface RunOutputSource {
  /** hands the output over as it comes to `onText`; resolves when the output ends */
  text(onText: (text: string) => void): Promise<void>;
  /** the exit code (undefined when unknown) */
  exited: Promise<number | undefined>;
}

/** A run being followed in this window: its record and its live metrics. */
export interface ActiveRun {
  record: RunRecord;
  metrics: MetricStream;
  /** resolves with the finished record */
  done: Promise<RunRecord>;
  /**
   * Follows the run's log text on the recorder's own stream (no second engine stream: a
   * second one halves what the terminal gets per second at full speed, bench/metrics.bench.ts),
   * from the start. Resolves when the logs end or `signal` aborts. After the first 10 s or
   * 4 MB the start is no longer kept, and this falls back to a stream of its own.
   */
  follow(onText: (text: string) => void, signal: AbortSignal): Promise<void>;
  /** the container's stats stream (and GPU samples) while it runs: latest figures and peaks */
  resources: ResourceFeed;
}

/** How long the recorder waits after the exit for the stats stream's last entries, in ms. */
const statsTailMs = 3_000;

/** How long and how much of a run's first log text is kept for a terminal that attaches late. */
const earlyKeepMs = 10_000;
const earlyKeepBytes = 4 * 1024 * 1024;

const DEFAULT_MAX_MB = 50;

export class RunHistory implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a record is added, finished or deleted. */
  readonly onDidChange = this.changed.event;
  private readonly active = new Map<string, ActiveRun>();
  private readonly aborts = new Set<AbortController>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly session: EngineSession,
  ) {}

  /**
   * Where records are kept: `mlLab.runs.location` (a folder relative to the first workspace
   * folder, or absolute) when set, else `<workspace storage>/runs`, else (no workspace) global storage.
   */
  folder(): string {
    const setting = (vscode.workspace.getConfiguration().get<string>(SettingIds.runsLocation) ?? '').trim();
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (setting) return isAbsolute(setting) || !ws ? setting : join(ws, setting);
    return join((this.context.storageUri ?? this.context.globalStorageUri).fsPath, 'runs');
  }

  /** `mlLab.runs.maxTotalMB` in bytes (default 50 MB; at least 1 MB). */
  maxBytes(): number {
    const mb = vscode.workspace.getConfiguration().get<number>(SettingIds.runsMaxTotalMB) ?? DEFAULT_MAX_MB;
    return Math.max(1, Number.isFinite(mb) ? mb : DEFAULT_MAX_MB) * 1024 * 1024;
  }

  store(): RunStore {
    return new RunStore(this.folder(), () => this.maxBytes());
  }

  list(): RunRecord[] {
    return this.store().list();
  }

  get(id: string): RunRecord | undefined {
    return this.store().get(id);
  }

  /** The run followed in this window with that record id or container id. */
  activeRun(idOrContainer: string): ActiveRun | undefined {
    return this.active.get(idOrContainer) ?? [...this.active.values()].find((a) => a.record.containerId === idOrContainer);
  }

  /** The newest record of a container, if any. */
  forContainer(containerId: string): RunRecord | undefined {
    return this.activeRun(containerId)?.record ?? this.list().find((r) => r.containerId === containerId || containerId.startsWith(r.containerId));
  }

  delete(ids: string[]): void {
    const store = this.store();
    for (const id of ids) store.delete(id);
    this.changed.fire();
  }

  /**
   * Records a run that has just started and follows it until it exits. Never throws: a
   * failure to record is logged, the run itself goes on.
   */
  record(req: RunRequest, container: { id: string; name: string }, o: RecordOptions = {}, source?: RunOutputSource): ActiveRun | undefined {
    try {
      return this.start(req, container, o, source);
    } catch (err) {
      log().warn(`Could not record the run of ${container.name}: ${(err as Error).message}`);
      return undefined;
    }
  }

  private start(req: RunRequest, container: { id: string; name: string }, o: RecordOptions, source?: RunOutputSource): ActiveRun {
    const engine = o.engine ?? this.session.get();
    const record = newRecord({
      source: o.source ?? 'guided',
      profile: o.profile,
      container,
      request: req,
      image: { reference: o.imageReference ?? req.image, repoDigests: [] },
      engine: engine.connection.describe,
      startedAt: new Date(),
    });
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return this.follow(record, engine, { gpus: o.sampleGpus, gpuIntervalMs: o.gpuIntervalMs }, async (r) => {
      const [raw, git] = await Promise.all([engine.inspectImageRaw(req.image).catch(() => undefined), ws ? gitState(ws) : Promise.resolve(undefined)]);
      const image = raw ? { ...r.image, id: raw.Id as string | undefined, repoDigests: (raw.RepoDigests as string[] | undefined) ?? [] } : r.image;
      return { ...r, image, git };
    }, source, o.metricPatterns);
  }

  /**
   * Records that say "running" but no window follows (the window reloaded or closed during
   * the run): follows each again from the start of its container's logs, or marks it 'lost'
   * when the container is gone. Called once, after activation.
   */
  async resumeUnfinished(): Promise<void> {
    const running = this.list().filter((r) => r.status === 'running' && !this.active.has(r.id));
    if (!running.length) return;
    for (const r of running) {
      // the run's own engine (a profile may have named another one than the current)
      let engine: Engine | undefined;
      try {
        engine = this.session.engineDescribed(r.engine);
      } catch { /* that engine is no longer known */ }
      const exists = engine ? await engine.inspectContainer(r.containerId).then(() => true, () => false) : false;
      if (engine && exists) this.follow(r, engine, {});
      else this.save({ ...r, status: 'lost' });
    }
  }

  /** Follows a recorded run's logs to its end, then saves its metrics, exit code and artifacts. */
  private follow(record: RunRecord, engine: Engine, gpu: { gpus?: boolean; gpuIntervalMs?: number }, complete?: (r: RunRecord) => Promise<RunRecord>, source?: RunOutputSource, metricPatterns: MetricPattern[] = []): ActiveRun {
    const containerId = record.containerId;
    const metrics = new MetricStream({}, metricPatterns);
    const tail = new LastLines();
    const abort = new AbortController();
    this.aborts.add(abort);
    const resources = new ResourceFeed(engine, containerId, { gpus: gpu.gpus ?? !!record.request.gpus, gpuIntervalMs: gpu.gpuIntervalMs, signal: abort.signal });
    const listeners = new Set<(text: string) => void>();
    let early: string[] | undefined = [];
    let earlyBytes = 0;
    const dropEarly = setTimeout(() => (early = undefined), earlyKeepMs);
    const onText = (text: string) => {
      for (const l of listeners) l(text); // the terminal first: parsing is only queued here
      metrics.push(text);
      tail.push(text);
      if (early) {
        early.push(text);
        earlyBytes += text.length;
        if (earlyBytes > earlyKeepBytes) early = undefined;
      }
    };
    const logsDone = (source ? source.text(onText) : engine.logs(containerId, onText, { follow: true, signal: abort.signal }))
      .catch(() => undefined)
      .finally(() => clearTimeout(dropEarly));
    const exited =
      source?.exited ??
      engine.waitContainer(containerId).then(
        (r) => r.exitCode,
        () => undefined,
      );
    const followText = (onText: (text: string) => void, signal: AbortSignal): Promise<void> => {
      if (!early) return engine.logs(containerId, onText, { follow: true, signal });
      for (const t of early) onText(t);
      listeners.add(onText);
      return new Promise<void>((resolve) => {
        const stop = () => {
          listeners.delete(onText);
          resolve();
        };
        signal.addEventListener('abort', stop);
        void logsDone.then(stop);
      });
    };
    const run: ActiveRun = { record, metrics, done: Promise.resolve(record), follow: followText, resources };
    this.active.set(record.id, run);
    run.done = (async () => {
      if (complete) {
        run.record = await complete(run.record);
        this.save(run.record);
      }
      const exitCode = await exited;
      await logsDone;
      metrics.end();
      // the stream ends with the container; its last entries may still be on the way
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([resources.ended, new Promise<void>((r) => (timer = setTimeout(r, statsTailMs)))]);
      clearTimeout(timer);
      resources.stop();
      let r = withMetrics(run.record, metrics.series);
      r = exitCode === undefined ? { ...r, status: 'lost' } : finished(r, exitCode, new Date());
      if (resources.peaks.samples || resources.peaks.gpuMemoryMiB !== undefined) r = { ...r, peaks: resources.peaks };
      if (exitCode !== undefined && exitCode !== 0) {
        // a container removed at its exit (--rm) cannot tell whether it was OOM-killed
        const state = await engine.exitState(containerId).catch(() => undefined);
        const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
        const diagnosis = diagnoseExit({
          exitCode,
          oomKilled: state?.oomKilled,
          lastLines: tail.get(),
          memory: state?.memory ?? r.request.memory,
          shmSize: state?.shmSize ?? r.request.shmSize,
          ipcMode: r.request.ipcMode,
          mounts: r.request.mounts.map((m) => ({ type: m.type, source: m.source, target: m.target })),
          workingDir: r.request.workingDir,
          peakMemoryBytes: resources.peaks.memoryBytes,
          requirementsFile: ws ? requirementsFile(ws) : undefined,
        });
        if (diagnosis) r = { ...r, diagnosis };
      }
      const mount = artifactsMount(r.request);
      const files = mount && listArtifacts(mount.source);
      if (mount && files) r = { ...r, artifacts: { folder: mount.source, ...files } };
      run.record = r;
      this.save(r);
      this.aborts.delete(abort);
      this.active.delete(record.id);
      return r;
    })();
    run.done.catch((err: unknown) => log().warn(`Could not finish the record of ${record.containerName}: ${(err as Error).message}`));
    return run;
  }

  private save(r: RunRecord): void {
    const { bytes, dropped } = this.store().save(r);
    log().info(`Run record ${r.id} saved (${bytes} bytes)${dropped.length ? `; over mlLab.runs.maxTotalMB, deleted the oldest: ${dropped.join(', ')}` : ''}`);
    this.changed.fire();
  }

  dispose(): void {
    for (const a of this.aborts) a.abort();
    this.changed.dispose();
  }
}
