import assert from 'node:assert/strict';
import { test } from 'node:test';
import { debugpyCommand, effectiveCommand } from '../../../src/core/debug/command';
import { UserError } from '../../../src/core/errors';

const D = ['-m', 'debugpy', '--listen', '0.0.0.0:5678', '--wait-for-client'];

const valid: Array<{ input: string[]; expected: string[] }> = [
  { input: ['python', 'train.py'], expected: ['python', ...D, 'train.py'] },
  { input: ['python3', 'train.py', '--epochs', '3'], expected: ['python3', ...D, 'train.py', '--epochs', '3'] },
  { input: ['/usr/bin/python3.11', '-u', 'train.py'], expected: ['/usr/bin/python3.11', '-u', ...D, 'train.py'] },
  { input: ['python', '-X', 'dev', '-B', 'src/train.py'], expected: ['python', '-X', 'dev', '-B', ...D, 'src/train.py'] },
  { input: ['python', '-m', 'pkg.train', '--lr', '0.1'], expected: ['python', ...D, '-m', 'pkg.train', '--lr', '0.1'] },
  { input: ['python', '-c', 'print(1)'], expected: ['python', ...D, '-c', 'print(1)'] },
  { input: ['/bin/sh', '-c', 'python train.py --epochs 3'], expected: ['python', ...D, 'train.py', '--epochs', '3'] },
];

for (const { input, expected } of valid) {
  void test(`wraps ${JSON.stringify(input)} under debugpy`, () => assert.deepEqual(debugpyCommand(input), expected));
}

void test('listens on the port given', () => assert.deepEqual(debugpyCommand(['python', 'a.py'], 6000).slice(1, 5), ['-m', 'debugpy', '--listen', '0.0.0.0:6000']));

const invalid: Array<{ input: string[]; message: RegExp }> = [
  { input: [], message: /does not start with python/ },
  { input: ['bash', 'run.sh'], message: /"bash run.sh": it does not start with python/ },
  { input: ['torchrun', '--nproc_per_node', '2', 'train.py'], message: /does not start with python/ },
  { input: ['python'], message: /interactive interpreter/ },
  { input: ['python', '-m'], message: /names no module/ },
  { input: ['python', '-m', 'debugpy', '--listen', '5678', 'train.py'], message: /already runs under debugpy/ },
  { input: ['python', '--version'], message: /option --version/ },
  { input: ['/bin/sh', '-c', 'python train.py && echo done'], message: /does not start with python/ },
];

for (const { input, message } of invalid) {
  void test(`rejects ${JSON.stringify(input)} with the supported forms`, () => {
    assert.throws(() => debugpyCommand(input), (e: unknown) => e instanceof UserError && message.test(e.message) && /Supported: python/.test(e.hint ?? ''));
  });
}

void test('rejects a port outside 1-65535', () => assert.throws(() => debugpyCommand(['python', 'a.py'], 70000), /1-65535/));

void test('effective command: the profile command replaces CMD, the image ENTRYPOINT stays', () => {
  assert.deepEqual(effectiveCommand({ cmd: ['train.py'] }, { entrypoint: ['python'], cmd: ['serve.py'] }), ['python', 'train.py']);
  assert.deepEqual(effectiveCommand({}, { entrypoint: [], cmd: ['python', 'train.py'] }), ['python', 'train.py']);
});

void test('effective command: a profile entrypoint resets the image CMD, as docker run --entrypoint does', () => {
  assert.deepEqual(effectiveCommand({ entrypoint: ['python3'] }, { entrypoint: ['/entry.sh'], cmd: ['train.py'] }), ['python3']);
});
