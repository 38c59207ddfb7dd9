/** LSP shapes (from the libraries) as VS Code's. LSP kinds are VS Code's plus one. */
import * as vscode from 'vscode';
import type * as lsp from 'vscode-languageserver-protocol';

export const toPosition = (p: lsp.Position): vscode.Position => new vscode.Position(p.line, p.character);
export const toRange = (r: lsp.Range): vscode.Range => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
export const fromPosition = (p: vscode.Position): lsp.Position => ({ line: p.line, character: p.character });
export const fromRange = (r: vscode.Range): lsp.Range => ({ start: fromPosition(r.start), end: fromPosition(r.end) });

function toDoc(d: string | lsp.MarkupContent | undefined): string | vscode.MarkdownString | undefined {
  if (d === undefined || typeof d === 'string') return d;
  return d.kind === 'markdown' ? new vscode.MarkdownString(d.value) : d.value;
}

export function toCompletionItem(i: lsp.CompletionItem): vscode.CompletionItem {
  const item = new vscode.CompletionItem(i.label, i.kind !== undefined ? ((i.kind - 1) as vscode.CompletionItemKind) : undefined);
  const text = i.textEdit ? i.textEdit.newText : i.insertText;
  const snippet = i.insertTextFormat === 2;
  if (text !== undefined) item.insertText = snippet ? new vscode.SnippetString(text) : text;
  if (i.textEdit) item.range = 'range' in i.textEdit ? toRange(i.textEdit.range) : { inserting: toRange(i.textEdit.insert), replacing: toRange(i.textEdit.replace) };
  if (i.detail) item.detail = i.detail;
  const doc = toDoc(i.documentation);
  if (doc) item.documentation = doc;
  if (i.sortText) item.sortText = i.sortText;
  if (i.filterText) item.filterText = i.filterText;
  if (i.additionalTextEdits) item.additionalTextEdits = i.additionalTextEdits.map(toTextEdit);
  if (i.command) item.command = { title: i.command.title, command: i.command.command, arguments: i.command.arguments };
  if (i.deprecated || i.tags?.includes(1)) item.tags = [vscode.CompletionItemTag.Deprecated];
  return item;
}

export function toHover(h: lsp.Hover | null | undefined): vscode.Hover | undefined {
  if (!h) return undefined;
  const parts = Array.isArray(h.contents) ? h.contents : [h.contents];
  const md = parts.map((c) => (typeof c === 'string' ? new vscode.MarkdownString(c) : 'kind' in c ? (c.kind === 'markdown' ? new vscode.MarkdownString(c.value) : new vscode.MarkdownString().appendText(c.value)) : new vscode.MarkdownString().appendCodeblock(c.value, c.language)));
  return new vscode.Hover(md, h.range ? toRange(h.range) : undefined);
}

export const toTextEdit = (e: lsp.TextEdit): vscode.TextEdit => new vscode.TextEdit(toRange(e.range), e.newText);

export function toSignatureHelp(s: lsp.SignatureHelp | null | undefined): vscode.SignatureHelp | undefined {
  if (!s || !s.signatures.length) return undefined;
  const out = new vscode.SignatureHelp();
  out.activeSignature = s.activeSignature ?? 0;
  out.activeParameter = s.activeParameter ?? 0;
  out.signatures = s.signatures.map((sig) => {
    const x = new vscode.SignatureInformation(sig.label, toDoc(sig.documentation));
    // A parameter label is its text or its [start, end) in the signature's label.
    x.parameters = (sig.parameters ?? []).map((p) => new vscode.ParameterInformation(p.label, toDoc(p.documentation) as string | vscode.MarkdownString | undefined));
    if (sig.activeParameter !== undefined && sig.activeParameter !== null) x.activeParameter = sig.activeParameter;
    return x;
  });
  return out;
}

export function toDiagnostic(d: lsp.Diagnostic, source: string): vscode.Diagnostic {
  const out = new vscode.Diagnostic(toRange(d.range), typeof d.message === 'string' ? d.message : d.message.value, d.severity ? ((d.severity - 1) as vscode.DiagnosticSeverity) : vscode.DiagnosticSeverity.Warning);
  out.source = source;
  if (d.code !== undefined) out.code = d.code;
  if (d.tags) out.tags = d.tags as number[] as vscode.DiagnosticTag[];
  return out;
}
