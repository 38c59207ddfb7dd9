/**
 * Fixes (plain text edits from src/core) as WorkspaceEdits: snippet edits where the editor
 * supports them, changes to neighbouring files (`.dockerignore`, `requirements.txt`) with the
 * file created when missing, and "fix all" as one edit.
 */
import * as vscode from 'vscode';
import { applyEdits, applyFileChange, safeFixEdits, type FileChange, type Finding, type Fix, type TextEdit } from '../../core/dockerfile/index';
import { folderOf, toRange } from './lintDocument';

/**
 * Whether a WorkspaceEdit may carry SnippetTextEdits for a text document: VS Code 1.86 and later
 * (the 1.82 API has the class but applies workspace edits as plain text only).
 */
export function snippetEditsSupported(): boolean {
  if (typeof vscode.SnippetTextEdit !== 'function') return false;
  const [major, minor] = vscode.version.split('.').map((n) => Number.parseInt(n, 10));
  return major > 1 || (major === 1 && minor >= 86);
}

/** One core edit as a VS Code edit: a snippet edit when it has a snippet and snippets are supported. */
function toEdit(e: TextEdit, snippets: boolean): vscode.TextEdit | vscode.SnippetTextEdit {
  const range = toRange(e.range);
  if (snippets && e.snippet !== undefined) return new vscode.SnippetTextEdit(range, new vscode.SnippetString(e.snippet));
  return new vscode.TextEdit(range, e.newText);
}

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

function endOf(text: string): vscode.Position {
  const lines = text.split('\n');
  return new vscode.Position(lines.length - 1, lines[lines.length - 1].length);
}

/** Adds a change to a file beside `folder` (lines already there are skipped); creates the file when it does not exist. */
async function addFileChange(edit: vscode.WorkspaceEdit, folder: vscode.Uri, change: FileChange): Promise<void> {
  const target = vscode.Uri.joinPath(folder, ...change.path.split('/'));
  const current = await readText(target);
  const next = applyFileChange(current, change);
  if (current === undefined) {
    edit.createFile(target, { ignoreIfExists: true });
    edit.insert(target, new vscode.Position(0, 0), next);
  } else if (next !== current && next.startsWith(current)) {
    edit.insert(target, endOf(current), next.slice(current.length));
  }
}

/** A fix of `doc` as one WorkspaceEdit, including its changes to other files (skipped for an untitled document, which has no folder). */
export async function fixToWorkspaceEdit(doc: vscode.TextDocument, fix: Fix): Promise<vscode.WorkspaceEdit> {
  const edit = new vscode.WorkspaceEdit();
  const snippets = snippetEditsSupported();
  if (fix.edits.length) edit.set(doc.uri, fix.edits.map((e) => toEdit(e, snippets)));
  const folder = folderOf(doc);
  if (folder) for (const change of fix.files ?? []) await addFileChange(edit, folder, change);
  return edit;
}

/** A single text edit as a WorkspaceEdit (suppression comments). */
export function textEditToWorkspaceEdit(doc: vscode.TextDocument, e: TextEdit): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  edit.set(doc.uri, [new vscode.TextEdit(toRange(e.range), e.newText)]);
  return edit;
}

/** Rounds of "fix, check again" at most: a fix may make room for another (conflicting edits wait a round). */
const MAX_FIX_ROUNDS = 10;

/** Counts the findings whose first safe fix `safeFixEdits` took (it pushes the fixes' own edit objects). */
function countTaken(findings: readonly Finding[], edits: readonly TextEdit[]): number {
  const taken = new Set(edits);
  let n = 0;
  for (const f of findings) {
    const fix = f.fixes.find((x) => x.safe && x.edits.length > 0 && !(x.files && x.files.length));
    if (fix && fix.edits.every((e) => taken.has(e))) n++;
  }
  return n;
}

/**
 * "Fix all lab guidance issues" on a text: applies every safe fix (`safeFixEdits`), checks
 * again and repeats while fixes remain (at most 10 rounds), all in memory.
 * @param lint checks a text (with the document's options)
 * @returns the fixed text and how many fixes were applied
 */
export function fixAllText(text: string, lint: (text: string) => Finding[]): { text: string; fixes: number } {
  let current = text;
  let fixes = 0;
  for (let round = 0; round < MAX_FIX_ROUNDS; round++) {
    const findings = lint(current);
    const edits = safeFixEdits(current, findings);
    if (edits.length === 0) break;
    let next: string;
    try {
      next = applyEdits(current, edits);
    } catch {
      break;
    }
    if (next === current) break;
    fixes += countTaken(findings, edits);
    current = next;
  }
  return { text: current, fixes };
}

/**
 * The one edit that turns `doc`'s text into `fixed`: the changed middle, common prefix and
 * suffix left alone (so the cursor and folding outside the fixed lines stay put).
 */
export function replaceChangedPart(doc: vscode.TextDocument, fixed: string): vscode.WorkspaceEdit {
  const text = doc.getText();
  let start = 0;
  while (start < text.length && start < fixed.length && text[start] === fixed[start]) start++;
  let end = 0;
  while (end < text.length - start && end < fixed.length - start && text[text.length - 1 - end] === fixed[fixed.length - 1 - end]) end++;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(start), doc.positionAt(text.length - end)), fixed.slice(start, fixed.length - end));
  return edit;
}
