import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { commitStaged, containerAncestors, extractToStaging, packUpload, parsePathStat, stagedConflicts, uploadLayout } from '../../../src/core/transfer/archive';
import { UserError } from '../../../src/core/errors';

const layouts: Array<{ name: string; input: Parameters<typeof uploadLayout>[0]; expected: ReturnType<typeof uploadLayout> }> = [
  { name: 'a folder onto an existing folder: its children, no entry for the folder itself', input: { sourceIsDir: true, sourceName: 'data', target: '/app/data', targetKind: 'dir' }, expected: { extractAt: '/app/data', root: '', dirs: [] } },
  { name: 'a folder onto a missing path under an existing folder', input: { sourceIsDir: true, sourceName: 'data', target: '/app/data', targetKind: 'missing', existingAncestor: '/app' }, expected: { extractAt: '/app', root: 'data', dirs: ['data'] } },
  { name: 'a folder two levels below the nearest existing folder', input: { sourceIsDir: true, sourceName: 'data', target: '/app/in/data', targetKind: 'missing', existingAncestor: '/' }, expected: { extractAt: '/', root: 'app/in/data', dirs: ['app', 'app/in', 'app/in/data'] } },
  { name: 'a file onto an existing folder: into it under its name', input: { sourceIsDir: false, sourceName: 'cfg.yaml', target: '/etc', targetKind: 'dir' }, expected: { extractAt: '/etc', root: 'cfg.yaml', dirs: [] } },
  { name: 'a file onto an existing file: replaces it', input: { sourceIsDir: false, sourceName: 'cfg.yaml', target: '/app/lr.yaml', targetKind: 'file' }, expected: { extractAt: '/app', root: 'lr.yaml', dirs: [] } },
  { name: 'a file onto a missing path: becomes it, folders made', input: { sourceIsDir: false, sourceName: 'cfg.yaml', target: '/cfg/run/lr.yaml', targetKind: 'missing', existingAncestor: '/' }, expected: { extractAt: '/', root: 'cfg/run/lr.yaml', dirs: ['cfg', 'cfg/run'] } },
];
for (const c of layouts) test(`upload layout: ${c.name}`, () => assert.deepEqual(uploadLayout(c.input), c.expected));

test('upload layout: a folder onto an existing file is refused with what to do', () => {
  assert.throws(() => uploadLayout({ sourceIsDir: true, sourceName: 'd', target: '/bin/sh', targetKind: 'file' }), (err: unknown) => err instanceof UserError && /is a file in the container/.test(err.message) && /Choose a container path/.test(err.hint ?? ''));
});

test('container ancestors, nearest first', () => {
  assert.deepEqual(containerAncestors('/a/b/c'), ['/a/b', '/a', '/']);
  assert.deepEqual(containerAncestors('/a'), ['/']);
});

test('path stat header: folder, file, symlink (Go mode bits), and garbage', () => {
  const h = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64');
  assert.deepEqual(parsePathStat(h({ name: 'etc', size: 4096, mode: 2147484141, mtime: 'x', linkTarget: '' })), { name: 'etc', size: 4096, kind: 'dir', mode: 0o755, linkTarget: '' });
  assert.equal(parsePathStat(h({ name: 'a', size: 3, mode: 0o644 }))?.kind, 'file');
  assert.deepEqual(parsePathStat(h({ name: 'sh', size: 12, mode: 134218239, linkTarget: '/bin/busybox' })), { name: 'sh', size: 12, kind: 'symlink', mode: 0o777, linkTarget: '/bin/busybox' });
  assert.equal(parsePathStat(undefined), undefined);
  assert.equal(parsePathStat('not base64 json'), undefined);
});

