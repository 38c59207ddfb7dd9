import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, lintDockerfile, safeFixEdits, suppressionEdit } from '../../../src/core/dockerfile/index';
import { assertParses, lines } from './helpers';

const F = 'FROM python:3.12-slim';
const ids = (t: string): string[] => lintDockerfile(t).map((f) => f.rule);

test('# mllab-ignore above an instruction silences that rule there only', () => {
  const t = lines(F, 'WORKDIR /app', '# mllab-ignore ML006', 'CMD python a.py', 'ENTRYPOINT python b.py');
  assert.equal(lintDockerfile(t).filter((f) => f.rule === 'ML006').length, 1);
});

test('several ids, comma-separated, and stacked comments', () => {
  const t = lines(F, 'WORKDIR /app', '# mllab-ignore ML002, ML003', '# another comment', 'RUN pip install numpy');
  assert.ok(!ids(t).includes('ML002'));
  assert.ok(!ids(t).includes('ML003'));
});

test('ignore comment on the FROM silences stage-level rules', () => {
  const t = lines('# mllab-ignore ML005 ML011', F, 'WORKDIR /app', 'CMD ["python", "a.py"]');
  assert.ok(!ids(t).includes('ML005'));
  assert.ok(!ids(t).includes('ML011'));
});

test('# mllab-ignore-file anywhere silences the rule everywhere', () => {
  const t = lines(F, 'WORKDIR /app', 'CMD python a.py', '# mllab-ignore-file ML006', 'ENTRYPOINT python b.py');
  assert.ok(!ids(t).includes('ML006'));
});

test('a blank line breaks the link to the instruction', () => {
  const t = lines(F, 'WORKDIR /app', '# mllab-ignore ML006', '', 'CMD python a.py');
  assert.ok(ids(t).includes('ML006'));
});

test('severity overrides and off', () => {
  const t = lines(F, 'WORKDIR /app', 'CMD python a.py');
  assert.equal(lintDockerfile(t, { severities: { ML006: 'error' } }).find((f) => f.rule === 'ML006')?.severity, 'error');
  assert.ok(!lintDockerfile(t, { severities: { ML006: 'off' } }).some((f) => f.rule === 'ML006'));
});

test('suppressionEdit line scope inserts a comment with the same indent, then extends it', () => {
  const t = lines(F, 'WORKDIR /app', '  CMD python a.py');
  const f = lintDockerfile(t).find((x) => x.rule === 'ML006')!;
  const t2 = applyEdits(t, [suppressionEdit(t, f, 'line')]);
  assert.equal(t2, lines(F, 'WORKDIR /app', '  # mllab-ignore ML006', '  CMD python a.py'));
  assert.ok(!ids(t2).includes('ML006'));
  const g = lintDockerfile(t2).find((x) => x.rule === 'ML011')!;
  assert.ok(g);
  const byFrom = applyEdits(t2, [suppressionEdit(t2, g, 'line')]);
  assert.ok(!ids(byFrom).includes('ML011'));
});

test('suppressionEdit extends an existing ignore comment', () => {
  const t = lines(F, 'WORKDIR /app', '# mllab-ignore ML011', 'CMD python a.py');
  const f = lintDockerfile(t).find((x) => x.rule === 'ML006')!;
  assert.equal(applyEdits(t, [suppressionEdit(t, f, 'line')]), lines(F, 'WORKDIR /app', '# mllab-ignore ML011, ML006', 'CMD python a.py'));
});

test('suppressionEdit file scope goes after parser directives', () => {
  const t = lines('# escape=`', '# syntax=docker/dockerfile:1', F, 'WORKDIR /app', 'CMD python a.py');
  const f = lintDockerfile(t).find((x) => x.rule === 'ML006')!;
  const t2 = applyEdits(t, [suppressionEdit(t, f, 'file')]);
  assert.equal(t2, lines('# escape=`', '# syntax=docker/dockerfile:1', '# mllab-ignore-file ML006', F, 'WORKDIR /app', 'CMD python a.py'));
  assert.ok(!ids(t2).includes('ML006'));
  const g = lintDockerfile(t2).find((x) => x.rule === 'ML011')!;
  assert.ok(applyEdits(t2, [suppressionEdit(t2, g, 'file')]).includes('# mllab-ignore-file ML006, ML011'));
});

test('applyEdits rejects overlapping edits', () => {
  const r = (a: number, b: number) => ({ start: { line: 0, character: a }, end: { line: 0, character: b } });
  assert.throws(() => applyEdits('abcdef', [{ range: r(0, 3), newText: 'x' }, { range: r(2, 4), newText: 'y' }]), RangeError);
  assert.equal(applyEdits('abcdef', [{ range: r(3, 3), newText: '1' }, { range: r(3, 3), newText: '2' }, { range: r(0, 1), newText: '' }]), 'bc12def');
});

const MESSY = lines(
  'FROM python:3.12 as build',
  'run apt update && apt install -y curl',
  'RUN pip install numpy==1.26.4',
  'RUN pip install sklearn==1.4.0',
  'ENV MODEL_DIR /models',
  'ADD app.py /app/',
  'EXPOSE 80:5000',
  'CMD flask run --port 5000',
);

test('fix all: every safe fix in one non-overlapping edit set; repeated rounds converge', () => {
  let text = MESSY;
  const safeBefore = lintDockerfile(text).filter((f) => f.fixes.some((x) => x.safe)).length;
  assert.ok(safeBefore > 5);
  for (let round = 0; round < 5; round++) {
    const edits = safeFixEdits(text, lintDockerfile(text));
    if (!edits.length) break;
    text = applyEdits(text, edits);
    assertParses(text);
  }
  const left = lintDockerfile(text);
  assert.equal(left.filter((f) => f.fixes.some((x) => x.safe)).length, 0, left.map((f) => f.rule).join(','));
  for (const r of ['ML002', 'ML006', 'ML008', 'ML010', 'ML012', 'ML013', 'ML015', 'ML016', 'ML017', 'ML019', 'ML030']) assert.ok(!left.some((f) => f.rule === r), r);
});
