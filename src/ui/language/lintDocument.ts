/**
 * Which documents the lab guidance checks, with which options, and the plain-data -> VS Code
 * conversions shared by the diagnostics, the code actions and the lint commands.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isDockerfileName } from '../../core/build/dockerfiles';
import { BUILD_CHECK_NAMES, buildCheckUrl, lintDockerfile, RULES, type BaseImageFacts, type Finding, type LintOptions, type Range, type Severity } from '../../core/dockerfile/index';
import { lintRequirements } from '../../core/requirements/index';
import { DIAGNOSTIC_SOURCE, SettingIds } from '../../core/ids';
import { rulePageUri } from './rulePages';

export { DIAGNOSTIC_SOURCE };

export type LintedKind = 'dockerfile' | 'requirements';

/** Schemes of documents worth checking; diff views (`git:`), output panes and the like are left alone. */
const SCHEMES = new Set(['file', 'untitled', 'vscode-remote', 'vscode-vfs']);

/** `requirements.txt`, `requirements-dev.txt`, `requirements_gpu.txt`... (not pip-tools' `.in` inputs, which are unpinned on purpose). */
const REQUIREMENTS_NAME = /^requirements[^/\\]*\.txt$/i;

/**
 * What kind of file the lab guidance checks `doc` as: a Dockerfile by name (every naming
 * `isDockerfileName` knows) or by language id `dockerfile`; a requirements file by name
 * (`requirements*.txt`), whatever its language id. `undefined`: not checked.
 */
export function lintedKind(doc: vscode.TextDocument): LintedKind | undefined {
  if (!SCHEMES.has(doc.uri.scheme)) return undefined;
  const base = path.posix.basename(doc.uri.path);
  if (REQUIREMENTS_NAME.test(base)) return 'requirements';
  if (doc.languageId === 'dockerfile' || isDockerfileName(base)) return 'dockerfile';
  return undefined;
}

/** `mlLab.lint.enable` (default true). */
export function lintEnabled(): boolean {
  return vscode.workspace.getConfiguration().get<boolean>(SettingIds.lintEnable) ?? true;
}

const LEVELS = new Set(['off', 'hint', 'information', 'warning', 'error']);

/** `mlLab.lint.rules`: severity per rule id; unknown ids and values are ignored. */
export function severityOverrides(): Record<string, Severity | 'off'> {
  const raw = vscode.workspace.getConfiguration().get<Record<string, unknown>>(SettingIds.lintRules) ?? {};
  // Lab rule ids in any case (ml005), BuildKit's names as BuildKit spells them in any case (undefinedvar).
  const known = new Map([...RULES.map((r) => r.id), ...BUILD_CHECK_NAMES].map((id) => [id.toUpperCase(), id]));
  const out: Record<string, Severity | 'off'> = {};
  for (const [id, level] of Object.entries(raw)) {
    const key = known.get(id.toUpperCase());
    if (key && typeof level === 'string' && LEVELS.has(level)) out[key] = level as Severity | 'off';
  }
  return out;
}

/**
 * What the editing help adds to Dockerfile checks (set by registerLanguageFeatures): whether
 * BuildKit's build checks run, and base image facts read from the engine (ML005, UndefinedVar).
 */
export interface DockerfileLintExtras {
  buildChecks(): boolean;
  baseImages(text: string): Promise<Record<string, BaseImageFacts>>;
}
let extras: DockerfileLintExtras | undefined;
export function setDockerfileLintExtras(e: DockerfileLintExtras | undefined): void {
  extras = e;
}

/** Versions read by `pip freeze` from a built image, by the folder of the requirements file (ML028's fix pins them). */
const installed = new Map<string, Readonly<Record<string, string>>>();
const installedChanged = new vscode.EventEmitter<void>();
/** Fires when {@link rememberInstalledVersions} learns new versions: open requirements files are checked again. */
export const onDidChangeInstalledVersions = installedChanged.event;

