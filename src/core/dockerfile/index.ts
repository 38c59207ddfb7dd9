/**
 * Lab guidance for Dockerfiles: the rule catalogue ML001-ML030 (`../shared/lab-rules.md`;
 * each rule's source - hadolint DL30xx, BuildKit build checks, NVIDIA tags, the labs - is on
 * its page `docs/rules/MLxxx.md` and in its rule file's docstring).
 *
 *   lintDockerfile(text, options?) -> Finding[]   sorted by position, then rule id
 *
 * Pure: no file system, no engine, no `vscode`. Never throws: a text that cannot be read
 * yields the findings that could be made, or none.
 */
import { RuleContext } from './engine';
import { buildModel } from './model';
import { DOCKERFILE_RULES } from './rules';
import { BUILD_CHECKS, skippedChecks } from './buildChecks';
import { readSuppressions } from './suppress';
import type { Finding, LintOptions, RuleInfo, Severity } from './types';

export type { BaseImageFacts, Finding, Fix, FileChange, LintOptions, Range, Position, RuleInfo, Severity, TextEdit } from './types';
export { SEVERITY_ORDER } from './types';
export { BUILD_CHECKS, BUILD_CHECK_NAMES, buildCheckUrl } from './buildChecks';
export { applyEdits, applyFileChange, safeFixEdits, suppressionEdit } from './edits';

const REQUIREMENTS_ONLY: RuleInfo[] = [
  { id: 'ML028', title: 'Pin requirements.txt versions', defaultSeverity: 'warning', docs: 'docs/rules/ML028.md' },
];

/** Every rule (Dockerfile and requirements.txt), in id order, with its default severity and page. */
export const RULES: ReadonlyArray<RuleInfo> = [
  ...DOCKERFILE_RULES.map((r) => ({ id: r.id, title: r.title, defaultSeverity: r.defaultSeverity, docs: `docs/rules/${r.id}.md` })),
  ...REQUIREMENTS_ONLY,
].sort((a, b) => a.id.localeCompare(b.id));

/**
 * Applies per-rule severity overrides and suppression comments, then sorts.
 * Shared with lintRequirements.
 */
export function finish(findings: Finding[], lines: readonly string[], options: LintOptions | undefined): Finding[] {
  const sup = readSuppressions(lines);
  const out: Finding[] = [];
  for (const f of findings) {
    const o = options?.severities?.[f.rule];
    if (o === 'off') continue;
    if (sup.isSuppressed(f.rule, f.range.start.line)) continue;
    out.push(o ? { ...f, severity: o as Severity } : f);
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.rule.localeCompare(b.rule));
}

/** Tests set `onError` to see rule exceptions, which lintDockerfile otherwise swallows. */
export const ruleErrorHook: { onError?: (rule: string, err: unknown) => void } = {};

/**
 * Checks a Dockerfile against the lab guidance rules.
 * @param text the Dockerfile's content (any text: broken input gives fewer findings, never an exception)
 * @param options severities per rule ('off' disables), build-context facts (ML024), BuildKit's
 *   build checks (`buildChecks`), base image facts read from the engine (ML005, UndefinedVar)
 * @returns findings, each on the offending instruction's whole range, with its quick fixes
 */
export function lintDockerfile(text: string, options: LintOptions = {}): Finding[] {
  let model;
  try {
    model = buildModel(typeof text === 'string' ? text : String(text));
  } catch {
    return [];
  }
  const ctx = new RuleContext(model, options);
  const skipped = options.buildChecks ? skippedChecks(model.lines) : 'all';
  const rules = skipped === 'all' ? DOCKERFILE_RULES : [...DOCKERFILE_RULES, ...BUILD_CHECKS.filter((r) => !skipped.has(r.id))];
  for (const rule of rules) {
    if (options.severities?.[rule.id] === 'off') continue;
    const before = ctx.findings.length;
    try {
      ctx.begin(rule);
      rule.check(ctx);
    } catch (err) {
      // A rule bug must not take the others down: drop that rule's partial findings.
      ctx.findings.length = before;
      ruleErrorHook.onError?.(rule.id, err);
    }
  }
  return finish(ctx.findings, model.lines, options);
}
