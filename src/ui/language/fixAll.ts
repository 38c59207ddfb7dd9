/**
 * "ML Lab: Fix All Lab Guidance Issues": applies every safe fix to a Dockerfile or
 * requirements file (the active editor's, or the one given), checking again after each round,
 * in one edit. The same as the `source.fixAll.mllab` code action.
 */
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import { lintedKind, lintOptionsFor, lintText } from './lintDocument';
import { fixAllText, replaceChangedPart } from './workspaceEdits';
import type { CommandContext } from '../shared/context';

/**
 * @param arg optional `vscode.Uri` of the file (explorer, tests); default: the active editor's document
 * @returns the number of fixes applied (0 when nothing had a safe fix)
 */
export async function fixAllLabGuidance(_ctx: CommandContext, arg?: unknown): Promise<number> {
  const doc = arg instanceof vscode.Uri ? await vscode.workspace.openTextDocument(arg) : vscode.window.activeTextEditor?.document;
  if (!doc) throw new UserError('Open a Dockerfile or requirements.txt first, then run "Fix All Lab Guidance Issues" again.');
  const kind = lintedKind(doc);
  if (!kind) {
    throw new UserError(`${vscode.workspace.asRelativePath(doc.uri)} is not a Dockerfile or requirements*.txt, so the lab guidance has nothing to fix.`);
  }
  const options = await lintOptionsFor(doc, kind);
  const fixed = fixAllText(doc.getText(), (t) => lintText(kind, t, options));
  if (fixed.fixes === 0) {
    void vscode.window.showInformationMessage('No lab guidance issue here has a safe automatic fix; the quick fix menu (Ctrl+.) lists the others.');
    return 0;
  }
  if (!(await vscode.workspace.applyEdit(replaceChangedPart(doc, fixed.text)))) {
    throw new UserError(`Could not apply the fixes to ${vscode.workspace.asRelativePath(doc.uri)} (it changed meanwhile?); run the command again.`);
  }
  vscode.window.setStatusBarMessage(`ML Container Lab: applied ${fixed.fixes} fix${fixed.fixes === 1 ? '' : 'es'}`, 5000);
  return fixed.fixes;
}
