/**
 * "ML Lab: New Lab...": asks for a template and a folder, then copies the template there
 * (src/core/labs/scaffold.ts; never overwrites) and opens its Dockerfile, or offers to open the
 * folder when it is outside the workspace.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LAB_TEMPLATES, findTemplate, nodeLabFs, planScaffold, writeScaffold } from '../../core/labs/scaffold';
import type { CommandContext } from '../shared/context';

/** Arguments for scripted use (tests, other commands): skips the matching question. */
export interface NewLabArgs {
  /** template id, e.g. "training" */
  template?: string;
  /** absolute folder path */
  folder?: string;
}

export async function newLab(ctx: CommandContext, arg?: unknown): Promise<{ folder: string; files: string[] } | undefined> {
  const args = (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? arg : {}) as NewLabArgs;
  const templateId =
    args.template ??
    (
      await vscode.window.showQuickPick(
        LAB_TEMPLATES.map((t) => ({ label: t.label, detail: t.detail, id: t.id })),
        { title: 'New Lab: template', placeHolder: 'Which lab? (training, or serving a model with Flask, FastAPI, Streamlit or Gradio)' },
      )
    )?.id;
  if (!templateId) return undefined;
  const template = findTemplate(templateId);
  let folder = args.folder ?? (arg instanceof vscode.Uri ? arg.fsPath : undefined);
  if (!folder) {
    const picked = await vscode.window.showOpenDialog({
      title: `New Lab (${template.label}): folder to create it in`,
      openLabel: 'Create Lab Here',
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: false,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    folder = picked?.[0]?.fsPath;
  }
  if (!folder) return undefined;
  const fs = nodeLabFs();
  const plan = await planScaffold(fs, path.join(ctx.extension.extensionUri.fsPath, 'templates'), template.id, folder);
  const files = await writeScaffold(fs, plan);
  const inWorkspace = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(folder)) !== undefined;
  const dockerfile = vscode.Uri.file(path.join(folder, template.dockerfile));
  if (inWorkspace) {
    await vscode.window.showTextDocument(dockerfile, { preview: false });
    void vscode.window.showInformationMessage(`Created the ${template.label} lab in ${folder} (${files.length} files). Next: build it with "ML Lab: Build Image...".`);
  } else {
    // Not awaited: the command is done; the button opens the folder whenever it is clicked.
    void vscode.window.showInformationMessage(`Created the ${template.label} lab in ${folder} (${files.length} files).`, 'Open Folder').then((open) => {
      if (open === 'Open Folder') void vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(folder));
    });
  }
  return { folder, files };
}
