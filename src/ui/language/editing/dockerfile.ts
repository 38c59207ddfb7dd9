/**
 * Dockerfile editing help: the providers of dockerfile-language-service (completion, hover,
 * signature help, outline, definition, highlights, rename, links, formatting, semantic tokens)
 * and the ML-aware completion (engine images and ML base images after FROM, registry tags,
 * EXPOSE's app port, cache mount targets, RUN flags the library lacks).
 *
 * Library providers exist only while {@link editingState} says so; they are registered again
 * when the setting changes or an extension is installed or removed.
 */
import * as vscode from 'vscode';
import { appPorts, CACHE_TARGETS, dockerfileSpot, engineImageNames, ML_BASE_IMAGES, MOUNT_OPTIONS, RUN_FLAGS, type CompletionSpot } from '../../../core/language/mlCompletion';
import { SEMANTIC_TOKEN_MODIFIERS_LEGEND, SEMANTIC_TOKEN_TYPES_LEGEND } from '../../../core/language/legend';
import { fromPosition, fromRange, toCompletionItem, toHover, toRange, toSignatureHelp, toTextEdit } from './convert';
import { editingState } from './gate';
import { languageServices } from './services';
import type { ImageSources } from './sources';

export const DOCKERFILE_SELECTOR: vscode.DocumentSelector = [{ language: 'dockerfile' }];

const uriOf = (doc: vscode.TextDocument) => ({ uri: doc.uri.toString() });
const formatting = (o: vscode.FormattingOptions) => ({ tabSize: o.tabSize, insertSpaces: o.insertSpaces });

/** An AbortSignal that follows a cancellation token. */
export function signalOf(token: vscode.CancellationToken): AbortSignal {
  const c = new AbortController();
  if (token.isCancellationRequested) c.abort();
  else token.onCancellationRequested(() => c.abort());
  return c.signal;
}

/** The app's ports of the last text asked about: EXPOSE completion fires on every keystroke of a port. */
let lastPorts: { text: string; ports: ReturnType<typeof appPorts> } | undefined;
function portsOf(text: string): ReturnType<typeof appPorts> {
  if (lastPorts?.text !== text) lastPorts = { text, ports: appPorts(text) };
  return lastPorts.ports;
}

/** Completion items for an ML-aware spot (shared with compose files for tags). `line`: the cursor's line. */
export async function mlItems(spot: CompletionSpot, line: number, position: vscode.Position, text: () => string, images: ImageSources, token: vscode.CancellationToken, library: boolean): Promise<vscode.CompletionItem[]> {
  const range = new vscode.Range(line, spot.start, position.line, position.character);
  const item = (label: string, kind: vscode.CompletionItemKind, detail: string, sort: string, insert?: string | vscode.SnippetString): vscode.CompletionItem => {
    const i = new vscode.CompletionItem(label, kind);
    i.detail = detail;
    i.sortText = sort;
    i.range = range;
    if (insert !== undefined) i.insertText = insert;
    return i;
  };
  switch (spot.kind) {
    case 'image': {
      const onEngine = engineImageNames((await images.engineImages()).map((i) => i.repoTags));
      if (token.isCancellationRequested) return [];
      const out = onEngine.map((n, k) => item(n, vscode.CompletionItemKind.Reference, 'image on the engine', `0${String(k).padStart(5, '0')}`));
      ML_BASE_IMAGES.forEach((b, k) => {
        const i = item(b.name, vscode.CompletionItemKind.Module, b.description, `1${String(k).padStart(5, '0')}`);
        i.documentation = new vscode.MarkdownString(`**${b.name}**: ${b.description}\n\nType \`:\` after it for its tags.`);
        out.push(i);
      });
      return out;
    }
    case 'tag': {
      const tags = await images.tags(spot.image, signalOf(token));
      // Newest-looking first: registries list tags sorted as text, so reverse for versions.
      return [...tags].reverse().map((t, k) => item(t, vscode.CompletionItemKind.Value, `tag of ${spot.image} in its registry`, String(k).padStart(6, '0')));
    }
    case 'exposePort':
      return portsOf(text()).map((p, k) => item(String(p.port), vscode.CompletionItemKind.Value, `${p.tool} listens on ${p.port} (the command of the final stage)`, String(k)));
    case 'cacheTarget':
      return CACHE_TARGETS.map((c, k) => item(c.path, vscode.CompletionItemKind.Folder, c.description, String(k).padStart(3, '0')));
    case 'runFlag':
      if (!library) return [];
      return RUN_FLAGS.map((f, k) => {
        const i = item(f.flag, vscode.CompletionItemKind.Property, f.description, String(k), new vscode.SnippetString(f.snippet));
        if (f.flag === '--mount') i.command = { title: 'Suggest', command: 'editor.action.triggerSuggest' };
        return i;
      });
    case 'mountOption':
      if (!library) return [];
      return (MOUNT_OPTIONS[spot.type ?? ''] ?? []).map((o, k) => {
        const i = item(o, vscode.CompletionItemKind.Property, `--mount option${spot.type ? ` for type=${spot.type}` : ''}`, String(k).padStart(3, '0'));
        if (o.endsWith('=')) i.command = { title: 'Suggest', command: 'editor.action.triggerSuggest' };
        return i;
      });
  }
}

class CompletionProvider implements vscode.CompletionItemProvider {
  constructor(private readonly images: ImageSources) {}

