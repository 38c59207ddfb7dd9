/**
 * Commands on recorded runs (Runs view and palette): open the Training Run panel, re-run
 * exactly, open the artifacts folder, copy as `docker run`, delete (asks first), export as
 * JSON or CSV, and compare two or more runs.
 */
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import { dockerRunCommand } from '../../core/run/cliText';
import { artifactsMount, exportCsv, exportJson, rerunRequest, runLabel, type RunRecord } from '../../core/runs/record';
import type { CommandContext } from '../shared/context';
import { containerTarget } from '../shared/pick';
import { TrainingRunPanel, showComparePanel } from './trainingRunPanel';
import { runWithChecks } from '../shared/runner';
import { freeContainerName, runRequestFor } from '../shared/executeProfile';
import type { RunNode } from './runsView';

/** The records a command is about: the selected rows, the clicked row, `{id}`/`{ids}`, or none. */
function recordsFromArgs(ctx: CommandContext, arg: unknown, selected: unknown): RunRecord[] {
  const nodes = Array.isArray(selected) && selected.length ? selected : arg ? [arg] : [];
  const out: RunRecord[] = [];
  for (const n of nodes as Array<RunNode | { id?: string; ids?: string[] }>) {
    if ('kind' in n && n.kind === 'run') out.push(n.record);
    else if ('kind' in n && n.kind === 'group') out.push(...n.runs);
    else if ('ids' in n && Array.isArray(n.ids)) out.push(...n.ids.map((id) => ctx.runs.get(id)).filter((r): r is RunRecord => !!r));
    else if ('id' in n && typeof n.id === 'string') {
      const r = ctx.runs.get(n.id);
      if (r) out.push(r);
    }
  }
  return [...new Map(out.map((r) => [r.id, r])).values()];
}

async function pickRuns(ctx: CommandContext, title: string, many: boolean, min = 1): Promise<RunRecord[]> {
  const all = ctx.runs.list();
  if (all.length < min) {
    void vscode.window.showInformationMessage(
      all.length ? `${title} needs at least ${min} recorded runs; there ${all.length === 1 ? 'is 1' : `are ${all.length}`}.` : 'No runs are recorded yet. Run a container or a profile first.',
    );
    return [];
  }
  const items = all.map((r) => ({
    label: runLabel(r),
    description: `${r.image.reference} · ${r.status === 'exited' ? `exit ${r.exitCode}` : r.status}`,
    record: r,
  }));
  if (many) return ((await vscode.window.showQuickPick(items, { title, canPickMany: true, placeHolder: `Pick ${min > 1 ? `${min} or more` : 'the'} runs` })) ?? []).map((i) => i.record);
  const one = await vscode.window.showQuickPick(items, { title, placeHolder: 'Pick a run' });
  return one ? [one.record] : [];
}

async function oneRun(ctx: CommandContext, arg: unknown, title: string): Promise<RunRecord | undefined> {
  return recordsFromArgs(ctx, arg, undefined)[0] ?? (await pickRuns(ctx, title, false))[0];
}

/** Opens the Training Run panel of a run (Runs view row, `{id}`), or of a container (Containers view, `{containerId}`). */
export async function openTrainingRun(ctx: CommandContext, arg?: unknown): Promise<void> {
  const a = arg as { containerId?: string } | undefined;
  if (a && typeof a.containerId === 'string') {
    TrainingRunPanel.show(ctx.runs, ctx.session, ctx.extension.extensionUri, { containerId: a.containerId });
    return;
  }
  const r = await oneRun(ctx, arg, 'Open Training Run');
  if (r) TrainingRunPanel.show(ctx.runs, ctx.session, ctx.extension.extensionUri, { runId: r.id });
}

/** "Open Training Run" on a container of the Containers view: its record's panel, or a panel from its logs. */
export async function openContainerTrainingRun(ctx: CommandContext, arg?: unknown): Promise<void> {
  const c = await containerTarget(ctx, arg, 'Open Training Run');
  if (c) TrainingRunPanel.show(ctx.runs, ctx.session, ctx.extension.extensionUri, { containerId: c.id });
}

/**
 * Values for the env names a run had: from the profile of the same name when it still sets
 * them, else asked for (a password box: values are never shown or stored).
 * @returns undefined when the user cancels
 */
async function envValues(ctx: CommandContext, r: RunRecord): Promise<Record<string, string> | undefined> {
  const values: Record<string, string> = {};
  if (r.profile) {
    const profile = (await ctx.profiles.load()).profiles.find((p) => p.name === r.profile);
    if (profile) Object.assign(values, runRequestFor(profile).env ?? {});
  }
  for (const name of r.request.envNames) {
    if (values[name] !== undefined) continue;
    const v = await vscode.window.showInputBox({
      title: `Re-run: value of ${name}`,
      prompt: `Run records keep env variable names, not values. Enter ${name} for this run.`,
      password: true,
      ignoreFocusOut: true,
    });
    if (v === undefined) return undefined;
    values[name] = v;
  }
  return values;
}

/**
 * Re-runs a recorded run exactly: same image by digest (image id) when the engine still has
 * it, else (after saying so) the image its reference names now; same command, ports, mounts,
 * GPUs, shm and env names. `{id, change: {memory?, shmSize?}}` re-runs it with a larger memory
 * limit or /dev/shm (bytes), as a dead run's diagnosis offers.
 */
