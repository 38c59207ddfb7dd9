/**
 * Runs a container the way every entry point does (guided run, profile, task): checks first
 * what would go wrong or surprise (a host port in use, a sensitive bind mount, a missing host
 * folder, GPUs on an engine without a GPU runtime, bind mounts on a remote engine), then creates
 * it, uploads what the run asks for, starts it, follows its
 * logs in a terminal (offering the URLs servers print) and tells when a detached job exits; an
 * interactive run (`-it`) gets a terminal attached to the container instead.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import { nextFreePort, isPortFree } from '../../core/run/freePort';
import { isSensitiveMountSource } from '../../core/run/guided';
import type { RunRequest } from '../../core/run/createOptions';
import { formatDuration } from '../../core/logs/urls';
import type { CommandContext } from './context';
import type { AttachedRun } from '../../engine/engine';
import { openLogsTerminal } from './logsTerminal';
import { openSessionTerminal } from './sessionTerminal';
import { log } from '../base/log';
import type { RecordOptions } from './runHistory';
import type { RunRecord } from '../../core/runs/record';
import { CommandIds } from '../../core/ids';
import { bindMounts, describeDownloads, isRemoteEngine, mountsAsCopies, mountsAsVolumes, remoteMountWarning } from '../../core/transfer/remoteMounts';
import { downloadWithProgress, uploadWithProgress } from './transfer';

/** How the pre-flight checks may ask; programmatic callers (tests, tasks) answer up front. */
export interface RunPolicy {
  /** 'ask' (default): offer the next free port; 'next': take it silently; 'fail': stop with a message */
  onPortInUse?: 'ask' | 'next' | 'fail';
  /** create missing bind-mount host folders without asking (default: ask) */
  createMissingFolders?: boolean;
  /** mount `/`, the home folder or the Docker socket without asking (default: ask) */
  allowSensitiveMounts?: boolean;
  /** open the logs terminal (default true) */
  showLogs?: boolean;
  /** notify when the container exits (default: when detached) */
  notifyExit?: boolean;
  /** user the image runs as (`Config.User`), to make created folders writable for it when VS Code runs as root */
  imageUser?: string;
  /**
   * For an interactive run (`-it`): takes the attached container instead of a new terminal (a
   * task's own terminal becomes the container's TTY). Not for programmatic arguments of commands.
   */
  onAttached?: (run: AttachedRun) => void;
  /** how the run is recorded in the run history; default: a guided run */
  record?: RecordOptions;
  /**
   * Bind mounts on a remote engine, which name the remote machine's folders:
   * 'ask' (default) shows the modal; 'copy' uploads/downloads instead; 'volume' uses named
   * volumes; 'keep' mounts the remote paths as they are.
   */
  remoteBindMounts?: 'ask' | 'copy' | 'volume' | 'keep';
}

const isLocalEngine = (ctx: CommandContext) => ctx.session.get().connection.address.kind === 'socket';

/** Checks host ports; returns the request with busy ports replaced, or undefined when the user cancels. */
async function checkPorts(ctx: CommandContext, req: RunRequest, policy: RunPolicy): Promise<RunRequest | undefined> {
  if (!isLocalEngine(ctx)) return req; // ports of a remote engine cannot be probed from here
  const ports = [];
  for (const p of req.ports) {
    if (p.hostPort === undefined || p.protocol !== 'tcp') {
      ports.push(p);
      continue;
    }
    const host = p.hostIp ?? req.bindAddress;
    if (await isPortFree(p.hostPort, host)) {
      ports.push(p);
      continue;
    }
    const next = await nextFreePort(p.hostPort + 1, host);
    const mode = policy.onPortInUse ?? 'ask';
    if (mode === 'fail') {
      throw new UserError(`Host port ${p.hostPort} is already in use on ${host}.`, { hint: `Choose another host port, e.g. ${next}:${p.containerPort}.` });
    }
    if (mode === 'ask') {
      const use = `Use ${next}`;
      const choice = await vscode.window.showWarningMessage(
        `Host port ${p.hostPort} is already in use on ${host}.`,
        { modal: true, detail: `Publish container port ${p.containerPort} on host port ${next} instead?` },
        use,
      );
      if (choice !== use) return undefined;
    }
    log().info(`Host port ${p.hostPort} in use: publishing container port ${p.containerPort} on ${next}`);
    ports.push({ ...p, hostPort: next });
  }
  return { ...req, ports };
}