  async provideCompletionItems(doc: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.CompletionItem[] | vscode.CompletionList> {
    const state = editingState('dockerfile');
    const before = doc.lineAt(position.line).text.slice(0, position.character);
    const spot = state.ml ? dockerfileSpot(before) : undefined;
    const ml = spot ? await mlItems(spot, position.line, position, () => doc.getText(), this.images, token, state.library) : [];
    if (!state.library || spot?.kind === 'image' || spot?.kind === 'tag' || spot?.kind === 'cacheTarget') return ml;
    const lib = await languageServices().dockerfileService().computeCompletionItems(doc.getText(), fromPosition(position));
    return [...ml, ...lib.map(toCompletionItem)];
  }
}

/** The library's providers: registered only while its state says `library`. */
function libraryProviders(): vscode.Disposable[] {
  const svc = () => languageServices().dockerfileService();
  const legend = new vscode.SemanticTokensLegend(SEMANTIC_TOKEN_TYPES_LEGEND, SEMANTIC_TOKEN_MODIFIERS_LEGEND);
  return [
    vscode.languages.registerHoverProvider(DOCKERFILE_SELECTOR, { provideHover: (doc, pos) => toHover(svc().computeHover(doc.getText(), fromPosition(pos))) }),
    vscode.languages.registerSignatureHelpProvider(DOCKERFILE_SELECTOR, { provideSignatureHelp: (doc, pos) => toSignatureHelp(svc().computeSignatureHelp(doc.getText(), fromPosition(pos))) }, ' ', '=', ','),
    vscode.languages.registerDocumentSymbolProvider(DOCKERFILE_SELECTOR, {
      provideDocumentSymbols: (doc) => svc().computeSymbols(uriOf(doc), doc.getText()).map((s) => new vscode.SymbolInformation(s.name, (s.kind - 1) as vscode.SymbolKind, s.containerName ?? '', new vscode.Location(doc.uri, toRange(s.location.range)))),
    }, { label: 'Dockerfile' }),
    vscode.languages.registerDefinitionProvider(DOCKERFILE_SELECTOR, {
      provideDefinition: (doc, pos) => {
        const l = svc().computeDefinition(uriOf(doc), doc.getText(), fromPosition(pos));
        return l ? new vscode.Location(doc.uri, toRange(l.range)) : undefined;
      },
    }),
    vscode.languages.registerDocumentHighlightProvider(DOCKERFILE_SELECTOR, {
      provideDocumentHighlights: (doc, pos) => svc().computeHighlightRanges(doc.getText(), fromPosition(pos)).map((h) => new vscode.DocumentHighlight(toRange(h.range), h.kind !== undefined ? ((h.kind - 1) as vscode.DocumentHighlightKind) : undefined)),
    }),
    vscode.languages.registerRenameProvider(DOCKERFILE_SELECTOR, {
      prepareRename: (doc, pos) => {
        const r = svc().prepareRename(doc.getText(), fromPosition(pos));
        if (!r) throw new Error('Only stage names, ARGs and ENVs can be renamed.');
        return toRange(r);
      },
      provideRenameEdits: (doc, pos, newName) => {
        const edit = new vscode.WorkspaceEdit();
        for (const e of svc().computeRename(uriOf(doc), doc.getText(), fromPosition(pos), newName)) edit.replace(doc.uri, toRange(e.range), e.newText);
        return edit;
      },
    }),
    vscode.languages.registerDocumentLinkProvider(DOCKERFILE_SELECTOR, {
      provideDocumentLinks: (doc) => svc().computeLinks(doc.getText()).map((l) => {
        const r = l.target ? l : svc().resolveLink(l);
        return new vscode.DocumentLink(toRange(r.range), r.target ? vscode.Uri.parse(r.target) : undefined);
      }),
    }),
    vscode.languages.registerDocumentFormattingEditProvider(DOCKERFILE_SELECTOR, { provideDocumentFormattingEdits: (doc, o) => svc().format(doc.getText(), formatting(o)).map(toTextEdit) }),
    vscode.languages.registerDocumentRangeFormattingEditProvider(DOCKERFILE_SELECTOR, { provideDocumentRangeFormattingEdits: (doc, r, o) => svc().formatRange(doc.getText(), fromRange(r), formatting(o)).map(toTextEdit) }),
    vscode.languages.registerOnTypeFormattingEditProvider(DOCKERFILE_SELECTOR, { provideOnTypeFormattingEdits: (doc, pos, ch, o) => svc().formatOnType(doc.getText(), fromPosition(pos), ch, formatting(o)).map(toTextEdit) }, '`', '\\'),
    vscode.languages.registerDocumentSemanticTokensProvider(DOCKERFILE_SELECTOR, { provideDocumentSemanticTokens: (doc) => new vscode.SemanticTokens(new Uint32Array(languageServices().semanticTokens(doc.getText()).data)) }, legend),
  ];
}

/** Registers the Dockerfile editing help; follows `mlLab.language.dockerfile` and installed extensions. */
export class DockerfileEditing implements vscode.Disposable {
  private library: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private libraryOn = false;

  constructor(images: ImageSources, private readonly onChange: () => void) {
    this.disposables.push(
      // Always registered (cheap, lazy): it asks the state on each request.
      vscode.languages.registerCompletionItemProvider(DOCKERFILE_SELECTOR, new CompletionProvider(images), ' ', '-', '=', ':', ',', '/', '$', '{'),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('mlLab.language')) this.update(); }),
      vscode.extensions.onDidChange(() => this.update()),
    );
    this.update();
  }

  private update(): void {
    const on = editingState('dockerfile').library;
    if (on === this.libraryOn) return;
    this.libraryOn = on;
    for (const d of this.library.splice(0)) d.dispose();
    if (on) this.library = libraryProviders();
    this.onChange();
  }

  dispose(): void {
    for (const d of [...this.library, ...this.disposables]) d.dispose();
  }
}
