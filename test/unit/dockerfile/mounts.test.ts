import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvFields, parseMount } from '../../../src/core/dockerfile/mounts';

const fieldCases: Array<{ input: string; expected: string[] }> = [
  { input: 'type=cache,target=/root/.cache', expected: ['type=cache', 'target=/root/.cache'] },
  { input: 'type=cache,target="/root/.cache",sharing=locked', expected: ['type=cache', 'target=/root/.cache', 'sharing=locked'] },
  { input: '"type=cache","target=/a,b"', expected: ['type=cache', 'target=/a,b'] },
  { input: 'target="say ""hi"""', expected: ['target=say "hi"'] },
  { input: 'target="/unclosed', expected: ['target=/unclosed'] },
  { input: '', expected: [''] },
];

for (const c of fieldCases) {
  test(`csvFields splits ${JSON.stringify(c.input)} as CSV`, () => assert.deepEqual(csvFields(c.input), c.expected));
}

test('parseMount lower-cases keys and reads dst/destination as target', () => {
  assert.deepEqual([...parseMount('Type=cache,DST="/var/lib/apt/lists",ro')], [['type', 'cache'], ['target', '/var/lib/apt/lists'], ['ro', '']]);
  assert.equal(parseMount('type=cache,destination=/x').get('target'), '/x');
});
