/**
 * Where a lab-guidance rule's page is in the installed extension. The build joins the rule pages
 * (docs/rules/MLxxx.md) into one file, dist/rules.md, which the .vsix ships instead of 31 small
 * files; a diagnostic links to the line of the rule's `# MLxxx: ...` heading there, with the
 * `L<line>` fragment VS Code's opener reveals (as it does for `file.ts#L10` links).
 */
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';

/** rule id -> 1-based line of its heading in dist/rules.md; null when the file is not there */
let headings: Map<string, number> | null | undefined;

/** The `# MLxxx` headings of a joined rules file: rule id -> 1-based line. */
export function ruleHeadingLines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  text.split('\n').forEach((line, i) => {
    const m = /^# (ML\d{3})\b/.exec(line);
    if (m && !out.has(m[1])) out.set(m[1], i + 1);
  });
  return out;
}

/**
 * The page of `rule`: dist/rules.md at its heading's line, else `fallback` (a path relative to
 * the extension, e.g. docs/rules/ML006.md, as in a development checkout before a build).
 */
export function rulePageUri(extensionUri: vscode.Uri, rule: string, fallback: string): vscode.Uri {
  const file = vscode.Uri.joinPath(extensionUri, 'dist', 'rules.md');
  if (headings === undefined) {
    try {
      headings = ruleHeadingLines(readFileSync(file.fsPath, 'utf8'));
    } catch {
      headings = null;
    }
  }
  const line = headings?.get(rule);
  return line ? file.with({ fragment: `L${line}` }) : vscode.Uri.joinPath(extensionUri, ...fallback.split('/'));
}
