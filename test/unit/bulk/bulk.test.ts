import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeBulkOutcome, listForConfirmation, targetRows } from '../../../src/core/bulk';

const row = (ref: string) => ({ kind: 'container', ref, label: ref });

const rowCases: Array<{ name: string; arg: unknown; selected: unknown; rows: unknown[]; lost: number }> = [
  { name: 'one row chosen, no selection passed: that row', arg: row('a'), selected: undefined, rows: [row('a')], lost: 0 },
  { name: 'several rows selected: all of them', arg: row('b'), selected: [row('a'), row('b'), row('c')], rows: [row('a'), row('b'), row('c')], lost: 0 },
  { name: 'a one-element selection is the chosen row', arg: row('a'), selected: [row('a')], rows: [row('a')], lost: 0 },
  { name: 'selected rows VS Code could not find are counted as lost', arg: row('a'), selected: [row('a'), undefined, null], rows: [row('a')], lost: 2 },
  { name: 'a code caller with no arguments: [undefined] (the command then picks)', arg: undefined, selected: undefined, rows: [undefined], lost: 0 },
  { name: 'a second argument that is not an array is ignored', arg: row('a'), selected: { confirmed: true }, rows: [row('a')], lost: 0 },
];
for (const c of rowCases) {
  void test(`targetRows: ${c.name}`, () => assert.deepEqual(targetRows(c.arg, c.selected), { rows: c.rows, lost: c.lost }));
}

void test('describeBulkOutcome: all done is not an error and names each object', () => {
  assert.deepEqual(describeBulkOutcome({ done: ['a', 'b', 'c'], failed: [], skipped: [] }, 'Stopped', 'stop', ['container', 'containers']), {
    message: 'Stopped 3 containers: a, b, c.',
    error: false,
  });
});

void test('describeBulkOutcome: a partial failure names each failed object and why', () => {
  const o = describeBulkOutcome({ done: ['a'], failed: [{ name: 'b', reason: 'it no longer exists' }, { name: 'c', reason: 'conflict: in use' }], skipped: [] }, 'Removed', 'remove', ['image', 'images']);
  assert.equal(o.error, true);
  assert.equal(o.message, 'Removed 1 image: a. Could not remove 2 images: b (it no longer exists); c (conflict: in use).');
});

void test('describeBulkOutcome: objects left alone are named with why, and nothing done says so', () => {
  const o = describeBulkOutcome({ done: [], failed: [], skipped: [{ name: 'x', reason: 'it is exited' }] }, 'Stopped', 'stop', ['container', 'containers']);
  assert.deepEqual(o, { message: 'Stopped no containers. Left alone: x (it is exited).', error: false });
});

void test('listForConfirmation: every line up to the limit, then how many more', () => {
  assert.equal(listForConfirmation(['a', 'b']), 'a\nb');
  assert.equal(listForConfirmation(['a', 'b', 'c'], 2), 'a\nb\n… and 1 more');
});
