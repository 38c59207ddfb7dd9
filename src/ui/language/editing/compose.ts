/**
 * Compose file editing help: Microsoft's Compose language service in-process (completion,
 * hover, diagnostics, formatting, image links) and our own outline, `depends_on` completion and
 * links to services, `build.dockerfile` links, image tag completion. Works whether or not a
 * YAML extension is installed (when one is, the service leaves out what it already does).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMPOSE_FILE_NAME_SOURCE } from '../../../core/compose/files';
import { composeOutline, composeReferences, dependsOnSpot, type ComposeSymbol } from '../../../core/compose/outline';
import { composeSpot } from '../../../core/language/mlCompletion';
import type { ComposeHost } from '../../../core/language/services';
import { log } from '../../base/log';
import { toCompletionItem, toDiagnostic, toHover, toTextEdit } from './convert';
import { mlItems } from './dockerfile';
import { alternateYamlCapabilities, editingState } from './gate';
import { languageServices } from './services';
import type { ImageSources } from './sources';

/** `dockercompose` (Container Tools' language id) and YAML files named as Compose files. */
export const COMPOSE_SELECTOR: vscode.DocumentSelector = [
  { language: 'dockercompose' },
  { language: 'yaml', pattern: '**/{compose,docker-compose}*.{yaml,yml}' },
];

const NAME = new RegExp(COMPOSE_FILE_NAME_SOURCE);
export function isComposeDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'dockercompose' || (doc.languageId === 'yaml' && NAME.test(path.posix.basename(doc.uri.path)));
}

const SYMBOL_KIND: Record<ComposeSymbol['kind'], vscode.SymbolKind> = {
  section: vscode.SymbolKind.Namespace,
  service: vscode.SymbolKind.Class,
  volume: vscode.SymbolKind.Field,
  network: vscode.SymbolKind.Interface,
  config: vscode.SymbolKind.File,
  secret: vscode.SymbolKind.Key,
  key: vscode.SymbolKind.Property,
};

function toSymbol(doc: vscode.TextDocument, s: ComposeSymbol): vscode.DocumentSymbol {
  const r = new vscode.Range(doc.positionAt(s.range.start), doc.positionAt(s.range.end));
  const sel = new vscode.Range(doc.positionAt(s.selection.start), doc.positionAt(s.selection.end));
  const out = new vscode.DocumentSymbol(s.name, '', SYMBOL_KIND[s.kind], r, sel);
  out.children = s.children.map((c) => toSymbol(doc, c));
  return out;
}

