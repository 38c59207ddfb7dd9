/**
 * Lab guidance diagnostics: every open Dockerfile and `requirements*.txt` is checked on open
 * and, debounced, on change; its diagnostics are cleared on close. Settings changes, a
 * `.dockerignore` appearing or going, and versions read from an image re-check what is open.
 */
import * as vscode from 'vscode';
import { lintedKind, lintEnabled, lintOptionsFor, lintText, onDidChangeInstalledVersions, toDiagnostic } from './lintDocument';

/** Pause after the last keystroke before checking again, in ms (a check of 1,000 lines takes a few ms). */
const DEBOUNCE_MS = 250;

export class LabDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('ML Container Lab');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Bumped per document on every check request, so a slower, older check never overwrites a newer one. */
  private readonly generation = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];

  /**
   * @param syntax a Dockerfile's syntax diagnostics from the language service's validator (when
   *   the editing help is on; it returns [] otherwise), merged into the same collection
   * @param onDidCheck told after each check with the count and the check's own cost in ms (lint and
   *   validator, without the debounce; the bench prints it)
   */
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly syntax?: (text: string) => vscode.Diagnostic[],
    private readonly onDidCheck?: (doc: vscode.TextDocument, count: number, ms: number) => void,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/{.dockerignore,*.dockerignore}', false, true, false);
    this.disposables.push(
      this.collection,
      watcher,
      watcher.onDidCreate(() => this.checkAll()),
      watcher.onDidDelete(() => this.checkAll()),
      vscode.workspace.onDidOpenTextDocument((doc) => void this.check(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.schedule(e.document);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => this.forget(doc.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mlLab.lint') || e.affectsConfiguration('mlLab.language.dockerfile')) this.checkAll();
      }),
      onDidChangeInstalledVersions(() => this.checkAll()),
    );
    this.checkAll();
  }

  /** Checks every open document again (or clears everything when `mlLab.lint.enable` is off). */
  checkAll(): void {
    if (!lintEnabled()) {
      for (const t of this.timers.values()) clearTimeout(t);
      this.timers.clear();
      this.collection.clear();
      return;
    }
    for (const doc of vscode.workspace.textDocuments) void this.check(doc);
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!lintedKind(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.check(doc);
      }, DEBOUNCE_MS),
    );
  }

  /** Checks one document now and publishes its diagnostics. */
  async check(doc: vscode.TextDocument): Promise<void> {
    const kind = lintedKind(doc);
    if (!kind || !lintEnabled()) return;
    const key = doc.uri.toString();
    const gen = (this.generation.get(key) ?? 0) + 1;
    this.generation.set(key, gen);
    const options = await lintOptionsFor(doc, kind);
    // A newer check started meanwhile, or the document was closed.
    if (this.generation.get(key) !== gen || doc.isClosed) return;
    const t0 = performance.now();
    const text = doc.getText();
    const findings = lintText(kind, text, options);
    const diagnostics = findings.map((f) => toDiagnostic(f, this.extensionUri));
    if (kind === 'dockerfile' && this.syntax) diagnostics.push(...this.syntax(text));
    this.collection.set(doc.uri, diagnostics);
    this.onDidCheck?.(doc, diagnostics.length, performance.now() - t0);
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.generation.delete(key);
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
  }
}
