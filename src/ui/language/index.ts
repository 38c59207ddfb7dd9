/**
 * The lab guidance in the editor: diagnostics for Dockerfiles and `requirements*.txt`, and their
 * code actions. `activate()` calls {@link registerLanguageFeatures} once.
 */
import * as vscode from 'vscode';
import { LabDiagnostics } from './diagnostics';
import { LabCodeActionProvider } from './codeActions';

/**
 * Document selector of the code action provider: every file (Dockerfiles have many namings
 * and requirements files any language id); the provider itself decides with `lintedKind`.
 */
const SELECTOR: vscode.DocumentSelector = [{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-remote' }, { scheme: 'vscode-vfs' }];

/** Registers the diagnostics and the code action provider; returns their disposables for `context.subscriptions`. */
export function registerLanguageFeatures(context: vscode.ExtensionContext): vscode.Disposable[] {
  return [
    new LabDiagnostics(context.extensionUri),
    vscode.languages.registerCodeActionsProvider(SELECTOR, new LabCodeActionProvider(), LabCodeActionProvider.metadata),
  ];
}
