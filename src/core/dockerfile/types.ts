/**
 * Shapes shared by the Dockerfile and requirements.txt checks. Plain data, so the VS Code
 * layer can map them one to one: Range -> vscode.Range, TextEdit -> vscode.TextEdit,
 * Finding -> vscode.Diagnostic (code = rule, source = the extension's display name).
 */
export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** 0-based line and character (UTF-16 code units, as VS Code counts them). */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: Range;
  /** Plain text to insert; placeholders already replaced by their defaults. */
  newText: string;
  /**
   * The same text as a VS Code snippet (`${1:VERSION}`), when the fix leaves a value for
   * the user to choose. Editors that support snippet edits may use it instead of newText.
   */
  snippet?: string;
}

/**
 * A change to another file next to the linted one (e.g. `.dockerignore`), which a
 * WorkspaceEdit expresses as create-file + insert. Lines already in the file are skipped.
 */
export interface FileChange {
  /** Path relative to the folder of the linted file, with `/` separators. */
  path: string;
  appendLines: string[];
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** Safe fixes keep the build's behaviour apart from the finding; `--fix` and "Fix all" apply them. */
  safe: boolean;
  /** Changes to other files that belong to this fix. */
  files?: FileChange[];
}

export interface Finding {
  /** Rule id, e.g. 'ML005'. */
  rule: string;
  severity: Severity;
  message: string;
  /** The offending instruction's whole range (continuation lines included). */
  range: Range;
  fixes: Fix[];
}

export interface LintOptions {
  /** Per-rule severity override, or 'off' to disable the rule. Keys are rule ids. */
  severities?: Partial<Record<string, Severity | 'off'>>;
  /**
   * Facts about the build context that the text cannot show. ML024 runs only when
   * `hasDockerignore` is known (`false` = no `.dockerignore` and no `<Dockerfile>.dockerignore`).
   */
  buildContext?: { hasDockerignore?: boolean };
  /**
   * Versions installed in the last image built from this Dockerfile, by package name
   * (any spelling; names are normalised as PEP 503 says). Lets ML028's fix pin real versions.
   */
  installedVersions?: Readonly<Record<string, string>>;
  /**
   * Also run BuildKit's build checks (`buildChecks.ts`; rule ids are BuildKit's names, such as
   * `UndefinedVar`). Off by default: the command-line linter and the lab corpus check the lab
   * guidance only.
   */
  buildChecks?: boolean;
  /**
   * What the engine knows about base images, by reference as written after ARG substitution
   * (`pytorch/torchserve:0.11.0-cpu`): the image's `Config.User` (`''` = root) and the names of
   * its `Config.Env`. ML005 and UndefinedVar use them; without an entry they fall back to
   * documented lists or stay silent.
   */
  baseImages?: Readonly<Record<string, BaseImageFacts>>;
}

/** Facts read from an image's configuration (`docker image inspect`: Config.User, Config.Env). */
export interface BaseImageFacts {
  user?: string;
  env?: readonly string[];
}

export interface RuleInfo {
  id: string;
  title: string;
  defaultSeverity: Severity;
  /** Repository-relative path of the rule's page. */
  docs: string;
}

export const SEVERITY_ORDER: Readonly<Record<Severity, number>> = {
  error: 0,
  warning: 1,
  information: 2,
  hint: 3,
};