/**
 * Bind mounts on a remote engine name folders of the engine's machine: says so before
 * the run, naming each, and offers copies or named volumes instead.
 * @returns the request to run (changed as chosen), or undefined when the user cancels
 */
async function checkRemoteMounts(ctx: CommandContext, req: RunRequest, policy: RunPolicy): Promise<RunRequest | undefined> {
  const connection = ctx.session.get().connection;
  const binds = bindMounts(req);
  if (!isRemoteEngine(connection.address) || binds.length === 0) return req;
  let mode = policy.remoteBindMounts ?? 'ask';
  if (mode === 'ask') {
    const { message, detail } = remoteMountWarning(binds, connection.describe, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
    const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, 'Copy Instead', 'Use Named Volumes', 'Run Anyway');
    mode = choice === 'Copy Instead' ? 'copy' : choice === 'Use Named Volumes' ? 'volume' : choice === 'Run Anyway' ? 'keep' : 'ask';
    if (mode === 'ask') return undefined;
  }
  log().info(`Bind mounts on the remote engine ${connection.describe}: ${mode === 'copy' ? 'copied instead' : mode === 'volume' ? 'named volumes instead' : 'kept'}`);
  if (mode === 'copy') return mountsAsCopies(req, existsSync);
  if (mode === 'volume') return mountsAsVolumes(req);
  return req;
}

async function checkMounts(ctx: CommandContext, req: RunRequest, policy: RunPolicy): Promise<boolean> {
  const home = homedir();
  for (const m of req.mounts) {
    if (m.type !== 'bind' || !isLocalEngine(ctx)) continue; // a remote engine's folders are not this machine's
    const reason = isSensitiveMountSource(m.source, home);
    if (reason && !policy.allowSensitiveMounts) {
      const choice = await vscode.window.showWarningMessage(
        `Mount ${m.source} into the container?`,
        { modal: true, detail: `${reason} The container can ${m.readOnly ? 'read' : 'read and change'} everything there.` },
        'Mount It',
      );
      if (choice !== 'Mount It') return false;
    }
    if (!existsSync(m.source)) {
      if (!policy.createMissingFolders) {
        const choice = await vscode.window.showInformationMessage(
          `The host folder ${m.source} does not exist.`,
          { modal: true, detail: `Create it for the bind mount to ${m.target}?` },
          'Create Folder',
        );
        if (choice !== 'Create Folder') return false;
      }
      createFolder(m.source, policy.imageUser ?? '');
    }
  }
  return true;
}

/**
 * Creates a bind-mount host folder. When VS Code runs as root (a container or a lab server) and
 * the image runs as a non-root user, the folder is made writable for that user (0777), or the
 * training script could not write its artifacts.
 */
function createFolder(path: string, imageUser: string): void {
  const rootHostNonRootImage = process.getuid?.() === 0 && !['', 'root', '0', '0:0'].includes(imageUser);
  try {
    mkdirSync(path, { recursive: true });
    if (rootHostNonRootImage) chmodSync(path, 0o777);
    log().info(`Created host folder ${path} for a bind mount${rootHostNonRootImage ? ' (writable for the image user)' : ''}`);
  } catch (err) {
    throw new UserError(`Cannot create the host folder ${path} for the bind mount: ${(err as Error).message}`, { hint: 'Create it yourself or choose another host path.' });
  }
}

/**
 * Runs `req` after the checks. Returns undefined when the user declined a check.
 * @throws UserError / EngineError with a message that says what to do
 */
