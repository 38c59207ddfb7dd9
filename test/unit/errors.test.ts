import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { UserError } from '../../src/core/errors';

const cases: Array<{ name: string; input: ConstructorParameters<typeof UserError>; expected: { message: string; hint?: string; cause?: unknown } }> = [
  { name: 'keeps the message and has no hint by default', input: ['Docker is not running.'], expected: { message: 'Docker is not running.' } },
  { name: 'keeps a hint', input: ['Port 4000 is taken.', { hint: 'Pick another host port.' }], expected: { message: 'Port 4000 is taken.', hint: 'Pick another host port.' } },
  { name: 'keeps the cause', input: ['Cannot read x.', { cause: 'EACCES' }], expected: { message: 'Cannot read x.', cause: 'EACCES' } },
];

for (const c of cases) {
  void test(`UserError ${c.name}`, () => {
    const err = new UserError(...c.input);
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'UserError');
    assert.equal(err.message, c.expected.message);
    assert.equal(err.hint, c.expected.hint);
    assert.equal(err.cause, c.expected.cause);
  });
}
