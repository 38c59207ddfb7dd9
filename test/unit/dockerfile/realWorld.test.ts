/**
 * Expected-output test on the real-world corpus: each Dockerfile's findings must
 * be exactly the reviewed ones in test/fixtures/real-world/expected-findings.json. A change
 * that adds or drops a finding fails here until the expected file is updated on purpose
 * (see corpus.ts for the update command) and the new findings are reviewed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { applyEdits, lintDockerfile, safeFixEdits } from '../../../src/core/dockerfile/index';
import { CORPUS_DIR, corpusFiles, diffFindings, lintCorpusFile, precision, readExpected, sources } from './corpus';
import { assertParses } from './helpers';

const expected = readExpected();
const files = corpusFiles();

/** Licences that allow redistributing the copies (SPDX ids). */
const REDISTRIBUTABLE = new Set(['MIT', 'Apache-2.0', 'BSD-2-Clause', 'BSD-3-Clause', 'CC0-1.0']);

test('real-world corpus: at least 50 Dockerfiles', () => {
  assert.ok(files.length >= 50, `only ${files.length} files`);
});

test('real-world corpus: every file has a recorded source, commit and redistributable licence', () => {
  const src = sources();
  assert.deepEqual(src.map((s) => s.file).sort(), files.map((f) => f.name));
  for (const s of src) {
    assert.match(s.repository, /^[\w.-]+\/[\w.-]+$/, s.file);
    assert.ok(s.path.length > 0, s.file);
    assert.match(s.commit, /^[0-9a-f]{40}$/, s.file);
    assert.ok(REDISTRIBUTABLE.has(s.license), `${s.file}: licence ${s.license}`);
    assert.ok(existsSync(path.join(CORPUS_DIR, s.file)));
  }
});

test('real-world corpus: the expected file lists every corpus file and no other', () => {
  assert.deepEqual(Object.keys(expected.files).sort(), files.map((f) => f.name));
});

test('real-world corpus: every expected finding has been reviewed', () => {
  const open = Object.entries(expected.files).flatMap(([f, list]) => list.filter((x) => x.verdict !== 'correct' && x.verdict !== 'false-positive').map((x) => `${f}:${x.line} ${x.rule}`));
  assert.deepEqual(open, [], 'set each verdict to "correct" or "false-positive"');
});

test('real-world corpus: reviewed precision is at least 99% (the goal)', () => {
  const p = precision(expected);
  assert.ok(p.precision >= 0.99, `precision ${(p.precision * 100).toFixed(1)}% (${p.falsePositives} false positives)`);
});

for (const { name, text } of files) {
  test(`real-world ${name}: findings match the reviewed list`, () => {
    const { added, dropped } = diffFindings(lintCorpusFile(text), expected.files[name] ?? []);
    assert.deepEqual({ added, dropped }, { added: [], dropped: [] }, 'findings changed: review them and update expected-findings.json on purpose');
  });
}

test('real-world corpus: fix-all, repeated as mllab-lint --fix does, converges, still parses and raises no new rule', () => {
  for (const { name, text } of files) {
    let t = text;
    let found = lintDockerfile(t);
    const rulesBefore = new Set(found.map((f) => f.rule));
    // One copy has a JSON-form CMD without a comma: hold each file to the standard it starts with.
    const parsed = ((): boolean => { try { assertParses(text); return true; } catch { return false; } })();
    for (let round = 0; round < 10; round++) {
      const edits = safeFixEdits(t, found);
      if (!edits.length) break;
      t = applyEdits(t, edits);
      if (parsed) assertParses(t);
      found = lintDockerfile(t);
    }
    assert.deepEqual(found.filter((f) => f.fixes.some((x) => x.safe)).map((f) => f.rule), [], `${name}: safe fixes left`);
    assert.deepEqual(found.map((f) => f.rule).filter((r) => !rulesBefore.has(r)), [], `${name}: the fixes raised new rules`);
  }
});

test('diffFindings counts repeated findings on one line', () => {
  const f = { line: 3, rule: 'ML009' };
  assert.deepEqual(diffFindings([f, f], [f]), { added: ['3 ML009'], dropped: [] });
  assert.deepEqual(diffFindings([f], [f, f]), { added: [], dropped: ['3 ML009'] });
  assert.deepEqual(diffFindings([{ line: 4, rule: 'ML009' }], [f]), { added: ['4 ML009'], dropped: ['3 ML009'] });
});
