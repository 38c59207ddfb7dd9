/** Table-driven rule tests: each case lints a text, checks whether the rule fires, and checks the fix. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, lintDockerfile, ruleErrorHook } from '../../../src/core/dockerfile/index';
import { buildModel } from '../../../src/core/dockerfile/model';
import type { Finding, LintOptions, Severity } from '../../../src/core/dockerfile/types';

// A rule that throws is a bug: fail the test instead of letting lintDockerfile swallow it.
ruleErrorHook.onError = (rule, err) => {
  throw new Error(`rule ${rule} threw: ${err instanceof Error ? err.stack : String(err)}`);
};

export interface Case {
  name: string;
  text: string;
  /** true: fires at least once; a number: exactly that many findings; false: none. */
  fires: boolean | number;
  /** Expected text after applying fix `fixIndex` (default 0) of the first finding. */
  fix?: string;
  fixIndex?: number;
  /** 1-based line of the first finding. */
  line?: number;
  severity?: Severity;
  options?: LintOptions;
}

export function lines(...l: string[]): string {
  return l.join('\n') + '\n';
}

const KEYWORDS = new Set(['FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL']);

/** "Still parses": every instruction is a known one and exec-form arrays are valid JSON. */
export function assertParses(text: string): void {
  const model = buildModel(text);
  for (const inst of model.instructions) {
    assert.ok(KEYWORDS.has(inst.keyword), `unknown instruction ${inst.keyword} in:\n${text}`);
    if (['RUN', 'CMD', 'ENTRYPOINT', 'VOLUME'].includes(inst.keyword) && inst.args.text.trim().startsWith('[') && inst.args.text.trim().includes('"')) {
      assert.ok(inst.json, `invalid JSON form in ${inst.keyword} ${inst.args.text}`);
    }
  }
}

export function findingsOf(rule: string, text: string, options?: LintOptions): Finding[] {
  return lintDockerfile(text, options).filter((f) => f.rule === rule);
}

/** Applies every fix of every finding of `rule`: the result parses and has fewer findings of it. */
export function assertFixesRoundTrip(rule: string, text: string, options?: LintOptions): void {
  const before = findingsOf(rule, text, options);
  for (const f of before) {
    for (const fix of f.fixes) {
      const out = applyEdits(text, fix.edits);
      assertParses(out);
      const after = findingsOf(rule, out, fix.files?.some((x) => x.path === '.dockerignore') ? { ...options, buildContext: { hasDockerignore: true } } : options);
      assert.ok(after.length < before.length, `${rule} fix "${fix.title}" did not remove the finding:\n${out}`);
    }
  }
}

export function runTable(rule: string, cases: Case[]): void {
  for (const c of cases) {
    test(`${rule}: ${c.name}`, () => {
      const found = findingsOf(rule, c.text, c.options);
      if (c.fires === false) assert.equal(found.length, 0, `${rule} fired: ${found.map((f) => f.message).join(' | ')}`);
      else if (c.fires === true) assert.ok(found.length > 0, `${rule} did not fire`);
      else assert.equal(found.length, c.fires, `${rule}: ${found.map((f) => f.message).join(' | ')}`);
      if (c.line !== undefined) assert.equal(found[0].range.start.line + 1, c.line);
      if (c.severity) assert.equal(found[0].severity, c.severity);
      if (c.fix !== undefined) {
        const fix = found[0].fixes[c.fixIndex ?? 0];
        assert.ok(fix, 'no fix offered');
        assert.equal(applyEdits(c.text, fix.edits), c.fix);
      }
      if (found.length) assertFixesRoundTrip(rule, c.text, c.options);
    });
  }
}
