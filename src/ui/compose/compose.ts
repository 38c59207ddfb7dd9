/**
 * Compose commands: Up, Up (build first), Down (volumes asked and named), Build,
 * Restart, Logs, Up/Down for selected services, on a Compose file (explorer, editor title,
 * palette) or a Compose project in the Containers view; and "Export Profile as Compose Service".
 * Everything runs the real Compose CLI (src/ui/compose/composeRunner.ts).
 */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMPOSE_FILE_GLOB, composeProjectName, isComposeFileName, readComposeFile, volumesRemovedByDown } from '../../core/compose/files';
import { appendComposeService, profileToComposeService } from '../../core/compose/exportProfile';
import type { ComposeAction } from '../../core/compose/cli';
import { COMPOSE_PROJECT_LABEL, type NodeModel } from '../../core/tree/models';
import { UserError } from '../../core/errors';
import { parseEnvFile } from '../../core/run/profile';
import type { CommandContext } from '../shared/context';
import { runCompose, type ComposeRun } from './composeRunner';

/** Labels Compose (v1 1.26+ and v2) puts on containers: the files and folder a project came from. */
const CONFIG_FILES_LABEL = 'com.docker.compose.project.config_files';
const WORKING_DIR_LABEL = 'com.docker.compose.project.working_dir';

/** What a Compose command acts on: files, the project name, and the options a test or caller passes. */
interface ComposeTarget {
  files: string[];
  project: string;
  /** set when the target came from the Containers view (then `-p` is passed) */
  fromView: boolean;
}

/** Programmatic arguments (tests, other commands): `{ file, services?, volumes? }`. */
interface ComposeArgs {
  file?: string;
  files?: string[];
  services?: string[];
  /** Up: the profiles to enable (`--profile`); skips the question. [] = none */
  profiles?: string[];
  /** Down: remove named volumes (skips the question) */
  volumes?: boolean;
}

const isNode = (a: unknown): a is NodeModel => !!a && typeof a === 'object' && typeof (a as NodeModel).kind === 'string' && 'id' in (a as object);

async function pickComposeFile(title: string): Promise<string | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && isComposeFileName(active.fsPath)) return active.fsPath;
  const found = (await vscode.workspace.findFiles(COMPOSE_FILE_GLOB, '**/{node_modules,.git,.venv}/**', 200)).map((u) => u.fsPath).sort();
  if (found.length === 0) {
    throw new UserError('There is no Compose file in the workspace.', { hint: 'Add a compose.yaml (or docker-compose.yml) to the lab folder, then try again.' });
  }
  if (found.length === 1) return found[0];
  const picked = await vscode.window.showQuickPick(
    found.map((f) => ({ label: vscode.workspace.asRelativePath(f), file: f })),
    { title, placeHolder: 'Compose file' },
  );
  return picked?.file;
}

/** The project name Compose will use: COMPOSE_PROJECT_NAME from the environment or the project folder's `.env` (Compose reads both; the environment wins), else the file. */
function projectOf(files: string[]): string {
  const info = readComposeFile(fs.readFileSync(files[0], 'utf8'), vscode.workspace.asRelativePath(files[0]));
  const dir = path.dirname(files[0]);
  let dotenv: Record<string, string> = {};
  try {
    dotenv = parseEnvFile(fs.readFileSync(path.join(dir, '.env'), 'utf8'));
  } catch {
    // no .env (or one Compose would refuse too): the environment and the file decide
  }
  return composeProjectName(info, dir, { ...dotenv, ...process.env });
}

