/**
 * The run profiles file (`.vscode/mllab.yaml` by default, setting `mlLab.profiles.file`):
 * parsed with src/core/run/profile.ts, every error shown as a diagnostic at its line and
 * column with the field's expected form. A profile with an error is never run.
 */
import * as vscode from 'vscode';
import { parseProfiles, type Profile, type ProfileError } from '../../core/run/profile';
import { SettingIds } from '../../core/ids';

export interface LoadedProfiles {
  uri: vscode.Uri;
  exists: boolean;
  text: string;
  profiles: Profile[];
  errors: ProfileError[];
}

export class ProfileStore implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('ML Container Lab: profiles');
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the profiles file changes on disk or in an editor, or the setting changes. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private watcher: vscode.FileSystemWatcher | undefined;

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SettingIds.profilesFile)) this.watch();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.uri() && e.document.uri.toString() === this.uri()!.toString()) void this.load().then(() => this.changed.fire());
      }),
    );
    this.watch();
  }

  /** The profiles file of the first workspace folder; undefined without a folder. */
  uri(): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    const rel = vscode.workspace.getConfiguration().get<string>(SettingIds.profilesFile) || '.vscode/mllab.yaml';
    return vscode.Uri.joinPath(folder.uri, ...rel.split(/[\\/]/));
  }

  private watch(): void {
    this.watcher?.dispose();
    const folder = vscode.workspace.workspaceFolders?.[0];
    const uri = this.uri();
    if (!folder || !uri) return;
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, vscode.workspace.asRelativePath(uri, false)));
    const reload = () => void this.load().then(() => this.changed.fire());
    this.watcher.onDidChange(reload);
    this.watcher.onDidCreate(reload);
    this.watcher.onDidDelete(reload);
    reload();
  }

  /** Reads (the open editor's text when there is one) and parses the file, and publishes its errors. */
  async load(): Promise<LoadedProfiles> {
    const uri = this.uri();
    if (!uri) return { uri: vscode.Uri.file('/'), exists: false, text: '', profiles: [], errors: [] };
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    let text: string;
    let exists = true;
    if (open) text = open.getText();
    else {
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      } catch {
        text = '';
        exists = false;
      }
    }
    const { profiles, errors } = parseProfiles(text, { workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath });
    this.diagnostics.set(
      uri,
      errors.map((e) => {
        const range = new vscode.Range(Math.max(0, e.line - 1), Math.max(0, e.column - 1), Math.max(0, e.endLine - 1), Math.max(0, e.endColumn - 1));
        const d = new vscode.Diagnostic(range, `${e.message}${e.expected ? ` Expected: ${e.expected}` : ''}`, vscode.DiagnosticSeverity.Error);
        d.source = 'ML Container Lab';
        d.code = e.path || undefined;
        return d;
      }),
    );
    return { uri, exists, text, profiles, errors };
  }

  dispose(): void {
    this.watcher?.dispose();
    this.diagnostics.dispose();
    this.changed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** The errors that belong to one profile (by path), or to the whole file. */
export function errorsOf(loaded: LoadedProfiles, name: string): ProfileError[] {
  return loaded.errors.filter((e) => e.path === '' || e.path === `profiles.${name}` || e.path.startsWith(`profiles.${name}.`) || !e.path.startsWith('profiles.'));
}