export async function rerun(ctx: CommandContext, arg?: unknown): Promise<{ id: string; name: string } | undefined> {
  const r = await oneRun(ctx, arg, 'Re-run');
  if (!r) return undefined;
  // on the engine the run was on (a profile's engine: may not be the current one)
  const session = ctx.session.sessionDescribed(r.engine);
  if (!session) {
    throw new UserError(`This run was on the engine ${r.engine}, which is not among the engines known now.`, {
      hint: 'Add that engine again (Engines view: Add Engine..., or docker context create), then re-run.',
    });
  }
  if (session !== ctx.session) ctx = { ...ctx, session };
  const engine = ctx.session.get();
  let image = r.image.reference;
  const exists = r.image.id ? await engine.inspectImageRaw(r.image.id).then(() => true, () => false) : false;
  if (exists) image = r.image.id!;
  else {
    const current = await engine.inspectImageRaw(r.image.reference).catch(() => undefined);
    const was = r.image.id ? r.image.id.slice(0, 19) : 'unknown';
    if (!current) {
      throw new UserError(`The image of this run (${r.image.reference}, ${was}) no longer exists on the engine.`, { hint: `Build or pull ${r.image.reference} again, then re-run.` });
    }
    const use = 'Run with the Current Image';
    const choice = await vscode.window.showWarningMessage(
      `The exact image of this run no longer exists (${was}).`,
      { modal: true, detail: `${r.image.reference} now names ${String(current.Id).slice(0, 19)}. Run with that image? The results may differ from the recorded run.` },
      use,
    );
    if (choice !== use) return undefined;
  }
  const values = await envValues(ctx, r);
  if (!values) return undefined;
  const change = (arg as { change?: { memory?: number; shmSize?: number } } | undefined)?.change;
  const req = { ...rerunRequest(r, values, image), ...(change?.memory ? { memory: change.memory } : {}), ...(change?.shmSize ? { shmSize: change.shmSize } : {}) };
  if (req.name && !(await freeContainerName(ctx, req.name))) return undefined;
  return runWithChecks(ctx, req, { record: { source: 'rerun', profile: r.profile, imageReference: r.image.reference } });
}

export async function openArtifacts(ctx: CommandContext, arg?: unknown): Promise<void> {
  const r = await oneRun(ctx, arg, 'Open Artifacts');
  if (!r) return;
  const folder = r.artifacts?.folder ?? artifactsMount(r.request)?.source;
  if (!folder) throw new UserError('This run has no artifacts folder: none of its bind mounts is named artifacts, outputs, checkpoints or models.');
  await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(folder));
}

/**
 * Copies a run as `docker run` (src/core/run/cliText.ts). Env variables appear as `-e NAME`:
 * the Docker CLI then takes the value from the shell's environment (records keep no values).
 */
export async function copyRunAsCommand(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const r = await oneRun(ctx, arg, 'Copy Run as docker Command');
  if (!r) return undefined;
  const marker = '__MLLAB_ENV_FROM_SHELL__';
  const req = rerunRequest(r, Object.fromEntries(r.request.envNames.map((n) => [n, marker])), r.image.reference);
  const text = dockerRunCommand(req).replaceAll(`=${marker}`, '');
  await vscode.env.clipboard.writeText(text);
  void vscode.window.showInformationMessage(`Copied the docker run command of ${runLabel(r)}.`);
  return text;
}

export async function deleteRuns(ctx: CommandContext, arg?: unknown, selected?: unknown): Promise<number> {
  let runs = recordsFromArgs(ctx, arg, selected);
  if (!runs.length) runs = await pickRuns(ctx, 'Delete Run Records', true);
  if (!runs.length) return 0;
  const what = runs.length === 1 ? `the record of ${runLabel(runs[0])}` : `${runs.length} run records`;
  const choice = await vscode.window.showWarningMessage(
    `Delete ${what}?`,
    { modal: true, detail: 'Their settings, metrics and curves are lost. Containers, images and artifacts folders are not touched.' },
    'Delete',
  );
  if (choice !== 'Delete') return 0;
  ctx.runs.delete(runs.map((r) => r.id));
  return runs.length;
}

/** Exports runs as JSON or CSV. Programmatic: `{ids, format: 'json'|'csv', file}`. */
export async function exportRuns(ctx: CommandContext, arg?: unknown, selected?: unknown): Promise<string | undefined> {
  const given = (arg ?? {}) as { format?: 'json' | 'csv'; file?: string };
  let runs = recordsFromArgs(ctx, arg, selected);
  if (!runs.length) runs = await pickRuns(ctx, 'Export Runs', true);
  if (!runs.length) return undefined;
  const format = given.format ?? (await vscode.window.showQuickPick(['json', 'csv'], { title: `Export ${runs.length} run${runs.length === 1 ? '' : 's'} as` }));
  if (format !== 'json' && format !== 'csv') return undefined;
  let file = given.file;
  if (!file) {
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({
      defaultUri: ws && vscode.Uri.joinPath(ws, `runs.${format}`),
      filters: format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
    });
    file = uri?.fsPath;
  }
  if (!file) return undefined;
  writeFileSync(file, format === 'json' ? exportJson(runs) : exportCsv(runs));
  void vscode.window.showInformationMessage(`Exported ${runs.length} run${runs.length === 1 ? '' : 's'} to ${vscode.workspace.asRelativePath(file)}.`);
  return file;
}

export async function compareRuns(ctx: CommandContext, arg?: unknown, selected?: unknown): Promise<string[] | undefined> {
  let runs = recordsFromArgs(ctx, arg, selected);
  if (runs.length < 2) runs = await pickRuns(ctx, 'Compare Runs', true, 2);
  if (runs.length < 2) {
    if (runs.length === 1) void vscode.window.showInformationMessage('Pick two or more runs to compare.');
    return undefined;
  }
  const ids = runs.map((r) => r.id);
  showComparePanel(ctx.runs, ctx.extension.extensionUri, ids);
  return ids;
}
