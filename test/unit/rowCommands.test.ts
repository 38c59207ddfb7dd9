import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { lostRowMessage, rowOnlyCommands, rowWasLost } from '../../src/core/rowCommands';

void test('row-only commands: those in row menus and in no other menu that passes an argument', () => {
  const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as { contributes: { menus: Record<string, Array<{ command: string }>> } };
  const rowOnly = rowOnlyCommands(pkg.contributes.menus);
  for (const id of ['mlLab.container.stop', 'mlLab.container.remove', 'mlLab.image.tag', 'mlLab.image.remove', 'mlLab.volume.remove']) assert.ok(rowOnly.has(id), id);
  // in a view's title bar too: there VS Code passes the focused row or undefined, so undefined means nothing
  for (const id of ['mlLab.container.run', 'mlLab.image.pull', 'mlLab.registry.login']) assert.ok(!rowOnly.has(id), id);
});

void test('rowWasLost: a first argument of undefined or null, not an empty argument list', () => {
  assert.equal(rowWasLost([]), false, 'command palette: no arguments');
  assert.equal(rowWasLost([undefined, undefined]), true, 'row menu whose row was not found');
  assert.equal(rowWasLost([null]), true);
  assert.equal(rowWasLost([{ kind: 'container', ref: 'abc' }]), false);
  assert.match(lostRowMessage('mlLab.container.stop').message, /Containers view/);
  assert.match(lostRowMessage('mlLab.image.tag').message, /Images view/);
});
