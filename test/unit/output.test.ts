import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { BuildEvent, BuildTranscript, findFailingInstructionLine, interpretBuildMessage } from '../../src/core/build/output';

const messageCases: Array<{ name: string; input: unknown; expected: BuildEvent[] }> = [
  {
    name: 'reads a classic builder step and keeps its log line',
    input: { stream: 'Step 3/9 : RUN pip install --no-cache-dir -r requirements.txt\n' },
    expected: [
      { kind: 'step', index: 3, total: 9, instruction: 'RUN pip install --no-cache-dir -r requirements.txt' },
      { kind: 'log', text: 'Step 3/9 : RUN pip install --no-cache-dir -r requirements.txt\n' },
    ],
  },
  { name: 'passes other stream text through as a log line', input: { stream: ' ---> Running in 5f2c\n' }, expected: [{ kind: 'log', text: ' ---> Running in 5f2c\n' }] },
  { name: 'does not take "Step" inside a log line for a step', input: { stream: 'epoch Step 1/2 : x\n' }, expected: [{ kind: 'log', text: 'epoch Step 1/2 : x\n' }] },
  {
    name: 'reads an error with errorDetail',
    input: {
      errorDetail: { code: 1, message: "The command '/bin/sh -c pip install -r requirements.txt' returned a non-zero code: 1" },
      error: "The command '/bin/sh -c pip install -r requirements.txt' returned a non-zero code: 1",
    },
    expected: [{ kind: 'error', message: "The command '/bin/sh -c pip install -r requirements.txt' returned a non-zero code: 1" }],
  },
  { name: 'reads an error given only as errorDetail', input: { errorDetail: { message: 'no space left on device' } }, expected: [{ kind: 'error', message: 'no space left on device' }] },
  { name: 'reads the image id from aux', input: { aux: { ID: 'sha256:abc123' } }, expected: [{ kind: 'imageId', id: 'sha256:abc123' }] },
  { name: 'reads BuildKit\'s moby.image.id aux', input: { id: 'moby.image.id', aux: { ID: 'sha256:def' } }, expected: [{ kind: 'imageId', id: 'sha256:def' }] },
  { name: 'ignores BuildKit trace messages', input: { id: 'moby.buildkit.trace', aux: 'CmgKR3NoYTI1Ng==' }, expected: [] },
  { name: 'logs a pull status with its layer id', input: { status: 'Pulling fs layer', id: 'a1b2' }, expected: [{ kind: 'log', text: 'a1b2: Pulling fs layer\n' }] },
  { name: 'drops byte-progress updates', input: { status: 'Downloading', progressDetail: { current: 10, total: 100 }, id: 'a1b2' }, expected: [] },
  { name: 'ignores null', input: null, expected: [] },
  { name: 'ignores a string', input: 'Step 1/2 : FROM x', expected: [] },
  { name: 'ignores an empty object', input: {}, expected: [] },
  { name: 'ignores fields of the wrong type', input: { stream: 42, error: {}, aux: 'x' }, expected: [] },
];

for (const c of messageCases) {
  void test(`interpretBuildMessage ${c.name}`, () => {
    assert.deepEqual(interpretBuildMessage(c.input), c.expected);
  });
}

const DOCKERFILE = [
  'ARG BASE_IMAGE=python:3.12-slim', // 0
  'FROM ${BASE_IMAGE}', // 1
  '', // 2
  'WORKDIR /usr/local/app', // 3
  '# dependencies first, for the layer cache', // 4
  'COPY requirements.txt ./', // 5
  'RUN pip install --no-cache-dir \\', // 6
  '    # a comment inside a continuation', // 7
  '    -r requirements.txt', // 8
  'copy train.py ./', // 9
  'RUN useradd -m -u 1000 app && \\', // 10
  '    mkdir -p artifacts   &&   chown app artifacts', // 11
  'USER app', // 12
  'CMD ["python", "train.py"]', // 13
].join('\n');

