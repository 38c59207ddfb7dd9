/**
 * scripts/recompress-vsix.mjs deflates a .vsix's entries again with Zopfli. The zip it writes
 * must hold the same files, byte for byte, for the unzip VS Code uses (yauzl), and be smaller.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = path.resolve(__dirname, '..', '..', '..', '..');

interface Recompress { recompress(zip: Buffer, iterations?: number): Promise<Buffer> }

/** A zip made by yazl, as vsce makes the .vsix (buffers deflated at zlib's level, streams with data descriptors). */
async function yazlZip(files: Record<string, Buffer>, streamed: string[]): Promise<Buffer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped (vsce's own zip writer)
  const yazl = require('yazl') as { ZipFile: new () => { addBuffer(b: Buffer, n: string, o?: object): void; addReadStream(s: NodeJS.ReadableStream, n: string): void; end(): void; outputStream: NodeJS.ReadableStream } };
  const { Readable } = await import('node:stream');
  const zip = new yazl.ZipFile();
  for (const [name, data] of Object.entries(files)) {
    if (streamed.includes(name)) zip.addReadStream(Readable.from([data]), name);
    else zip.addBuffer(data, name, { compress: data.length > 0 });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Every entry's name and bytes, read with yauzl. */
async function unzip(zip: Buffer): Promise<Record<string, Buffer>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped (the unzip VS Code uses)
  const yauzl = require('yauzl') as { fromBuffer(b: Buffer, o: object, cb: (e: Error | null, z: YauzlZip) => void): void };
  interface YauzlZip { on(ev: string, fn: (...a: never[]) => void): void; readEntry(): void; openReadStream(e: { fileName: string }, cb: (e: Error | null, s: NodeJS.ReadableStream) => void): void }
  return new Promise((resolve, reject) => {
    const out: Record<string, Buffer> = {};
    yauzl.fromBuffer(zip, { lazyEntries: true, validateEntrySizes: true }, (err, z) => {
      if (err) return reject(err);
      z.on('error', reject);
      z.on('end', () => resolve(out));
      z.on('entry', (entry: { fileName: string }) => {
        z.openReadStream(entry, (e, s) => {
          if (e) return reject(e);
          const parts: Buffer[] = [];
          s.on('data', (d: Buffer) => parts.push(d));
          s.on('end', () => { out[entry.fileName] = Buffer.concat(parts); z.readEntry(); });
          s.on('error', reject);
        });
      });
      z.readEntry();
    });
  });
}

test('recompressing a .vsix keeps every file byte for byte and makes it smaller', async () => {
  const lib = (await import(pathToFileURL(path.join(repo, 'scripts', 'recompress-vsix.mjs')).href)) as Recompress;
  const code = Buffer.from(Array.from({ length: 400 }, (_, i) => `function f${i}(a, b) { return a * ${i} + b; } // line ${i % 17}\n`).join(''));
  const files = {
    'extension/package.json': Buffer.from(JSON.stringify({ name: 'x', contributes: { commands: Array.from({ length: 50 }, (_, i) => ({ command: `mlLab.c${i}`, title: `Command ${i}` })) } }, null, 2)),
    'extension/dist/extension.js': code,
    'extension/dist/streamed.js': code.subarray(0, 5000),
    'extension/empty.txt': Buffer.alloc(0),
    'extension/random.bin': Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + (i >> 3) * 104729) % 251)),
  };
  const before = await yazlZip(files, ['extension/dist/streamed.js']);
  const after = await lib.recompress(before, 5);
  assert.ok(after.length < before.length, `${after.length} < ${before.length} bytes`);
  const read = await unzip(after);
  assert.deepEqual(Object.keys(read).sort(), Object.keys(files).sort());
  for (const [name, data] of Object.entries(files)) assert.ok(read[name].equals(data), `${name} is unchanged`);
});