/** Files of a project in the Containers view, from its containers' Compose labels. */
async function projectFiles(ctx: CommandContext, project: string): Promise<string[]> {
  const containers = (await ctx.session.get().listContainers()).filter((c) => c.labels[COMPOSE_PROJECT_LABEL] === project);
  const labels = containers.find((c) => c.labels[CONFIG_FILES_LABEL])?.labels;
  if (!labels) {
    throw new UserError(`The containers of Compose project ${project} do not say which Compose file made them.`, {
      hint: 'Run the command on the Compose file instead (right-click it in the Explorer).',
    });
  }
  const dir = labels[WORKING_DIR_LABEL] ?? '';
  const files = labels[CONFIG_FILES_LABEL].split(',').map((f) => path.resolve(dir, f.trim()));
  const missing = files.filter((f) => !fs.existsSync(f));
  if (missing.length) {
    throw new UserError(`Compose project ${project} was started from ${missing.join(', ')}, which is not on this machine.`, {
      hint: 'Open the folder with its Compose file and run the command on the file.',
    });
  }
  return files;
}

async function composeTarget(ctx: CommandContext, arg: unknown, extra: unknown, title: string): Promise<ComposeTarget | undefined> {
  if (isNode(arg) && arg.kind === 'composeProject' && arg.ref) return { files: await projectFiles(ctx, arg.ref), project: arg.ref, fromView: true };
  let files: string[] | undefined;
  if (arg instanceof vscode.Uri) {
    // explorer multi-selection: (clicked, all selected)
    const all = Array.isArray(extra) ? (extra as unknown[]).filter((u): u is vscode.Uri => u instanceof vscode.Uri && isComposeFileName(u.fsPath)) : [];
    files = all.length > 1 ? all.map((u) => u.fsPath) : [arg.fsPath];
  } else if (arg && typeof arg === 'object' && ((arg as ComposeArgs).file || (arg as ComposeArgs).files)) {
    files = (arg as ComposeArgs).files ?? [(arg as ComposeArgs).file!];
  } else {
    const f = await pickComposeFile(title);
    files = f ? [f] : undefined;
  }
  if (!files) return undefined;
  for (const f of files) if (!isComposeFileName(f)) throw new UserError(`${path.basename(f)} is not a Compose file name (compose.yaml, docker-compose.yml, docker-compose.<name>.yml).`);
  return { files, project: projectOf(files), fromView: false };
}

const optionsOf = (arg: unknown): ComposeArgs => (arg && typeof arg === 'object' && !isNode(arg) && !(arg instanceof vscode.Uri) ? (arg as ComposeArgs) : {});

