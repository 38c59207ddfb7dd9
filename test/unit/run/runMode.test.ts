import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { containerNameProblem, defaultRunMode, effectiveCommand, isShellCommand } from '../../../src/core/run/runMode';

const shellCases: Array<{ name: string; input: string[] | undefined; expected: boolean }> = [
  { name: 'takes bash alone as a shell', input: ['bash'], expected: true },
  { name: 'takes an absolute /bin/sh as a shell', input: ['/bin/sh'], expected: true },
  { name: 'takes python alone as a REPL', input: ['python'], expected: true },
  { name: 'takes python3.11 alone as a REPL', input: ['python3.11'], expected: true },
  { name: 'takes ipython as a REPL', input: ['ipython'], expected: true },
  { name: 'takes a login shell (bash -l) as a shell', input: ['bash', '-l'], expected: true },
  { name: 'takes sh -i as a shell', input: ['sh', '-i'], expected: true },
  { name: 'does not take python with a script', input: ['python', 'train.py'], expected: false },
  { name: 'does not take sh -c with a command', input: ['sh', '-c', 'echo hi'], expected: false },
  { name: 'does not take a job program', input: ['greet-app', 'hello ', '3'], expected: false },
  { name: 'does not take flask run', input: ['flask', 'run'], expected: false },
  { name: 'does not take an empty command', input: [], expected: false },
  { name: 'does not take no command', input: undefined, expected: false },
  { name: 'does not take a name that only starts like a shell', input: ['shellcheck'], expected: false },
];
for (const c of shellCases) void test(`isShellCommand ${c.name}`, () => assert.equal(isShellCommand(c.input), c.expected));

const effectiveCases: Array<{ name: string; run: { entrypoint?: string[]; cmd?: string[] }; image: { entrypoint?: string[]; cmd?: string[] }; expected: string[] }> = [
  { name: "uses the image's CMD when none is typed", run: {}, image: { cmd: ['sh'] }, expected: ['sh'] },
  { name: "puts a typed command after the image's ENTRYPOINT", run: { cmd: ['hello ', '3'] }, image: { entrypoint: ['python', 'greet.py'], cmd: ['hi'] }, expected: ['python', 'greet.py', 'hello ', '3'] },
  { name: "drops the image's CMD when the entrypoint is overridden", run: { entrypoint: ['bash'] }, image: { cmd: ['python', 'train.py'] }, expected: ['bash'] },
  { name: 'treats an empty typed command as none', run: { cmd: [] }, image: { cmd: ['bash'] }, expected: ['bash'] },
];
for (const c of effectiveCases) void test(`effectiveCommand ${c.name}`, () => assert.deepEqual(effectiveCommand(c.run, c.image), c.expected));

const modeCases: Array<{ name: string; typed: string[] | undefined; image: { entrypoint?: string[]; cmd?: string[] }; expected: 'interactive' | 'detached' }> = [
  { name: 'is interactive for a typed bash', typed: ['bash'], image: { cmd: ['python', 'train.py'] }, expected: 'interactive' },
  { name: "is interactive when nothing is typed and the image's CMD is sh (busybox)", typed: undefined, image: { cmd: ['sh'] }, expected: 'interactive' },
  { name: "is interactive when the image's CMD is python3 alone", typed: [], image: { cmd: ['python3'] }, expected: 'interactive' },
  { name: 'is detached for a training job', typed: undefined, image: { cmd: ['python', 'train.py'] }, expected: 'detached' },
  { name: 'is detached for a shell image given arguments', typed: ['hello ', '3'], image: { entrypoint: ['python', 'greet.py'] }, expected: 'detached' },
  { name: 'is detached for an image with no command at all', typed: undefined, image: {}, expected: 'detached' },
];
for (const c of modeCases) void test(`defaultRunMode ${c.name}`, () => assert.equal(defaultRunMode(c.typed, c.image), c.expected));

const taken = new Map([['iris-train', 'Up 3 minutes']]);
const nameCases: Array<{ name: string; input: string; expected: RegExp | undefined }> = [
  { name: 'accepts a free valid name', input: 'greet-app-1', expected: undefined },
  { name: 'accepts dots and underscores', input: 'lab_1.run', expected: undefined },
  { name: 'rejects an empty name', input: '', expected: /Give the container a name/ },
  { name: 'rejects a one-character name (Docker needs 2)', input: 'a', expected: /not a valid container name.*at least 2 characters/ },
  { name: 'rejects a space', input: 'my run', expected: /"my run" is not a valid container name/ },
  { name: 'rejects a leading dash', input: '-run', expected: /starting with a letter or digit/ },
  { name: 'rejects a leading slash', input: '/run', expected: /not a valid container name/ },
  { name: 'says a taken name is taken, with the container status', input: 'iris-train', expected: /A container named "iris-train" already exists \(Up 3 minutes\)\. Choose another name, or remove that container first/ },
];
for (const c of nameCases) {
  void test(`containerNameProblem ${c.name}`, () => {
    const problem = containerNameProblem(c.input, taken);
    if (c.expected === undefined) assert.equal(problem, undefined);
    else assert.match(problem ?? '', c.expected);
  });
}
