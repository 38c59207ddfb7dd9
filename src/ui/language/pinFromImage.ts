/**
 * "ML Lab: Pin Requirements to the Versions Installed in an Image..." (ML028's pin-from-image):
 * runs `pip freeze` inside the image last built from the requirements file's folder (through the
 * Engine API, in a throw-away container) and adds `==<version>` to every unpinned requirement.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { suggestTag } from '../../core/build/dockerfiles';
import { normalizeName } from '../../core/dockerfile/commands';
import { UserError } from '../../core/errors';
import { formatAge, shortId } from '../../core/format';
import { CREATED_BY_LABEL, CREATED_BY_VALUE } from '../../core/ids';
import { lintRequirements, parseFreeze, parseRequirements, pinRequirements } from '../../core/requirements/index';
import { EngineError, type Engine, type ImageSummary } from '../../engine/engine';
import { rememberInstalledVersions } from './lintDocument';
import { log } from '../base/log';
import type { CommandContext } from '../shared/context';

/** Programmatic arguments (code action, tests); both may be left for the command to find or ask. */
export interface PinFromImageArgs {
  /** absolute path of the requirements file; default: the active editor's `requirements*.txt`, else a picker */
  requirements?: string;
  /** image reference or id; default: the newest image this extension built for the file's folder, else a picker */
  image?: string;
}

export interface PinFromImageResult {
  image: string;
  /** requirements that got a version, as written now (`numpy==1.24.2`) */
  pinned: string[];
  /** unpinned requirements pip freeze did not list (not installed in the image) */
  notInImage: string[];
}

/** Tried in order: the image may have only `python3`, or pip without `-m` support. */
const FREEZE_COMMANDS = [
  ['python', '-m', 'pip', 'freeze'],
  ['python3', '-m', 'pip', 'freeze'],
  ['pip', 'freeze'],
];

const REQUIREMENTS = /^requirements[^/\\]*\.txt$/i;

async function pickRequirements(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  if (active && !active.isUntitled && REQUIREMENTS.test(path.basename(active.uri.fsPath))) return active.uri;
  const found = await vscode.workspace.findFiles('**/requirements*.txt', '**/{node_modules,.git,.venv,venv}/**', 200);
  if (found.length === 0) throw new UserError('No requirements*.txt in this workspace to pin.');
  if (found.length === 1) return found[0];
  const picked = await vscode.window.showQuickPick(
    found.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })).sort((a, b) => a.label.localeCompare(b.label)),
    { title: 'Pin Requirements: file', placeHolder: 'Which requirements file to pin' },
  );
  return picked?.uri;
}

/** Repository part of `repo:tag` (`127.0.0.1:5000/iris-train:v2` -> `127.0.0.1:5000/iris-train`). */
function repositoryOf(tag: string): string {
  const colon = tag.lastIndexOf(':');
  return colon > tag.lastIndexOf('/') ? tag.slice(0, colon) : tag;
}

/**
 * The tags of images this extension built whose repository is the one "Build Image" suggests
 * for `folder` (its last path component, so `mllab/iris-train:v3` counts for `iris-train/`),
 * newest image first.
 */
export function imagesBuiltFor(folder: string, images: readonly ImageSummary[]): string[] {
  const repo = suggestTag(path.basename(folder), []).replace(/:v1$/, '');
  const matches = (tag: string) => {
    const r = repositoryOf(tag);
    return r === repo || r.endsWith(`/${repo}`);
  };
  return images
    .filter((i) => i.labels[CREATED_BY_LABEL] === CREATED_BY_VALUE && i.repoTags.some(matches))
    .sort((a, b) => b.created - a.created)
    .map((i) => i.repoTags.find(matches)!);
}

async function chooseImage(engine: Engine, folder: string): Promise<string | undefined> {
  const images = await engine.listImages();
  const built = imagesBuiltFor(folder, images);
  if (built.length > 0) return built[0];
  const buildFirst = `Build the Dockerfile in ${vscode.workspace.asRelativePath(folder)} first ("ML Lab: Build Image..."), then pin again.`;
  const tagged = images.filter((i) => i.repoTags.length > 0);
  if (tagged.length === 0) throw new UserError('There is no image to read the installed versions from.', { hint: buildFirst });
  const ours = (i: ImageSummary) => i.labels[CREATED_BY_LABEL] === CREATED_BY_VALUE;
  tagged.sort((a, b) => Number(ours(b)) - Number(ours(a)) || b.created - a.created);
  const now = Date.now();
  const picked = await vscode.window.showQuickPick(
    tagged.flatMap((i) =>
      i.repoTags.map((tag) => ({ label: tag, description: `${shortId(i.id)} · ${formatAge(i.created, now)}${ours(i) ? ' · built here' : ''}`, tag })),
    ),
    {
      title: 'Pin Requirements: image',
      placeHolder: `No image built from this folder yet. ${buildFirst} Or pick an image that installed these requirements:`,
      matchOnDescription: true,
    },
  );
  return picked?.tag;
}

