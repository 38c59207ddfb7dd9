/**
 * "ML Lab: Build Image...": pick a Dockerfile, accept or change the suggested tag, and build
 * with the Dockerfile's folder as the build context (packed honoring .dockerignore). The build
 * output streams into the "ML Container Lab: Build" output channel; a failed build names the
 * failing step and offers to open its Dockerfile line.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DOCKERFILE_GLOB, imageNameFor, isDockerfileName, suggestTag, validateImageReference } from '../../core/build/dockerfiles';
import { findFailingInstructionLine } from '../../core/build/output';
import { CREATED_BY_LABEL, CREATED_BY_VALUE, DOCKERFILE_LABEL } from '../../core/ids';
import { UserError } from '../../core/errors';
import { EngineError } from '../../engine/engine';
import { config } from '../base/config';
import type { CommandContext } from '../shared/context';

/** Programmatic arguments (tests, other commands); every field may be left for the user to answer. */
export interface BuildImageArgs {
  /** absolute path of the Dockerfile */
  dockerfile?: string;
  /** `repo:tag` */
  tag?: string;
  /** merged over the `mlLab.build.args` setting */
  buildArgs?: Record<string, string>;
  /** build context folder (default: the Dockerfile's folder) */
  context?: string;
  /** build stage to stop at */
  target?: string;
  /** e.g. linux/amd64 */
  platform?: string;
}

/**
 * Labels of every image the extension builds: who built it, and the workspace-relative path of
 * its Dockerfile (the guided run reads the Dockerfile and requirements.txt through it).
 * The Build command and run-profile tasks both use this, so the same profile builds the same image.
 */
export function builtImageLabels(dockerfile: string): Record<string, string> {
  return { [CREATED_BY_LABEL]: CREATED_BY_VALUE, [DOCKERFILE_LABEL]: vscode.workspace.asRelativePath(vscode.Uri.file(dockerfile), false) };
}

let buildChannel: vscode.OutputChannel | undefined;
function buildOutput(): vscode.OutputChannel {
  buildChannel ??= vscode.window.createOutputChannel('ML Container Lab: Build');
  return buildChannel;
}

async function pickDockerfile(): Promise<vscode.Uri | undefined> {
  const found = (await vscode.workspace.findFiles(DOCKERFILE_GLOB, '**/{node_modules,.git,.venv}/**', 200)).filter((u) =>
    isDockerfileName(path.basename(u.fsPath)),
  );
  if (found.length === 0) {
    throw new UserError('No Dockerfile in this workspace.', {
      hint: 'Create a Dockerfile (or train.dockerfile) in the lab folder, then run "ML Lab: Build Image..." again.',
    });
  }
  if (found.length === 1) return found[0];
  found.sort((a, b) => vscode.workspace.asRelativePath(a).localeCompare(vscode.workspace.asRelativePath(b)));
  const picked = await vscode.window.showQuickPick(
    found.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })),
    { title: 'Build Image: Dockerfile', placeHolder: 'Which Dockerfile to build' },
  );
  return picked?.uri;
}

export async function buildImage(ctx: CommandContext, arg?: unknown): Promise<{ tag: string; imageId: string } | undefined> {
  const args: BuildImageArgs = arg instanceof vscode.Uri ? { dockerfile: arg.fsPath } : ((arg as BuildImageArgs | undefined) ?? {});
  const engine = ctx.session.get();
  const dockerfileUri = args.dockerfile ? vscode.Uri.file(args.dockerfile) : await pickDockerfile();
  if (!dockerfileUri) return undefined;
  const dockerfile = dockerfileUri.fsPath;
  const contextDir = args.context ?? path.dirname(dockerfile);

  let tag = args.tag;
  if (!tag) {
    const existing = (await engine.listImages()).flatMap((i) => i.repoTags);
    tag = await vscode.window.showInputBox({
      title: 'Build Image: tag',
      prompt: `Image reference for ${vscode.workspace.asRelativePath(dockerfileUri)} (repository:tag)`,
      value: suggestTag(imageNameFor(path.basename(dockerfile), path.basename(contextDir)), existing),
      validateInput: (v) => validateImageReference(v.trim()),
    });
    if (!tag) return undefined;
    tag = tag.trim();
  } else {
    const problem = validateImageReference(tag);
    if (problem) throw new UserError(`Invalid image reference "${tag}": ${problem}`);
  }

  const out = buildOutput();
  out.clear();
  out.show(true);
  out.appendLine(`Building ${tag} from ${dockerfile} (build context ${contextDir})`);
  const buildArgs = { ...config.buildArgs(), ...(args.buildArgs ?? {}) };
  if (Object.keys(buildArgs).length) out.appendLine(`Build args: ${Object.keys(buildArgs).join(', ')}`);

  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Building ${tag}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return engine.build(
          {
            contextDir,
            dockerfile,
            tag: tag!,
            buildArgs,
            target: args.target,
            platform: args.platform,
            builder: config.builder(),
            labels: builtImageLabels(dockerfile),
          },
          (ev) => {
            if (ev.kind === 'log') out.append(ev.text);
            else if (ev.kind === 'step') progress.report({ message: `step ${ev.index}/${ev.total}: ${ev.instruction}` });
            else if (ev.kind === 'error') out.appendLine(`ERROR: ${ev.message}`);
          },
          abort.signal,
        );
      },
    );
    out.appendLine(
      `Built ${tag} (${result.imageId.replace('sha256:', '').slice(0, 12)}) with ${result.builder === 'buildkit' ? 'BuildKit' : 'the classic builder'} in ${(result.durationMs / 1000).toFixed(1)} s; build context ${result.context.files} files, ${result.context.bytes} bytes of content`,
    );
    ctx.views.images.refresh();
    void vscode.window.showInformationMessage(`Built image ${tag}.`);
    return { tag, imageId: result.imageId };
  } catch (err) {
    if (err instanceof EngineError && err.kind === 'cancelled') {
      out.appendLine('Build cancelled.');
      return undefined;
    }
    if (err instanceof EngineError && err.kind === 'buildFailed') {
      out.appendLine(err.message);
      void offerFailingLine(err, dockerfileUri);
      return undefined;
    }
    throw err;
  }
}

/** Shows a failed build's message with "Go to Dockerfile line N" when the failing instruction is found. */
async function offerFailingLine(err: EngineError, dockerfileUri: vscode.Uri): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(dockerfileUri);
  const line = err.hint ? findFailingInstructionLine(doc.getText(), err.hint) : undefined;
  const actions = line !== undefined ? [`Go to Dockerfile line ${line + 1}`, 'Show Build Output'] : ['Show Build Output'];
  const choice = await vscode.window.showErrorMessage(err.message, ...actions);
  if (choice === 'Show Build Output') buildOutput().show();
  else if (choice && line !== undefined) {
    const editor = await vscode.window.showTextDocument(doc);
    const range = doc.lineAt(line).range;
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenter);
  }
}
