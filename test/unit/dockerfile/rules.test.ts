import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../../../src/core/dockerfile/index';

const ROOT = path.resolve(__dirname, '../../../..');

test('RULES lists ML001-ML030 once each, with a page per rule', () => {
  assert.deepEqual(RULES.map((r) => r.id), Array.from({ length: 30 }, (_, i) => `ML${String(i + 1).padStart(3, '0')}`));
  for (const r of RULES) {
    assert.equal(r.docs, `docs/rules/${r.id}.md`);
    assert.ok(existsSync(path.join(ROOT, r.docs)), r.docs);
    const page = readFileSync(path.join(ROOT, r.docs), 'utf8');
    for (const h of ['## Why', '## Bad', '## Good', '## Fix', '## Suppress', 'Source:']) assert.ok(page.includes(h), `${r.id} lacks ${h}`);
  }
});