/** A tar as a crafted (or hostile) engine could send it. */
function tarOf(entries: Array<{ name: string; type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device'; linkname?: string; body?: string; mode?: number }>): Readable {
  const pack = tar.pack();
  for (const e of entries) {
    const header = { name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: e.mode ?? (e.type === 'directory' ? 0o755 : 0o644) };
    if (header.type === 'file') pack.entry(header, e.body ?? '');
    else pack.entry(header);
  }
  pack.finalize();
  return Readable.from(pack as unknown as AsyncIterable<Buffer>);
}

/** Unpacks `entries` (after the root folder `artifacts/` and its `model.pt`) into a fresh folder; what was written and refused. */
async function unpackOne(entries: Parameters<typeof tarOf>[0]): Promise<{ refused: Record<string, string>; written: string[] }> {
  const ws = mkdtempSync(path.join(tmpdir(), 'mllab-unit-xfer-'));
  try {
    const staged = await extractToStaging(tarOf([{ name: 'artifacts/', type: 'directory' }, { name: 'artifacts/model.pt', body: 'w' }, ...entries]), path.join(ws, 'artifacts'), 'artifacts');
    const written: string[] = [];
    const walk = (d: string, rel: string): void => {
      for (const n of readdirSync(d).sort()) {
        const r = rel ? `${rel}/${n}` : n;
        written.push(r);
        if (lstatSync(path.join(d, n)).isDirectory()) walk(path.join(d, n), r);
      }
    };
    walk(staged.dir, '');
    assert.deepEqual(readdirSync(ws).filter((n) => !n.startsWith('.artifacts.mllab-partial-')), [], 'nothing outside the staging folder');
    return { refused: Object.fromEntries(staged.refused.map((r) => [r.name, r.reason])), written };
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

const verdicts: Array<{ entry: Parameters<typeof tarOf>[0][number]; ok: boolean; detail: string | RegExp }> = [
  { entry: { name: './artifacts/./sub/m.pt' }, ok: true, detail: 'sub/m.pt' },
  { entry: { name: '/etc/passwd' }, ok: false, detail: /absolute path/ },
  { entry: { name: 'artifacts/../../.bashrc' }, ok: false, detail: /".."/ },
  { entry: { name: 'other/x' }, ok: false, detail: /outside artifacts/ },
  { entry: { name: 'artifacts/py', type: 'symlink', linkname: '/usr/bin/python3' }, ok: false, detail: /absolute path, outside the target folder/ },
  { entry: { name: 'artifacts/sub/up', type: 'symlink', linkname: '../../etc' }, ok: false, detail: /outside the target folder/ },
  { entry: { name: 'artifacts/sub/ok', type: 'symlink', linkname: '../model.pt' }, ok: true, detail: 'sub/ok' },
  { entry: { name: 'artifacts/hard', type: 'link', linkname: 'artifacts/model.pt' }, ok: true, detail: 'hard' },
  { entry: { name: 'artifacts/hard2', type: 'link', linkname: '/etc/shadow' }, ok: false, detail: /hard link/ },
  { entry: { name: 'artifacts/hard3', type: 'link', linkname: 'artifacts/../../etc/shadow' }, ok: false, detail: /hard link/ },
  { entry: { name: 'artifacts/dev', type: 'character-device' }, ok: false, detail: /only files, folders and links/ },
];
for (const c of verdicts) {
  test(`extract: ${c.entry.type ?? 'file'} ${c.entry.name}${c.entry.linkname ? ` -> ${c.entry.linkname}` : ''} is ${c.ok ? 'written' : 'refused'}`, async () => {
    const { refused, written } = await unpackOne([c.entry]);
    if (c.ok) {
      assert.deepEqual(refused, {});
      assert.ok(written.includes(c.detail as string), `${c.detail as string} in ${written.join(', ')}`);
    } else {
      assert.match(refused[c.entry.name] ?? '(not refused)', c.detail as RegExp);
      assert.deepEqual(written, ['model.pt']);
    }
  });
}

test('extract: nothing is written through a symlink the archive made, even one pointing inside', async () => {
  const { refused, written } = await unpackOne([
    { name: 'artifacts/here', type: 'symlink', linkname: '.' },
    { name: 'artifacts/here/../x', body: 'bad' },
    { name: 'artifacts/here/x', type: 'symlink', linkname: '../y' },
    { name: 'artifacts/here/f', body: 'bad' },
  ]);
  assert.match(refused['artifacts/here/../x'] ?? '', /".."/);
  assert.equal(refused['artifacts/here/x'], 'its path passes through a symlink');
  assert.equal(refused['artifacts/here/f'], 'its path passes through a symlink');
  assert.deepEqual(written, ['here', 'model.pt']);
});

test('extract: a hostile archive writes only inside the staging folder; refused entries are named; commit asks nothing new when nothing exists', async () => {
  const ws = mkdtempSync(path.join(tmpdir(), 'mllab-unit-xfer-'));
  try {
    const target = path.join(ws, 'artifacts');
    const staged = await extractToStaging(tarOf([
      { name: 'out/', type: 'directory' },
      { name: 'out/model.pt', body: 'weights', mode: 0o640 },
      { name: 'out/../../escape.txt', body: 'bad' },
      { name: '/tmp/abs.txt', body: 'bad' },
      { name: 'out/link', type: 'symlink', linkname: '.' },
      { name: 'out/link/../../escape2.txt', body: 'bad' },
      { name: 'out/etc', type: 'symlink', linkname: '/etc' },
      { name: 'out/etc/cron.d/x', body: 'bad' },
    ]), target, 'out');
    assert.deepEqual(staged.refused.map((r) => r.name), ['out/../../escape.txt', '/tmp/abs.txt', 'out/link/../../escape2.txt', 'out/etc']);
    // The refused symlink was never made, so out/etc/cron.d/x is an ordinary file inside the target.
    assert.equal(staged.files, 3);
    assert.deepEqual(await stagedConflicts(staged, target), []);
    const done = await commitStaged(staged, target, false);
    assert.equal(done.written, 3);
    assert.deepEqual(readdirSync(ws), ['artifacts']);
    assert.deepEqual(readdirSync(target).sort(), ['etc', 'link', 'model.pt']);
    assert.equal(readFileSync(path.join(target, 'etc', 'cron.d', 'x'), 'utf8'), 'bad');
    assert.equal(readFileSync(path.join(target, 'model.pt'), 'utf8'), 'weights');
    assert.equal(lstatSync(path.join(target, 'model.pt')).mode & 0o777, 0o640);
    assert.equal(existsSync(path.join(ws, 'escape.txt')) || existsSync('/tmp/abs.txt'), false);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});

test('extract: existing files are listed before the commit, and kept or replaced as chosen', async () => {
  const ws = mkdtempSync(path.join(tmpdir(), 'mllab-unit-xfer-'));
  try {
    const target = path.join(ws, 'artifacts');
    mkdirSync(path.join(target, 'sub'), { recursive: true });
    writeFileSync(path.join(target, 'sub', 'm.pt'), 'old');
    writeFileSync(path.join(target, 'mine.txt'), 'untouched');
    const archive = () => tarOf([{ name: 'a/', type: 'directory' }, { name: 'a/sub/', type: 'directory' }, { name: 'a/sub/m.pt', body: 'new' }, { name: 'a/n.txt', body: 'n' }]);
    const keep = await extractToStaging(archive(), target, 'a');
    assert.deepEqual(await stagedConflicts(keep, target), ['sub/m.pt']);
    const kept = await commitStaged(keep, target, false);
    assert.deepEqual(kept.kept, ['sub/m.pt']);
    assert.equal(readFileSync(path.join(target, 'sub', 'm.pt'), 'utf8'), 'old');
    const over = await commitStaged(await extractToStaging(archive(), target, 'a'), target, true);
    assert.deepEqual(over.overwritten.sort(), ['n.txt', 'sub/m.pt']);
    assert.equal(readFileSync(path.join(target, 'sub', 'm.pt'), 'utf8'), 'new');
    assert.equal(readFileSync(path.join(target, 'mine.txt'), 'utf8'), 'untouched');
    assert.deepEqual(readdirSync(ws), ['artifacts']);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});

test('pack: a folder for a missing container path gets entries for the folders made, then its files with their modes', async () => {
  const ws = mkdtempSync(path.join(tmpdir(), 'mllab-unit-xfer-'));
  try {
    mkdirSync(path.join(ws, 'data', 'sub'), { recursive: true });
    writeFileSync(path.join(ws, 'data', 'a.csv'), 'a,b\n', { mode: 0o600 });
    writeFileSync(path.join(ws, 'data', 'sub', 'b.csv'), 'b\n');
    const packed = await packUpload(path.join(ws, 'data'), { extractAt: '/', root: 'app/data', dirs: ['app', 'app/data'] });
    assert.equal(packed.files, 2);
    assert.equal(packed.bytes, 6);
    const names: string[] = [];
    const extract = tar.extract();
    extract.on('entry', (h, body, next) => {
      names.push(`${h.name} ${h.type} ${(h.mode ?? 0).toString(8)}`);
      body.resume();
      body.on('end', next);
    });
    packed.stream.pipe(extract as unknown as NodeJS.WritableStream);
    await new Promise<void>((r) => extract.on('finish', () => r()));
    await packed.done;
    assert.deepEqual(names, ['app/ directory 755', 'app/data/ directory 755', 'app/data/a.csv file 600', 'app/data/sub/ directory 755', 'app/data/sub/b.csv file 644']);
    await assert.rejects(packUpload(path.join(ws, 'nope'), { extractAt: '/', root: 'x', dirs: [] }), /does not exist/);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});
