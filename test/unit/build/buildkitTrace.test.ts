import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { BuildkitTranscript, ProtobufError, decodeStatusResponse, decodeTraceAux, parseVertexName } from '../../../src/core/build/buildkitTrace';
import { findFailingInstructionLine } from '../../../src/core/build/output';

const ROOT = path.resolve(__dirname, '../../../..');

/** Recorded raw stream messages of a real BuildKit build (test/fixtures/buildkit/README.md). */
function recorded(name: string): unknown[] {
  return readFileSync(path.join(ROOT, 'test/fixtures/buildkit', `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}

function replay(name: string): BuildkitTranscript {
  const t = new BuildkitTranscript();
  for (const m of recorded(name)) t.accept(m);
  return t;
}

test('decodes a recorded trace: vertex digest, name, inputs, timestamps', () => {
  const traces = recorded('failing-run').filter((m) => (m as { id?: string }).id === 'moby.buildkit.trace') as Array<{ aux: string }>;
  const first = decodeTraceAux(traces[0].aux);
  assert.equal(first.vertexes.length, 1);
  assert.match(first.vertexes[0].digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(first.vertexes[0].name, '[internal] load remote build context');
  const all = traces.map((t) => decodeTraceAux(t.aux));
  const withInputs = all.flatMap((s) => s.vertexes).find((v) => v.name === '[2/3] RUN echo preparing');
  assert.ok(withInputs);
  assert.equal(withInputs.inputs.length, 1);
  const done = all.flatMap((s) => s.vertexes).find((v) => v.name === '[2/3] RUN echo preparing' && v.completed !== undefined);
  assert.ok(done && done.started !== undefined && done.completed! >= done.started, 'started and completed are ms timestamps');
  assert.ok(done.started! > Date.UTC(2020, 0, 1));
  const log = all.flatMap((s) => s.logs).find((l) => Buffer.from(l.msg).toString('utf8') === 'preparing\n');
  assert.ok(log, 'the RUN output arrives as a VertexLog');
  assert.equal(log.stream, 1);
  assert.equal(log.vertex, withInputs.digest);
  const failed = all.flatMap((s) => s.vertexes).find((v) => v.error);
  assert.match(failed?.error ?? '', /exit code: 3/);
});

test('decodes cached vertices and statuses (exporting layers, writing image)', () => {
  const traces = recorded('iris-cached').filter((m) => (m as { id?: string }).id === 'moby.buildkit.trace') as Array<{ aux: string }>;
  const all = traces.map((t) => decodeTraceAux(t.aux));
  assert.ok(all.flatMap((s) => s.vertexes).some((v) => v.cached && v.name.startsWith('[4/6] RUN pip install')));
  const statuses = all.flatMap((s) => s.statuses);
  assert.ok(statuses.some((s) => s.id === 'exporting layers' && s.completed !== undefined));
  assert.ok(statuses.some((s) => /^writing image sha256:/.test(s.id)));
});

test('hand-made protobuf: unknown fields skipped, int64 and nested timestamp read', () => {
  // Vertex { digest: "d", name: "[1/1] RUN x", cached: true, started: { seconds: 2, nanos: 5000000 }, field 99: 7 }
  const timestamp = [0x08, 0x02, 0x10, 0xc0, 0x96, 0xb1, 0x02]; // 5000000 = varint c0 96 b1 02
  const vertex = [0x0a, 0x01, 0x64, 0x1a, 0x0b, ...Buffer.from('[1/1] RUN x'), 0x20, 0x01, 0x2a, timestamp.length, ...timestamp, 0x98, 0x06, 0x07];
  // StatusResponse { vertexes: [vertex], field 5 (unknown, empty bytes) }
  const bytes = new Uint8Array([0x0a, vertex.length, ...vertex, 0x2a, 0x00]);
  const s = decodeStatusResponse(bytes);
  assert.equal(s.vertexes.length, 1);
  assert.equal(s.vertexes[0].digest, 'd');
  assert.equal(s.vertexes[0].name, '[1/1] RUN x');
  assert.equal(s.vertexes[0].cached, true);
  assert.equal(s.vertexes[0].started, 2005);
});

test('malformed protobuf and base64 throw ProtobufError', () => {
  assert.throws(() => decodeStatusResponse(new Uint8Array([0x0a, 0x05, 0x01])), ProtobufError);
  assert.throws(() => decodeStatusResponse(new Uint8Array([0x0a])), ProtobufError);
  assert.throws(() => decodeStatusResponse(new Uint8Array([0x0b])), ProtobufError); // wire type 3 (groups)
  assert.throws(() => decodeTraceAux('not base64!'), ProtobufError);
  assert.deepEqual(decodeStatusResponse(new Uint8Array(0)), { vertexes: [], statuses: [], logs: [], warnings: [] });
});

test('parseVertexName reads [n/m] and stage prefixes, not [internal]', () => {
  assert.deepEqual(parseVertexName('[3/6] COPY requirements.txt ./'), { index: 3, total: 6, instruction: 'COPY requirements.txt ./' });
  assert.deepEqual(parseVertexName('[builder 2/5] RUN make'), { stage: 'builder', index: 2, total: 5, instruction: 'RUN make' });
  assert.equal(parseVertexName('[internal] load remote build context'), undefined);
  assert.equal(parseVertexName('exporting to image'), undefined);
});

test('a recorded fresh build: one step per Dockerfile step in order, RUN output as log lines, the image id', () => {
  const t = replay('iris-fresh');
  const steps = t.events.filter((e) => e.kind === 'step');
  assert.deepEqual(
    steps.map((e) => (e.kind === 'step' ? `${e.index}/${e.total} ${e.instruction.split(' ')[0]}` : '')),
    ['1/6 FROM', '2/6 WORKDIR', '3/6 COPY', '4/6 RUN', '5/6 COPY', '6/6 RUN'],
  );
  assert.ok(steps.some((e) => e.kind === 'step' && e.instruction === 'RUN pip install --no-cache-dir -r requirements.txt'));
  const text = t.logText;
  assert.match(text, /^#\d+ \[4\/6\] RUN pip install --no-cache-dir -r requirements\.txt$/m);
  assert.match(text, /^#\d+ Requirement already satisfied: scikit-learn==1\.2\.1/m);
  assert.match(text, /^#\d+ DONE \d+\.\ds$/m);
  assert.match(text, /^#\d+ exporting layers done$/m);
  assert.match(text, /^Successfully tagged mllab-enginetest\/bk-capture-iris-fresh:1$/m);
  assert.equal(t.imageId, 'sha256:f8213954ba2a59b4f53b1f766a04d48000c88d9157a8090281a07040675a5efd');
  assert.equal(t.error, undefined);
  assert.equal(t.failedVertex, undefined);
  assert.ok(t.traces > 10);
  // A vertex's log lines carry the same #N as its step line.
  const n = /^#(\d+) \[4\/6\] RUN pip/m.exec(text)?.[1];
  assert.match(text, new RegExp(`^#${n} Requirement already satisfied`, 'm'));
});

test('a recorded cached build says CACHED for each step and still gives the image id', () => {
  const t = replay('iris-cached');
  for (const i of [2, 3, 4, 5, 6]) {
    const n = new RegExp(`^#(\\d+) \\[${i}/6\\] `, 'm').exec(t.logText)?.[1];
    assert.ok(n, `step ${i} announced`);
    assert.match(t.logText, new RegExp(`^#${n} CACHED$`, 'm'));
  }
  assert.equal(t.events.filter((e) => e.kind === 'step').length, 6);
  assert.match(t.imageId ?? '', /^sha256:/);
});

test('the flask build gives its steps and image id', () => {
  const t = replay('flask-fresh');
  assert.ok(t.events.some((e) => e.kind === 'step' && e.instruction === 'COPY app.py ./'));
  assert.match(t.imageId ?? '', /^sha256:[0-9a-f]{64}$/);
});

test('a recorded failing RUN: its output, one error event, the failing instruction that maps to its Dockerfile line', () => {
  const t = replay('failing-run');
  const errors = t.events.filter((e) => e.kind === 'error');
  assert.equal(errors.length, 1, 'the vertex error and the final error message are reported once');
  assert.match(t.error ?? '', /exit code: 3/);
  assert.match(t.logText, /^#\d+ about to fail$/m);
  assert.equal(t.failedVertex?.index, 3);
  assert.equal(t.failedVertex?.total, 3);
  assert.equal(t.failedVertex?.instruction, `RUN python3 -c "import sys; print('about to fail'); sys.exit(3)"`);
  assert.equal(t.imageId, undefined);
  const dockerfile = `FROM mllab-test/python-ml:bookworm\nRUN echo preparing\nRUN python3 -c "import sys; print('about to fail'); sys.exit(3)"\n`;
  assert.equal(findFailingInstructionLine(dockerfile, t.failedVertex.instruction), 2);
});

test('a COPY of a missing file fails at that step, with the engine\'s final message kept', () => {
  const t = replay('missing-file');
  assert.equal(t.failedVertex?.instruction, 'COPY nothere.txt /x');
  assert.equal(t.events.filter((e) => e.kind === 'error').length, 1);
  assert.match(t.error ?? '', /failed to compute cache key: "\/nothere\.txt" not found/);
});

test('a Dockerfile parse error has no failing step but traces were seen (BuildKit ran)', () => {
  const t = replay('bad-syntax');
  assert.equal(t.failedVertex, undefined);
  assert.match(t.error ?? '', /dockerfile parse error line 2: unknown instruction: NOTANINSTRUCTION/);
  assert.ok(t.traces > 0);
});

test('log chunks split mid-line are joined per vertex; a malformed trace is ignored', () => {
  const enc = (obj: { digest: string; name?: string; started?: boolean; completed?: boolean }): number[] => {
    const out: number[] = [0x0a, obj.digest.length, ...Buffer.from(obj.digest)];
    if (obj.name) out.push(0x1a, obj.name.length, ...Buffer.from(obj.name));
    if (obj.started) out.push(0x2a, 0x02, 0x08, 0x01);
    if (obj.completed) out.push(0x32, 0x02, 0x08, 0x03);
    return out;
  };
  const logMsg = (digest: string, msg: string): number[] => {
    const inner = [0x0a, digest.length, ...Buffer.from(digest), 0x18, 0x01, 0x22, msg.length, ...Buffer.from(msg)];
    return [0x1a, inner.length, ...inner];
  };
  const trace = (bytes: number[]): unknown => ({ id: 'moby.buildkit.trace', aux: Buffer.from(bytes).toString('base64') });
  const v = enc({ digest: 'a', name: '[1/1] RUN train', started: true });
  const t = new BuildkitTranscript();
  t.accept(trace([0x0a, v.length, ...v]));
  t.accept(trace(logMsg('a', 'epoch 1/')));
  t.accept({ id: 'moby.buildkit.trace', aux: 'Cv///w==' }); // truncated: ignored
  t.accept(trace(logMsg('a', '5 loss 0.9\nepoch 2')));
  const done = enc({ digest: 'a', started: true, completed: true });
  t.accept(trace([0x0a, done.length, ...done]));
  assert.equal(t.logText, '#1 [1/1] RUN train\n#1 epoch 1/5 loss 0.9\n#1 epoch 2\n#1 DONE 2.0s\n');
  assert.equal(t.traces, 4);
});
