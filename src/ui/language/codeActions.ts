/**
 * Quick fixes for the lab guidance diagnostics (only our own codes): each fix of a finding,
 * "Ignore MLxxx here" / "Ignore MLxxx in this file" (suppression comments), "Pin to the versions
 * installed in the built image" on ML028, and "Fix all lab guidance issues" as `source.fixAll.mllab`.
 */
import * as vscode from 'vscode';
import { suppressionEdit, type Finding, type Fix } from '../../core/dockerfile/index';
import { CommandIds } from '../../core/ids';
import { findingFor, lintedKind, lintEnabled, lintOptionsFor, lintText, ruleOf } from './lintDocument';
import { fixAllText, fixToWorkspaceEdit, replaceChangedPart, textEditToWorkspaceEdit } from './workspaceEdits';

/** The fix-all kind: `source.fixAll.mllab`, so `editor.codeActionsOnSave` can name it. */
export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('mllab');
export const FIX_ALL_TITLE = 'Fix all lab guidance issues';

function wants(context: vscode.CodeActionContext, kind: vscode.CodeActionKind): boolean {
  return !context.only || context.only.intersects(kind);
}

/** The fix VS Code may apply on its own ("auto fix"): the first safe one. Unsafe fixes change the build beyond the finding. */
function preferredFix(f: Finding): Fix | undefined {
  return f.fixes.find((x) => x.safe);
}

export class LabCodeActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND],
  };

  async provideCodeActions(
    doc: vscode.TextDocument,
    _range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.CodeAction[]> {
    const kind = lintedKind(doc);
    if (!kind || !lintEnabled()) return [];
    const ours = context.diagnostics.filter((d) => ruleOf(d) !== undefined);
    const quickFixes = wants(context, vscode.CodeActionKind.QuickFix) && ours.length > 0;
    // Source actions are listed only when asked for (Source Action menu, codeActionsOnSave).
    const fixAll = context.only !== undefined && context.only.intersects(FIX_ALL_KIND);
    if (!quickFixes && !fixAll) return [];

    const options = await lintOptionsFor(doc, kind);
    if (token.isCancellationRequested) return [];
    const text = doc.getText();
    const actions: vscode.CodeAction[] = [];

    if (quickFixes) {
      const findings = lintText(kind, text, options);
      const seen = new Set<string>();
      let pinOffered = false;
      for (const d of ours) {
        const f = findingFor(d, findings);
        if (!f) continue;
        const preferred = preferredFix(f);
        for (const fix of f.fixes) {
          const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
          action.diagnostics = [d];
          action.edit = await fixToWorkspaceEdit(doc, fix);
          if (fix === preferred) action.isPreferred = true;
          actions.push(action);
        }
        if (f.rule === 'ML028' && !pinOffered && !doc.isUntitled) {
          pinOffered = true;
          const pin = new vscode.CodeAction('Pin to the versions installed in the built image (pip freeze)', vscode.CodeActionKind.QuickFix);
          pin.diagnostics = ours.filter((x) => ruleOf(x) === 'ML028');
          pin.command = {
            command: CommandIds.requirementsPinFromImage,
            title: pin.title,
            arguments: [{ requirements: doc.uri.fsPath }],
          };
          actions.push(pin);
        }
        for (const scope of ['line', 'file'] as const) {
          const key = scope === 'line' ? `${f.rule}@${f.range.start.line}` : f.rule;
          if (seen.has(key)) continue;
          seen.add(key);
          const title = scope === 'line' ? `Ignore ${f.rule} here` : `Ignore ${f.rule} in this file`;
          const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
          action.diagnostics = [d];
          action.edit = textEditToWorkspaceEdit(doc, suppressionEdit(text, f, scope));
          actions.push(action);
        }
      }
    }

    if (fixAll) {
      const fixed = fixAllText(text, (t) => lintText(kind, t, options));
      if (fixed.fixes > 0) {
        const action = new vscode.CodeAction(FIX_ALL_TITLE, FIX_ALL_KIND);
        action.edit = replaceChangedPart(doc, fixed.text);
        action.diagnostics = ours;
        actions.push(action);
      }
    }
    return actions;
  }
}