async function run(ctx: CommandContext, target: ComposeTarget, action: ComposeAction): Promise<ComposeRun> {
  const result = await runCompose(ctx.session, target.files, action, target.project, target.fromView);
  ctx.views.containers.refresh();
  if (result.exitCode !== undefined && result.exitCode !== 0) {
    const last = result.output.replace(/\x1b\[[0-9;]*m/g, '').trim().split('\n').pop() ?? '';
    void vscode.window.showErrorMessage(`Compose ${action.kind === 'downServices' ? 'down' : action.kind} of ${target.project} failed (exit code ${result.exitCode}): ${last}`);
  }
  return result;
}

/** Up / Up (build first) for the whole project, or the services given in `{services}`. */
export async function composeUp(ctx: CommandContext, arg: unknown, extra: unknown, build: boolean): Promise<ComposeRun | undefined> {
  const title = build ? 'Compose Up (build first)' : 'Compose Up';
  const target = await composeTarget(ctx, arg, extra, title);
  if (!target) return undefined;
  const profiles = optionsOf(arg).profiles ?? (await pickProfiles(target, title));
  if (!profiles) return undefined;
  return run(ctx, target, { kind: 'up', build, services: optionsOf(arg).services, profiles });
}

/**
 * The profiles to enable, when the files declare any: a multi-pick of the `profiles:` the
 * services name (none picked = only the services without a profile, Compose's default).
 * [] when the files declare none; undefined when the person cancels.
 */
async function pickProfiles(target: ComposeTarget, title: string): Promise<string[] | undefined> {
  const declared = [...new Set(target.files.flatMap((f) => readComposeFile(fs.readFileSync(f, 'utf8'), path.basename(f)).profiles))];
  if (!declared.length) return [];
  const picked = await vscode.window.showQuickPick(
    declared.map((p) => ({ label: p, description: '--profile ' + p })),
    { title: `${title}: profiles to enable`, placeHolder: 'Services without a profile always start; pick profiles to start theirs too (none: Enter)', canPickMany: true },
  );
  return picked?.map((p) => p.label);
}

async function pickServices(target: ComposeTarget, title: string): Promise<string[] | undefined> {
  const info = readComposeFile(fs.readFileSync(target.files[0], 'utf8'), path.basename(target.files[0]));
  const services = [...new Set([...info.services, ...target.files.slice(1).flatMap((f) => readComposeFile(fs.readFileSync(f, 'utf8'), path.basename(f)).services)])];
  if (!services.length) throw new UserError(`${path.basename(target.files[0])} declares no services.`);
  const picked = await vscode.window.showQuickPick(services.map((s) => ({ label: s })), { title, canPickMany: true, placeHolder: 'Services' });
  return picked?.length ? picked.map((p) => p.label) : undefined;
}

/** Up or Down for selected services (asked, unless `{services}` is given). */
export async function composeServices(ctx: CommandContext, arg: unknown, extra: unknown, up: boolean): Promise<ComposeRun | undefined> {
  const target = await composeTarget(ctx, arg, extra, up ? 'Compose Up Services' : 'Compose Down Services');
  if (!target) return undefined;
  const services = optionsOf(arg).services ?? (await pickServices(target, `${up ? 'Up' : 'Down'}: services of ${target.project}`));
  if (!services) return undefined;
  return run(ctx, target, up ? { kind: 'up', services } : { kind: 'downServices', services });
}

/**
 * Down: asks first, naming the containers that go and the named volumes, offering to remove
 * those too (`down --volumes`). `{volumes: boolean}` answers without asking.
 */
export async function composeDown(ctx: CommandContext, arg: unknown, extra: unknown): Promise<ComposeRun | undefined> {
  const target = await composeTarget(ctx, arg, extra, 'Compose Down');
  if (!target) return undefined;
  let volumes = optionsOf(arg).volumes;
  if (volumes === undefined) {
    const engine = ctx.session.get();
    const [containers, labelled, all] = await Promise.all([
      engine.listContainers({ label: [`${COMPOSE_PROJECT_LABEL}=${target.project}`] }),
      engine.listVolumes({ label: [`${COMPOSE_PROJECT_LABEL}=${target.project}`] }),
      engine.listVolumes(),
    ]);
    const declared = target.files.flatMap((f) => volumesRemovedByDown(readComposeFile(fs.readFileSync(f, 'utf8'), path.basename(f)), target.project));
    const existing = new Set(all.map((v) => v.name));
    const named = [...new Set([...labelled.map((v) => v.name), ...declared.filter((v) => existing.has(v))])].sort();
    const down = 'Down';
    const downVolumes = 'Down and Remove Volumes';
    const choice = await vscode.window.showWarningMessage(
      `Take down Compose project ${target.project}?`,
      {
        modal: true,
        detail: [
          containers.length ? `Stopped and removed: ${containers.map((c) => c.name).join(', ')}. Files they wrote outside volumes are lost.` : 'No container of this project exists.',
          named.length
            ? `Named volumes stay unless you choose "${downVolumes}", which deletes: ${named.join(', ')} (and the containers' anonymous volumes).`
            : 'The project has no named volume.',
        ].join('\n\n'),
      },
      down,
      ...(named.length ? [downVolumes] : []),
    );
    if (!choice) return undefined;
    volumes = choice === downVolumes;
  }
  return run(ctx, target, { kind: 'down', volumes });
}

/** Build, Restart or Logs (logs follow in the terminal until it is closed). */
export async function composeSimple(ctx: CommandContext, arg: unknown, extra: unknown, kind: 'build' | 'restart' | 'logs'): Promise<ComposeRun | undefined> {
  const target = await composeTarget(ctx, arg, extra, `Compose ${kind[0].toUpperCase()}${kind.slice(1)}`);
  if (!target) return undefined;
  const services = optionsOf(arg).services;
  if (kind === 'logs') {
    // follows until the terminal closes: do not wait for it
    void runCompose(ctx.session, target.files, { kind: 'logs', services }, target.project, target.fromView).catch(() => undefined);
    return undefined;
  }
  return run(ctx, target, { kind, services });
}

/**
 * "Export Profile as Compose Service": picks a run profile and a Compose file (or creates
 * compose.yaml in the workspace folder), appends the profile as a service keeping the file's
 * comments, and opens the file. `{profile, file, service, replace}` answers without asking.
 */
export async function exportProfileAsService(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const given = (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? arg : {}) as { profile?: string; file?: string; service?: string; replace?: boolean };
  const loaded = await ctx.profiles.load();
  if (!loaded.profiles.length) {
    throw new UserError(`No run profile to export: ${vscode.workspace.asRelativePath(loaded.uri)} has ${loaded.errors.length ? 'errors and ' : ''}no profile that parses.`, {
      hint: 'Save a guided run as a profile first ("ML Lab: Save Last Run as Profile...").',
    });
  }
  const profile = given.profile
    ? loaded.profiles.find((p) => p.name === given.profile)
    : (await vscode.window.showQuickPick(loaded.profiles.map((p) => ({ label: p.name, description: p.image, profile: p })), { title: 'Export Profile as Compose Service' }))?.profile;
  if (!profile) {
    if (given.profile) throw new UserError(`No profile named ${given.profile} (or it has errors).`);
    return undefined;
  }
  let file = given.file ?? (arg instanceof vscode.Uri && isComposeFileName(arg.fsPath) ? arg.fsPath : undefined);
  if (!file) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!folder) throw new UserError('Open a folder first: the Compose file goes into the workspace.');
    const found = (await vscode.workspace.findFiles(COMPOSE_FILE_GLOB, '**/{node_modules,.git,.venv}/**', 200)).map((u) => u.fsPath).sort();
    const fresh = path.join(folder, 'compose.yaml');
    const picked = await vscode.window.showQuickPick(
      [...found.map((f) => ({ label: vscode.workspace.asRelativePath(f), file: f })), ...(found.includes(fresh) ? [] : [{ label: 'New compose.yaml', description: vscode.workspace.asRelativePath(fresh), file: fresh }])],
      { title: `Export profile ${profile.name} to` },
    );
    file = picked?.file;
  }
  if (!file) return undefined;
  const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
  if (open?.isDirty) throw new UserError(`${path.basename(file)} has unsaved changes.`, { hint: 'Save it, then export the profile again.' });
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const existing = readComposeFile(text, path.basename(file)).services;
  const service =
    given.service ??
    (await vscode.window.showInputBox({
      title: 'Compose service name',
      value: profile.name,
      validateInput: (v) => (/^[a-zA-Z0-9._-]+$/.test(v.trim()) ? undefined : 'Letters, digits, . _ -'),
    }))?.trim();
  if (!service) return undefined;
  let replace = given.replace ?? false;
  if (existing.includes(service) && given.replace === undefined) {
    const choice = await vscode.window.showWarningMessage(`${path.basename(file)} already has a service ${service}. Replace it?`, { modal: true, detail: 'Its current definition is lost.' }, 'Replace');
    if (choice !== 'Replace') return undefined;
    replace = true;
  }
  const exported = profileToComposeService(profile, path.dirname(file));
  const out = appendComposeService(text, service, exported, { replace });
  await vscode.workspace.fs.writeFile(vscode.Uri.file(file), new TextEncoder().encode(out));
  if (!given.file) await vscode.window.showTextDocument(vscode.Uri.file(file));
  return file;
}
