/**
 * The pure parts of a container's files: parsing the two listing formats (GNU find -printf and
 * BusyBox stat), indexing an archive's headers, the order of a folder's entries, new-entry names,
 * which failure an engine answer means, and the one-entry tar a save sends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tar from 'tar-stream';
import { ArchiveLister, checkEntryName, parseFolderListing, sortEntries, type ContainerFileEntry } from '../../../src/core/files/listing';
import { fileErrorMessage, fileErrorReason } from '../../../src/core/files/errors';
import { singleEntryTar } from '../../../src/core/files/tarEntry';
import { parsePathStat } from '../../../src/core/transfer/archive';
import { fileEntryNodes, filesNode, filesRootNodes, partialListingNode } from '../../../src/core/tree/files';
import { containerFileUri, parseContainerFileUri } from '../../../src/core/files/uri';

// As GNU find 4.9 printed it in the Debian base image (a symlink, a missing link, a file with a space, a folder).
const gnu = Buffer.from('gnu\n' + [
  'l 777 1 1796667820.0263905180 0 0 d l', 'd',
  'l 777 8 1796667820.0263905180 0 0 N bad', '/nowhere',
  'f 640 19 1796667820.0223905190 1000 1000 f a b', '',
  'd 755 4096 1796667820.0223905190 0 0 d d', '',
  'f 644 1 1796667820.0 0 0 f new\nline', '',
].join('\0') + '\0');

// As BusyBox 1.35 printed it: stat lines, then the links section (NUL-separated).
const busybox = Buffer.from('stat\n' + [
  'a1ff 1 1796667819 0 0 /t/l',
  '81a4 1 1796667819 0 0 /t/a b',
  '41ed 4096 1796667819 0 0 /t/d',
  '81a4 1 1796667819 0 0 /t/new',
  'line',
  'a1ff 8 1796667819 0 0 /t/bad',
  '',
].join('\n') + 'links\n' + ['41ed /t/l', 'd', '0 /t/bad', '/nowhere'].join('\0') + '\0');

const compact = (es: ContainerFileEntry[]) => es.map((e) => `${e.name}|${e.kind}|${e.mode.toString(8)}|${e.size}|${e.uid}:${e.gid}|${e.linkTarget ?? ''}|${e.targetKind ?? ''}|${e.path}`);

test('parses GNU find -printf output: kinds, modes, sizes, owners, link targets, names with spaces and newlines', () => {
  const es = parseFolderListing(gnu, '/data');
  assert.deepEqual(compact(es), [
    'l|symlink|777|1|0:0|d|dir|/data/l',
    'bad|symlink|777|8|0:0|/nowhere|missing|/data/bad',
    'a b|file|640|19|1000:1000|||/data/a b',
    'd|dir|755|4096|0:0|||/data/d',
    'new\nline|file|644|1|0:0|||/data/new\nline',
  ]);
  assert.equal(es[2].mtimeMs, 1796667820022);
});

test('parses BusyBox stat output: raw modes, a name with a newline continues on the next line, links section', () => {
  assert.deepEqual(compact(parseFolderListing(busybox, '/t')), [
    'l|symlink|777|1|0:0|d|dir|/t/l',
    'a b|file|644|1|0:0|||/t/a b',
    'd|dir|755|4096|0:0|||/t/d',
    'new\nline|file|644|1|0:0|||/t/new\nline',
    'bad|symlink|777|8|0:0|/nowhere|missing|/t/bad',
  ]);
  assert.equal(parseFolderListing(busybox, '/t')[0].mtimeMs, 1796667819000);
});

test('parses listings of / and of an empty folder; refuses output of neither format', () => {
  assert.deepEqual(parseFolderListing(Buffer.from('stat\n41ed 4096 1 0 0 /etc\nlinks\n'), '/').map((e) => e.path), ['/etc']);
  assert.deepEqual(parseFolderListing(Buffer.from('gnu\n'), '/empty'), []);
  assert.deepEqual(parseFolderListing(Buffer.from('stat\nlinks\n'), '/empty'), []);
  assert.throws(() => parseFolderListing(Buffer.from('total 0\n'), '/x'), /unexpected folder listing output/);
});

test('indexes an archive from its headers: direct entries, every subfolder, link targets inside the subtree', () => {
  const l = new ArchiveLister('/app');
  for (const h of [
    { name: 'app/', type: 'directory' },
    { name: 'app/a/', type: 'directory', mode: 0o755 },
    { name: 'app/a/x.txt', type: 'file', size: 3, mode: 0o600, uid: 1000, gid: 100, mtime: new Date(5000) },
    { name: 'app/latest', type: 'symlink', linkname: 'a' },
    { name: 'app/out', type: 'symlink', linkname: '/etc' },
    { name: 'app/../evil', type: 'file' },
    { name: 'other/x', type: 'file' },
  ]) l.add(h);
  const index = l.index();
  assert.deepEqual(l.entries().map((e) => `${e.name} ${e.kind} ${e.targetKind ?? ''}`), ['a dir ', 'latest symlink dir', 'out symlink ']);
  assert.deepEqual(compact(index.get('/app/a')!), ['x.txt|file|600|3|1000:100|||/app/a/x.txt']);
  assert.equal(index.get('/app/a')![0].mtimeMs, 5000);
  const root = new ArchiveLister('/');
  for (const name of ['/', '/.dockerenv', '/bin/', '/bin/sh']) root.add({ name, type: name.endsWith('/') ? 'directory' : 'file' });
  assert.deepEqual(root.entries().map((e) => e.path), ['/.dockerenv', '/bin']);
  assert.deepEqual(root.index().get('/bin')!.map((e) => e.path), ['/bin/sh']);
});

test('sorts mount points first, then the working folder or what leads to it, then folders and links to folders, then files', () => {
  const e = (name: string, kind: ContainerFileEntry['kind'], targetKind?: 'dir' | 'file'): ContainerFileEntry => ({ name, path: `/usr/local/${name}`, kind, size: 0, mode: 0, mtimeMs: 0, uid: 0, gid: 0, ...(targetKind ? { targetKind } : {}) });
  const entries = [e('zeta.txt', 'file'), e('bin', 'dir'), e('app', 'dir'), e('data', 'dir'), e('lib', 'symlink', 'dir'), e('link.txt', 'symlink', 'file'), e('Alpha', 'dir')];
  assert.deepEqual(sortEntries(entries, { workdir: '/usr/local/app/src', mounts: ['/usr/local/data'] }).map((x) => x.name), ['data', 'app', 'Alpha', 'bin', 'lib', 'link.txt', 'zeta.txt']);
  assert.deepEqual(sortEntries(entries, { workdir: '/' }).map((x) => x.name), ['Alpha', 'app', 'bin', 'data', 'lib', 'link.txt', 'zeta.txt']);
});

test('names for a new file or folder: one path part', () => {
  const cases: Array<[string, RegExp | undefined]> = [
    ['model.py', undefined], ['.env', undefined], ['with space', undefined],
    ['', /Type a name/], ['a/b', /without "\/"/], ['..', /not a name/], ['.', /not a name/], ['a\0b', /NUL/],
  ];
  for (const [name, want] of cases) {
    const got = checkEntryName(name);
    if (want) assert.match(got ?? '', want, name);
    else assert.equal(got, undefined, name);
  }
});

test('engine answers and command errors map to one failure case each', () => {
  const cases: Array<[string, number | undefined, string]> = [
    ['No such container: 3f2a', 404, 'containerGone'],
    ['Could not find the file /x in container y', 404, 'missingPath'],
    ['container rootfs is marked read-only', 400, 'readOnly'],
    ['mounted volume is marked read-only', 403, 'readOnly'],
    ["rm: can't remove '/bin/true': Read-only file system", undefined, 'readOnly'],
    ["rm: cannot remove 'x': Permission denied", undefined, 'readOnly'],
    ['Container 3f2a is not running', 409, 'notRunning'],
    ['Container 3f2a is paused, unpause the container before exec', 409, 'notRunning'],
    ['mv: cannot move: No such file or directory', undefined, 'missingPath'],
    ['something else broke', 500, 'other'],
  ];
  for (const [text, status, want] of cases) assert.equal(fileErrorReason(text, status), want, text);
  assert.equal(fileErrorMessage('readOnly', 'save', '/etc/x', 'iris'), 'Cannot save /etc/x: it is on a read-only file system in container iris (a read-only mount or root file system).');
  assert.equal(fileErrorMessage('containerGone', 'save', '/app/train.py', 'iris'), 'Cannot save /app/train.py: container iris no longer exists (it was removed).');
  assert.equal(fileErrorMessage('other', 'list', '/x', 'iris', 'the engine broke.'), 'Cannot list /x in container iris: the engine broke.');
});

test('a save\'s tar holds one entry with the mode, owner and bytes given', async () => {
  const content = Buffer.from([0, 1, 2, 255, 10]);
  const buf = await singleEntryTar({ name: 'train.py', type: 'file', mode: 0o100640, uid: 1000, gid: 100, content, mtime: new Date(1_700_000_000_000) });
  assert.equal(buf.length % 512, 0);
  const entries: Array<{ header: tar.Header; body: Buffer }> = [];
  await new Promise<void>((resolve, reject) => {
    const x = tar.extract();
    x.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => {
        chunks.push(c as Buffer);
      });
      stream.on('end', () => {
        entries.push({ header, body: Buffer.concat(chunks) });
        next();
      });
    });
    x.on('finish', resolve);
    x.on('error', reject);
    x.end(buf);
  });
  assert.equal(entries.length, 1);
  const h = entries[0].header;
  assert.deepEqual([h.name, h.type, h.mode, h.uid, h.gid, h.mtime?.getTime()], ['train.py', 'file', 0o640, 1000, 100, 1_700_000_000_000]);
  assert.ok(entries[0].body.equals(content));
  const dir = await singleEntryTar({ name: 'runs', type: 'directory', mode: 0o755, uid: 0, gid: 0 });
  assert.equal(dir.subarray(0, 5).toString(), 'runs/');
  assert.throws(() => singleEntryTar({ name: 'a/b', type: 'file', mode: 0o644, uid: 0, gid: 0 }), /not a base name/);
});

test('the path stat header gives the modification time in ms', () => {
  const h = Buffer.from(JSON.stringify({ name: 'train.py', size: 12, mode: 420, mtime: '2026-12-07T18:23:11.123456789Z', linkTarget: '' })).toString('base64');
  assert.equal(parsePathStat(h)?.mtimeMs, Date.UTC(2026, 11, 7, 18, 23, 11, 123));
});

test('Files rows: under Files the working folder, the mounts (marked, shared volumes named) and /; folder rows expand lazily, files open on click', () => {
  const c = {
    id: 'c0ffee', name: 'iris', image: 'iris-train:v1', imageId: 'sha256:1', command: '', created: 0, state: 'running' as const, status: 'Up', ports: [], labels: {},
    mounts: [
      { type: 'volume', source: '/var/lib/docker/volumes/ckpt/_data', name: 'ckpt', destination: '/usr/local/app/artifacts', readOnly: false },
      { type: 'bind', source: '/home/me/data', destination: '/data', readOnly: true },
    ],
  };
  const files = filesNode(c, new Map([['ckpt', ['iris', 'eval']]]));
  assert.equal(files.lazy, true);
  assert.equal(files.contextValue, 'containerFiles;running;');
  assert.deepEqual(files.file?.container.mounts.map((m) => m.sharedWith), [['eval'], []]);
  const roots = filesRootNodes({ ...files.file!.container, workdir: '/usr/local/app' });
  assert.deepEqual(roots.map((r) => `${r.label} | ${r.description} | ${r.contextValue}`), [
    '/usr/local/app | working folder | containerFolder;running;deletable;',
    '/data | bind mount /home/me/data, read-only | containerFolder;running;mount;',
    '/usr/local/app/artifacts | named volume ckpt, also in eval | containerFolder;running;mount;',
    '/ | the root file system | containerFolder;running;',
  ]);
  assert.ok(roots.every((r) => r.lazy));
  assert.equal(new Set(roots.map((r) => r.id)).size, roots.length);
  const entry = (name: string, kind: ContainerFileEntry['kind'], extra: Partial<ContainerFileEntry> = {}): ContainerFileEntry => ({ name, path: `/usr/local/app/${name}`, kind, size: 1234, mode: 0o644, mtimeMs: 0, uid: 0, gid: 0, ...extra });
  const rows = fileEntryNodes(roots[0].id, roots[0].file!.container, [entry('artifacts', 'dir'), entry('latest', 'symlink', { linkTarget: 'artifacts', targetKind: 'dir' }), entry('train.py', 'file'), entry('gone', 'symlink', { linkTarget: '/x', targetKind: 'missing' })], (p) => `mllab-container://c0ffee${p}`);
  assert.deepEqual(rows.map((r) => `${r.kind} ${r.label} | ${r.description} | ${r.lazy ? 'lazy' : ''} | ${r.command?.id ?? ''}`), [
    'containerFolder artifacts | named volume ckpt, also in eval | lazy | ',
    'containerFolder latest | → artifacts | lazy | ',
    'containerFile train.py | 1.23 kB |  | mlLab.file.open',
    'containerFile gone | → /x (missing) |  | ',
  ]);
  assert.deepEqual(rows[2].command?.args, [{ containerId: 'c0ffee', path: '/usr/local/app/train.py', size: 1234 }]);
  assert.equal(rows[2].resourceUri, 'mllab-container://c0ffee/usr/local/app/train.py');
  assert.ok(rows[0].contextValue?.includes('mount;') && !rows[0].contextValue.includes('deletable;'), 'a mount point is never deletable');
  assert.match(partialListingNode(roots[3].id, files.file!.container, '/', 5000).tooltip ?? '', /reading stopped after 5 s\. Start the container to list the folder fully/);
});

test('mllab-container URIs carry the container id, the path and the engine', () => {
  const uri = containerFileUri({ containerId: 'c0ffee', path: '/usr/local/app/my notes#1.md', engine: 'ssh://gpu-box (test)' });
  assert.equal(uri, 'mllab-container://c0ffee/usr/local/app/my%20notes%231.md?engine=ssh%3A%2F%2Fgpu-box%20(test)');
  const u = new URL(uri);
  assert.deepEqual(parseContainerFileUri({ authority: u.host, path: decodeURIComponent(u.pathname), query: decodeURIComponent(u.search.slice(1)) }), { containerId: 'c0ffee', path: '/usr/local/app/my notes#1.md', engine: 'ssh://gpu-box (test)' });
  assert.throws(() => parseContainerFileUri({ authority: '', path: '/x', query: '' }), /no container id/);
});