/** Registers the Compose editing help; the service itself starts on the first compose document. */
export class ComposeEditing implements vscode.Disposable {
  private host: ComposeHost | undefined;
  private readonly collection = vscode.languages.createDiagnosticCollection('Compose');
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly images: ImageSources) {
    this.disposables.push(
      this.collection,
      vscode.languages.registerCompletionItemProvider(COMPOSE_SELECTOR, this, '-', ':', ' ', '"', ',', '['),
      vscode.languages.registerHoverProvider(COMPOSE_SELECTOR, this),
      vscode.languages.registerDocumentSymbolProvider(COMPOSE_SELECTOR, this, { label: 'Compose' }),
      vscode.languages.registerDocumentLinkProvider(COMPOSE_SELECTOR, this),
      vscode.languages.registerDefinitionProvider(COMPOSE_SELECTOR, this),
      vscode.languages.registerDocumentFormattingEditProvider(COMPOSE_SELECTOR, this),
      vscode.workspace.onDidOpenTextDocument((d) => void this.sync(d)),
      vscode.workspace.onDidChangeTextDocument((e) => { if (e.contentChanges.length) void this.sync(e.document); }),
      vscode.workspace.onDidCloseTextDocument((d) => this.close(d)),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('mlLab.language.compose')) this.restart(); }),
      vscode.extensions.onDidChange(() => this.restart()),
    );
    // Compose files already open: after activation, so the service never loads inside activate().
    const t = setTimeout(() => { for (const d of vscode.workspace.textDocuments) void this.sync(d); }, 0);
    this.disposables.push({ dispose: () => clearTimeout(t) });
  }

  private library(): boolean {
    return editingState('compose').library;
  }

  /** The service, started on first use (loads the editing bundle). */
  private service(): ComposeHost {
    if (!this.host) {
      const { ComposeHost: Host } = languageServices();
      this.host = new Host(250, alternateYamlCapabilities());
      this.host.onDiagnostics((p) => {
        const uri = vscode.Uri.parse(p.uri);
        this.collection.set(uri, p.diagnostics.map((d) => toDiagnostic(d, 'Compose')));
      });
    }
    return this.host;
  }

  private async sync(doc: vscode.TextDocument): Promise<void> {
    if (!isComposeDocument(doc) || !this.library()) return;
    try {
      await this.service().change(doc.uri.toString(), doc.getText());
    } catch (err) {
      log().warn(`Compose language service: ${String(err)}`);
    }
  }

  private close(doc: vscode.TextDocument): void {
    if (!this.host?.has(doc.uri.toString())) return;
    void this.host.close(doc.uri.toString());
    this.collection.delete(doc.uri);
  }

  /** After a settings or extension change: drop the service; it starts again on the next request if still wanted. */
  private restart(): void {
    this.host?.dispose();
    this.host = undefined;
    this.collection.clear();
    for (const d of vscode.workspace.textDocuments) void this.sync(d);
  }

  /** The service with this document's current text in it, or undefined when the library is off. */
  private async ready(doc: vscode.TextDocument): Promise<ComposeHost | undefined> {
    if (!this.library()) return undefined;
    await this.sync(doc);
    return this.host;
  }

  async provideCompletionItems(doc: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.CompletionItem[]> {
    const state = editingState('compose');
    if (!state.ml && !state.library) return [];
    const lines = doc.getText().split(/\r?\n/);
    const deps = state.ml ? dependsOnSpot(lines, position.line, position.character) : undefined;
    if (deps) {
      const range = new vscode.Range(position.line, deps.start, position.line, position.character);
      return [...composeReferences(doc.getText()).services.keys()].filter((s) => s !== deps.from).map((s) => {
        const i = new vscode.CompletionItem(s, vscode.CompletionItemKind.Reference);
        i.detail = 'service in this file';
        i.range = range;
        return i;
      });
    }
    const spot = state.ml ? composeSpot(lines[position.line]?.slice(0, position.character) ?? '') : undefined;
    if (spot) return mlItems(spot, position.line, position, () => doc.getText(), this.images, token, state.library);
    const host = await this.ready(doc);
    if (!host || token.isCancellationRequested) return [];
    const r = await host.completion(doc.uri.toString(), { line: position.line, character: position.character });
    const items = Array.isArray(r) ? r : (r?.items ?? []);
    return items.map(toCompletionItem);
  }

  async provideHover(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const host = await this.ready(doc);
    return host ? toHover(await host.hover(doc.uri.toString(), { line: position.line, character: position.character })) : undefined;
  }

  provideDocumentSymbols(doc: vscode.TextDocument): vscode.DocumentSymbol[] {
    if (!this.library()) return [];
    return composeOutline(doc.getText()).map((s) => toSymbol(doc, s));
  }

  async provideDocumentLinks(doc: vscode.TextDocument): Promise<vscode.DocumentLink[]> {
    if (!editingState('compose').ml) return [];
    const text = doc.getText();
    const refs = composeReferences(text);
    const out: vscode.DocumentLink[] = [];
    for (const d of refs.dependsOn) {
      const target = refs.services.get(d.service);
      if (!target) continue;
      const at = doc.positionAt(target.start);
      const link = new vscode.DocumentLink(new vscode.Range(doc.positionAt(d.span.start), doc.positionAt(d.span.end)), doc.uri.with({ fragment: `L${at.line + 1},${at.character + 1}` }));
      link.tooltip = `Go to service ${d.service}`;
      out.push(link);
    }
    const folder = vscode.Uri.joinPath(doc.uri, '..');
    for (const f of refs.dockerfiles) {
      const link = new vscode.DocumentLink(new vscode.Range(doc.positionAt(f.span.start), doc.positionAt(f.span.end)), vscode.Uri.joinPath(folder, ...f.path.split('/')));
      link.tooltip = `Open ${f.path}`;
      out.push(link);
    }
    const host = await this.ready(doc);
    if (host) {
      for (const l of (await host.links(doc.uri.toString())) ?? []) {
        if (l.target) out.push(new vscode.DocumentLink(new vscode.Range(l.range.start.line, l.range.start.character, l.range.end.line, l.range.end.character), vscode.Uri.parse(l.target)));
      }
    }
    return out;
  }

  provideDefinition(doc: vscode.TextDocument, position: vscode.Position): vscode.Location | undefined {
    if (!editingState('compose').ml) return undefined;
    const offset = doc.offsetAt(position);
    const refs = composeReferences(doc.getText());
    const d = refs.dependsOn.find((x) => x.span.start <= offset && offset <= x.span.end);
    const target = d ? refs.services.get(d.service) : undefined;
    if (target) return new vscode.Location(doc.uri, new vscode.Range(doc.positionAt(target.start), doc.positionAt(target.end)));
    const f = refs.dockerfiles.find((x) => x.span.start <= offset && offset <= x.span.end);
    return f ? new vscode.Location(vscode.Uri.joinPath(doc.uri, '..', ...f.path.split('/')), new vscode.Position(0, 0)) : undefined;
  }

  async provideDocumentFormattingEdits(doc: vscode.TextDocument, options: vscode.FormattingOptions): Promise<vscode.TextEdit[]> {
    const host = await this.ready(doc);
    if (!host) return [];
    return ((await host.format(doc.uri.toString(), { tabSize: options.tabSize, insertSpaces: options.insertSpaces })) ?? []).map(toTextEdit);
  }

  dispose(): void {
    this.host?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