export async function runWithChecks(ctx: CommandContext, req: RunRequest, policy: RunPolicy = {}): Promise<{ id: string; name: string } | undefined> {
  const engine = ctx.session.get();
  if (req.gpus && !(await engine.hasGpuRuntime())) {
    throw new UserError('This Docker engine has no GPU runtime, so the container cannot get a GPU.', {
      hint: 'Install the NVIDIA Container Toolkit on the engine host and restart Docker, or run without GPUs.',
    });
  }
  const ported = await checkPorts(ctx, req, policy);
  const checked = ported && (await checkRemoteMounts(ctx, ported, policy));
  if (!checked || !(await checkMounts(ctx, checked, policy))) return undefined;
  if (checked.interactive === true && checked.detach === false) {
    if (checked.upload?.length || checked.download?.length) throw new UserError('upload and download need a detached run: the files are copied before the start and after the exit.', { hint: 'Set detach: true, or use Upload to Container / Download Artifacts on the running container.' });
    return runAttached(ctx, checked, policy);
  }
  const started = Date.now();
  // With --rm the engine would remove the container before its artifacts are downloaded: remove it ourselves after.
  const removeAfterDownload = checked.autoRemove === true && (checked.download?.length ?? 0) > 0;
  const { id, name } = await engine.runContainer(removeAfterDownload ? { ...checked, autoRemove: false } : checked, checked.upload?.length ? (newId) => uploadAll(ctx, newId, checked) : undefined);
  log().info(`Started container ${name} (${id.slice(0, 12)}) from ${checked.image}`);
  // recorded with the engine it runs on (a profile's engine: may not be the current one)
  const run = ctx.runs.record(checked, { id, name }, { ...policy.record, engine });
  ctx.views.containers.refresh();
  if (policy.showLogs !== false) openLogsTerminal(ctx, id, name, checked.ports, run?.follow);
  // Downloads happen after the exit whatever the notification policy (a task's run too), and say what they fetched.
  if ((policy.notifyExit ?? !checked.interactive) || checked.download?.length) void notifyOnExit(ctx, id, name, started, checked, removeAfterDownload, run?.done);
  return { id, name };
}

/** A run's uploads, into the created container before it starts; a cancelled upload stops the run. */
async function uploadAll(ctx: CommandContext, id: string, req: RunRequest): Promise<void> {
  const name = req.name ?? id.slice(0, 12);
  for (const spec of req.upload ?? []) {
    if (!(await uploadWithProgress(ctx, id, name, spec))) {
      throw new UserError(`The upload of ${spec.local} was cancelled, so ${name} was not started.`, { hint: 'Run it again to upload, or remove the upload from the profile.' });
    }
  }
}

/**
 * `docker run -it`: creates, attaches and starts the container through the Engine API, with a
 * terminal attached to its TTY (keystrokes in, output out, resize, Ctrl-C). When the program
 * exits the terminal shows the exit code (and that `--rm` removed the container).
 */
async function runAttached(ctx: CommandContext, req: RunRequest, policy: RunPolicy): Promise<{ id: string; name: string }> {
  const { onAttached } = policy;
  const run = await ctx.session.get().runInteractive(req);
  log().info(`Started container ${run.name} (${run.id.slice(0, 12)}) from ${req.image}, attached to a terminal`);
  // recorded like a detached run; its metrics come from the attach stream's TTY output, tapped
  // from the start (a --rm container may be gone before a logs stream of its own could start)
  ctx.runs.record(req, run, { ...policy.record, engine: ctx.session.get() }, {
    text: (onText) => {
      run.tap(onText);
      // the output's end, or 2 s after the exit if the stream stays open
      return Promise.race([run.outputEnded, run.exited.then(() => new Promise<void>((r) => setTimeout(r, 2_000)))]);
    },
    exited: run.exited,
  });
  ctx.views.containers.refresh();
  void run.exited.then(() => ctx.views.containers.refresh());
  if (onAttached) {
    onAttached(run);
    return { id: run.id, name: run.name };
  }
  openSessionTerminal({
    name: `Run: ${run.name}`,
    icon: 'terminal',
    start: async (onData, size) => {
      run.onData(onData);
      if (size) run.resize(size.columns, size.rows);
      return run;
    },
    exitMessage: (code) =>
      `[container ${run.name} exited${code === undefined ? '' : ` with code ${code}`}${req.autoRemove ? ' and was removed (--rm)' : ''}]`,
  });
  return { id: run.id, name: run.name };
}

