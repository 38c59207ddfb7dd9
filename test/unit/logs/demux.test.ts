import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LogDemuxer, type LogStreamName } from '../../../src/core/logs/demux';

/** A frame as the Engine API sends it: type, 3 zero bytes, uint32 BE length, payload. */
function frame(type: number, text: string | Buffer): Buffer {
  const body = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const head = Buffer.alloc(8);
  head[0] = type;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

function collect(chunks: Buffer[], tty = false): { calls: Array<[LogStreamName, string]>; text: Record<LogStreamName, string> } {
  const calls: Array<[LogStreamName, string]> = [];
  const d = new LogDemuxer((t, s) => calls.push([s, t]), tty);
  for (const c of chunks) d.push(c);
  d.end();
  const text = { stdout: '', stderr: '' };
  for (const [s, t] of calls) text[s] += t;
  return { calls, text };
}

/** Splits a buffer into chunks of the given sizes (cycling), as a socket might deliver it. */
function split(buf: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  for (let k = 0; i < buf.length; k++) {
    const n = sizes[k % sizes.length];
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out;
}

describe('LogDemuxer (Engine API multiplexed log stream)', () => {
  it('gives one call per run of same-stream frames in a chunk, not one per frame', () => {
    const lines = Array.from({ length: 500 }, (_, i) => `epoch ${i} loss ${(1 / (i + 1)).toFixed(4)}\n`);
    const { calls, text } = collect([Buffer.concat(lines.map((l) => frame(1, l)))]);
    assert.equal(calls.length, 1);
    assert.equal(text.stdout, lines.join(''));
  });

  it('keeps stdout and stderr apart and in order', () => {
    const { calls } = collect([Buffer.concat([frame(1, 'a\n'), frame(1, 'b\n'), frame(2, 'oops\n'), frame(1, 'c\n')])]);
    assert.deepEqual(calls, [
      ['stdout', 'a\nb\n'],
      ['stderr', 'oops\n'],
      ['stdout', 'c\n'],
    ]);
  });

  it('reassembles headers, payloads and UTF-8 characters split across chunks at every size', () => {
    // "█" is 3 bytes and "é" 2: frame boundaries inside them too (a tqdm bar cut in two frames)
    const bar = Buffer.from('45%|████▌ | 45/100 café\n', 'utf8');
    const stream = Buffer.concat([frame(1, bar.subarray(0, 6)), frame(1, bar.subarray(6)), frame(2, 'é\n'), frame(1, 'done\n')]);
    for (const size of [1, 2, 3, 5, 7, 8, 9, 13, stream.length]) {
      const { text } = collect(split(stream, [size]));
      assert.equal(text.stdout, `${bar.toString('utf8')}done\n`, `chunks of ${size} bytes`);
      assert.equal(text.stderr, 'é\n', `chunks of ${size} bytes`);
    }
  });

  it('passes a TTY stream through as stdout, decoding characters split across chunks', () => {
    const raw = Buffer.from('loss 0.5 ✓\r\n', 'utf8');
    const { text } = collect(split(raw, [9, 1, 100]), true);
    assert.deepEqual(text, { stdout: 'loss 0.5 ✓\r\n', stderr: '' });
  });

  it('treats a stream whose header has an unknown stream type as raw stdout (as docker-modem does)', () => {
    const { text } = collect([Buffer.from('plain text, no frames\n')]);
    assert.equal(text.stdout, 'plain text, no frames\n');
  });

  it('handles empty frames and a payload larger than the chunk', () => {
    const big = 'x'.repeat(70_000);
    const { text } = collect(split(Buffer.concat([frame(1, ''), frame(1, big), frame(1, '\n')]), [65_536]));
    assert.equal(text.stdout, `${big}\n`);
  });
});