/** `pip freeze` output from a throw-away container of `image` (the first freeze command that works). */
async function pipFreeze(engine: Engine, image: string): Promise<string> {
  let problem = '';
  for (const cmd of FREEZE_COMMANDS) {
    try {
      const r = await engine.runToCompletion(image, cmd);
      if (r.exitCode === 0) return r.stdout;
      problem = `${cmd.join(' ')} exited with ${r.exitCode}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`;
    } catch (err) {
      // The image or the engine is missing: no other command will do better.
      if (err instanceof EngineError && ['unreachable', 'notFound', 'timeout'].includes(err.kind)) throw err;
      problem = err instanceof Error ? err.message : String(err);
    }
    log().info(`pip freeze in ${image}: ${problem}`);
  }
  throw new UserError(`Could not run pip freeze in ${image}: ${problem}`, {
    hint: 'The image needs Python with pip (python -m pip, python3 -m pip or pip on its PATH).',
  });
}

/**
 * Pins the unpinned requirements of a requirements file to the versions installed in an image.
 * @param arg {@link PinFromImageArgs}, or a `vscode.Uri` of the requirements file (explorer)
 * @returns what was pinned, or undefined when a picker was cancelled
 */
export async function pinRequirementsFromImage(ctx: CommandContext, arg?: unknown): Promise<PinFromImageResult | undefined> {
  const args: PinFromImageArgs = arg instanceof vscode.Uri ? { requirements: arg.fsPath } : ((arg as PinFromImageArgs | undefined) ?? {});
  const uri = args.requirements ? vscode.Uri.file(args.requirements) : await pickRequirements();
  if (!uri) return undefined;
  const folder = path.dirname(uri.fsPath);
  const engine = ctx.session.get();
  const image = args.image ?? (await chooseImage(engine, folder));
  if (!image) return undefined;

  const freeze = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Reading the installed versions from ${image} (pip freeze)` },
    () => pipFreeze(engine, image),
  );
  const versions = parseFreeze(freeze);
  rememberInstalledVersions(folder, versions);

  const doc = await vscode.workspace.openTextDocument(uri);
  const before = doc.getText();
  const after = pinRequirements(before, freeze);
  const beforeLines = before.split('\n');
  const afterLines = after.split('\n');
  const edit = new vscode.WorkspaceEdit();
  const changedLines = new Set<number>();
  // pinRequirements only inserts `==<version>` inside lines: the line count stays.
  for (let l = 0; l < afterLines.length && l < beforeLines.length; l++) {
    if (afterLines[l] === beforeLines[l]) continue;
    changedLines.add(l);
    edit.replace(uri, new vscode.Range(l, 0, l, beforeLines[l].replace(/\r$/, '').length), afterLines[l].replace(/\r$/, ''));
  }
  const reqs = parseRequirements(after);
  const pinned = reqs.filter((r) => changedLines.has(r.line)).map((r) => `${r.name}==${versions.get(normalizeName(r.name)) ?? '?'}`);
  const unpinnedLines = new Set(lintRequirements(after, { severities: { ML013: 'off' } }).filter((f) => f.rule === 'ML028').map((f) => f.range.start.line));
  const notInImage = reqs.filter((r) => unpinnedLines.has(r.line)).map((r) => r.name);
  const name = vscode.workspace.asRelativePath(uri);

  if (changedLines.size > 0 && !(await vscode.workspace.applyEdit(edit))) {
    throw new UserError(`Could not edit ${name}; run the command again.`);
  }
  const missing = notInImage.length ? ` Not installed in ${image}, left unpinned: ${notInImage.join(', ')}.` : '';
  const message = pinned.length
    ? `Pinned ${pinned.length} requirement${pinned.length === 1 ? '' : 's'} in ${name} to the versions in ${image}: ${pinned.join(', ')}.${missing}`
    : notInImage.length
      ? `None of the unpinned requirements in ${name} is installed in ${image}: ${notInImage.join(', ')}.`
      : `Nothing to pin in ${name}: every requirement already has a version.`;
  log().info(message);
  void vscode.window.showInformationMessage(message);
  return { image, pinned, notInImage };
}