/** How long the exit notification waits for the run record (its diagnosis), in ms. */
const recordWaitMs = 10_000;

/**
 * When a detached job exits: its downloads (profile `download`, or Copy Instead) with progress,
 * then a notification with exit code, duration, why it died (the record's diagnosis) and what
 * was downloaded, and buttons to its logs, artifacts, Download Artifacts, and what the diagnosis
 * offers (Re-run with more memory or shm, Open requirements.txt).
 * @param recorded the run's finished record, when the run is recorded
 */
async function notifyOnExit(ctx: CommandContext, id: string, name: string, started: number, req: RunRequest, removeAfterDownload: boolean, recorded?: Promise<RunRecord>): Promise<void> {
  let exitCode: number;
  try {
    ({ exitCode } = await ctx.session.get().waitContainer(id));
  } catch {
    return; // removed, or the engine went away: nothing to report
  }
  ctx.views.containers.refresh();
  // the recorder inspects the container (OOMKilled) before the downloads and a removal below
  let timer: NodeJS.Timeout | undefined;
  const record = recorded && (await Promise.race([recorded.catch(() => undefined), new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), recordWaitMs)))]));
  clearTimeout(timer);
  const diagnosis = record?.diagnosis;
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const downloaded: Array<{ local: string; files: number; bytes: number; refused: number }> = [];
  const failed: string[] = [];
  for (const spec of req.download ?? []) {
    try {
      const r = await downloadWithProgress(ctx, id, name, spec, 'overwrite');
      if (r) downloaded.push({ local: r.path, files: r.files, bytes: r.bytes, refused: r.refused.length });
    } catch (err) {
      failed.push(`${spec.container} (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (removeAfterDownload) {
    await ctx.session.get().removeContainer(id, { force: true }).catch(() => undefined);
    ctx.views.containers.refresh();
  }
  const canDownload = !(req.autoRemove ?? false);
  const artifacts = req.mounts.find((m) => m.type === 'bind' && /artifact|output|checkpoint|model/i.test(m.target));
  const fix = diagnosis?.action;
  const actions = [...(fix ? [fix.label] : []), 'Open Training Run', 'Open Logs', ...(artifacts && isLocalEngine(ctx) ? ['Reveal Artifacts'] : []), ...(canDownload ? ['Download Artifacts'] : [])];
  const text = `Container ${name} exited with code ${exitCode} after ${formatDuration(Date.now() - started)}.` +
    (diagnosis ? ` ${diagnosis.message}` : '') +
    (downloaded.length ? ` Downloaded ${describeDownloads(downloaded, ws)}.` : '') +
    (failed.length ? ` Not downloaded: ${failed.join('; ')}.` : '');
  const choice = await (exitCode === 0 ? vscode.window.showInformationMessage(text, ...actions) : vscode.window.showWarningMessage(text, ...actions));
  if (fix && choice === fix.label && record) {
    if (fix.kind === 'openRequirements') {
      const ws = vscode.workspace.workspaceFolders?.[0]?.uri;
      if (ws) await vscode.window.showTextDocument(vscode.Uri.joinPath(ws, fix.file));
    } else {
      await vscode.commands.executeCommand(CommandIds.runRerun, { id: record.id, change: fix.kind === 'moreMemory' ? { memory: fix.memory } : { shmSize: fix.shmSize } });
    }
    return;
  }
  if (choice === 'Open Training Run') await vscode.commands.executeCommand(CommandIds.runOpen, { containerId: id });
  if (choice === 'Open Logs' && !req.autoRemove) openLogsTerminal(ctx, id, name, req.ports);
  if (choice === 'Reveal Artifacts' && artifacts) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(artifacts.source));
  if (choice === 'Download Artifacts') await vscode.commands.executeCommand(CommandIds.containerDownloadArtifacts, { id });
}