/** Remembers (for this session) what an image built in `folder` has installed. */
export function rememberInstalledVersions(folder: string, versions: ReadonlyMap<string, string>): void {
  installed.set(folder, Object.fromEntries(versions));
  installedChanged.fire();
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** The folder of a saved document, or undefined for an untitled one. */
export function folderOf(doc: vscode.TextDocument): vscode.Uri | undefined {
  return doc.isUntitled ? undefined : vscode.Uri.joinPath(doc.uri, '..');
}

/**
 * The options to check `doc` with: severities from the settings; for a saved Dockerfile,
 * whether its build context has a `.dockerignore` (or BuildKit's `<Dockerfile>.dockerignore`),
 * which ML024 needs; for a requirements file, the versions last read from an image built there.
 */
export async function lintOptionsFor(doc: vscode.TextDocument, kind: LintedKind): Promise<LintOptions> {
  const options: LintOptions = { severities: severityOverrides() };
  if (kind === 'dockerfile' && extras) {
    // Not in the caller's synchronous turn: at activation that would parse the file (and load
    // the Dockerfile parser) before activate() returns.
    await Promise.resolve();
    options.buildChecks = extras.buildChecks();
    options.baseImages = await extras.baseImages(doc.getText());
  }
  const folder = folderOf(doc);
  if (!folder) return options;
  if (kind === 'dockerfile') {
    const own = vscode.Uri.joinPath(folder, `${path.posix.basename(doc.uri.path)}.dockerignore`);
    const hasDockerignore = (await exists(vscode.Uri.joinPath(folder, '.dockerignore'))) || (await exists(own));
    options.buildContext = { hasDockerignore };
  } else {
    const versions = installed.get(folder.fsPath);
    if (versions) options.installedVersions = versions;
  }
  return options;
}

/** Checks a document's current text. Never throws (the core does not). */
export function lintText(kind: LintedKind, text: string, options: LintOptions): Finding[] {
  return kind === 'dockerfile' ? lintDockerfile(text, options) : lintRequirements(text, options);
}

/** Lints `doc` as it is now, with the options of {@link lintOptionsFor}; [] when it is not a checked file. */
export async function lintDocument(doc: vscode.TextDocument): Promise<Finding[]> {
  const kind = lintedKind(doc);
  if (!kind) return [];
  return lintText(kind, doc.getText(), await lintOptionsFor(doc, kind));
}

export function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export function toSeverity(s: Severity): vscode.DiagnosticSeverity {
  switch (s) {
    case 'error':
      return vscode.DiagnosticSeverity.Error;
    case 'warning':
      return vscode.DiagnosticSeverity.Warning;
    case 'information':
      return vscode.DiagnosticSeverity.Information;
    case 'hint':
      return vscode.DiagnosticSeverity.Hint;
  }
}

/** The rule id of one of our diagnostics, or undefined for anyone else's. */
export function ruleOf(d: vscode.Diagnostic): string | undefined {
  if (d.source !== DIAGNOSTIC_SOURCE) return undefined;
  const code = typeof d.code === 'object' ? d.code.value : d.code;
  return typeof code === 'string' && (/^ML\d{3}$/.test(code) || BUILD_CHECK_NAMES.has(code)) ? code : undefined;
}

/** A finding as a diagnostic: `code` is the rule id, linked to its page shipped in the extension (dist/rules.md at the rule's heading: ./rulePages.ts). */
export function toDiagnostic(f: Finding, extensionUri: vscode.Uri): vscode.Diagnostic {
  const d = new vscode.Diagnostic(toRange(f.range), f.message, toSeverity(f.severity));
  d.source = DIAGNOSTIC_SOURCE;
  if (BUILD_CHECK_NAMES.has(f.rule)) {
    // BuildKit's own page for the check.
    d.code = { value: f.rule, target: vscode.Uri.parse(buildCheckUrl(f.rule)) };
    return d;
  }
  const docs = RULES.find((r) => r.id === f.rule)?.docs ?? `docs/rules/${f.rule}.md`;
  d.code = { value: f.rule, target: rulePageUri(extensionUri, f.rule, docs) };
  return d;
}

/** The finding a diagnostic was made from: same rule and range, else (the text moved on) same rule and first line. */
export function findingFor(d: vscode.Diagnostic, findings: readonly Finding[]): Finding | undefined {
  const rule = ruleOf(d);
  if (!rule) return undefined;
  const same = findings.filter((f) => f.rule === rule);
  return same.find((f) => toRange(f.range).isEqual(d.range)) ?? same.find((f) => f.range.start.line === d.range.start.line);
}