const lineCases: Array<{ name: string; dockerfile: string; instruction: string; stepIndex?: number; expected: number | undefined }> = [
  { name: 'finds a one-line instruction', dockerfile: DOCKERFILE, instruction: 'WORKDIR /usr/local/app', expected: 3 },
  { name: 'finds an instruction continued over lines with a comment inside', dockerfile: DOCKERFILE, instruction: 'RUN pip install --no-cache-dir     -r requirements.txt', expected: 6 },
  { name: 'ignores whitespace differences', dockerfile: DOCKERFILE, instruction: 'RUN useradd -m -u 1000 app && mkdir -p artifacts && chown app artifacts', expected: 10 },
  { name: 'ignores the keyword\'s case', dockerfile: DOCKERFILE, instruction: 'COPY train.py ./', expected: 9 },
  { name: 'finds FROM with an unexpanded ARG', dockerfile: DOCKERFILE, instruction: 'FROM ${BASE_IMAGE}', expected: 1 },
  { name: 'finds a JSON-form CMD', dockerfile: DOCKERFILE, instruction: 'CMD ["python", "train.py"]', expected: 13 },
  { name: 'gives undefined when nothing matches', dockerfile: DOCKERFILE, instruction: 'RUN make', expected: undefined },
  { name: 'gives undefined for an empty instruction', dockerfile: DOCKERFILE, instruction: '  ', expected: undefined },
  { name: 'does not match an argument that differs only in case', dockerfile: DOCKERFILE, instruction: 'USER APP', expected: undefined },
  {
    name: 'uses the step index to pick the second of two identical instructions',
    dockerfile: 'FROM a AS build\nCOPY . .\nFROM b\nCOPY . .\nRUN x',
    instruction: 'COPY . .',
    stepIndex: 4,
    expected: 3,
  },
  {
    name: 'counts ARGs before the first FROM as steps, like the classic builder',
    dockerfile: 'ARG V=1\nFROM a\nCOPY . .\nFROM b\nCOPY . .',
    instruction: 'COPY . .',
    stepIndex: 5,
    expected: 4,
  },
  { name: 'falls back to the first match when the step index does not match', dockerfile: 'FROM a\nCOPY . .\nFROM b\nCOPY . .', instruction: 'COPY . .', stepIndex: 1, expected: 1 },
  { name: 'honours a backtick escape directive', dockerfile: '# escape=`\nFROM a\nRUN echo a `\n  b', instruction: 'RUN echo a b', expected: 2 },
  {
    name: 'matches the classic builder\'s rendering of a continued RUN with a comment inside',
    dockerfile: 'ARG X=1\nFROM busybox\nRUN echo a \\\n    # comment\n    b   &&  \\\n  false\n',
    instruction: 'RUN echo a     b   &&    false', // "Step 3/4" text from the 20.10 engine
    stepIndex: 3,
    expected: 2,
  },
  { name: 'handles CRLF line endings', dockerfile: 'FROM a\r\nRUN echo \\\r\n  hi\r\n', instruction: 'RUN echo hi', expected: 1 },
];

for (const c of lineCases) {
  void test(`findFailingInstructionLine ${c.name}`, () => {
    assert.equal(findFailingInstructionLine(c.dockerfile, c.instruction, c.stepIndex), c.expected);
  });
}

void test('BuildTranscript tracks the last step, the error and the image id', () => {
  const t = new BuildTranscript();
  t.accept({ stream: 'Step 1/3 : FROM base\n' });
  t.accept({ stream: ' ---> abc\n' });
  t.accept({ stream: 'Step 2/3 : RUN pip install -r requirements.txt\n' });
  assert.deepEqual(t.lastStep, { index: 2, total: 3, instruction: 'RUN pip install -r requirements.txt' });
  assert.equal(t.error, undefined);
  t.accept({ error: 'returned a non-zero code: 1', errorDetail: { message: 'returned a non-zero code: 1' } });
  assert.equal(t.error, 'returned a non-zero code: 1');
  assert.equal(t.imageId, undefined);
  assert.equal(t.logText, 'Step 1/3 : FROM base\n ---> abc\nStep 2/3 : RUN pip install -r requirements.txt\n');
  assert.equal(t.events.length, 6);
});

void test('BuildTranscript records the image id of a successful build', () => {
  const t = new BuildTranscript();
  const events = t.accept({ aux: { ID: 'sha256:1234' } });
  t.accept({ stream: 'Successfully built 1234\n' });
  assert.deepEqual(events, [{ kind: 'imageId', id: 'sha256:1234' }]);
  assert.equal(t.imageId, 'sha256:1234');
  assert.equal(t.error, undefined);
  assert.equal(t.lastStep, undefined);
});
