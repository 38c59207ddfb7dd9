import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar-stream';
import { listContextFiles, packBuildContext } from '../../src/core/build/context';
import { UserError } from '../../src/core/errors';

interface TarEntry {
  header: tar.Header;
  content: string;
}

async function readTar(stream: NodeJS.ReadableStream): Promise<Map<string, TarEntry>> {
  const entries = new Map<string, TarEntry>();
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (c: unknown) => { chunks.push(c as Buffer); });
      body.on('end', () => {
        entries.set(header.name, { header, content: Buffer.concat(chunks).toString('utf8') });
        next();
      });
    });
    extract.on('finish', () => resolve());
    extract.on('error', reject);
  });
  stream.pipe(extract as unknown as NodeJS.WritableStream);
  await done;
  return entries;
}

let root: string;
let ctx: string;

function write(rel: string, content = rel): void {
  const abs = path.join(ctx, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, content);
}

const DOCKERIGNORE = [
  '# the ML lab .dockerignore',
  'data/',
  '*.ckpt',
  '.venv',
  '!data/keep.csv',
  '**/__pycache__',
  'docs/*.md',
  '!docs/README.md',
  '/artifacts',
  '',
].join('\n');

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mllab-context-'));
  ctx = path.join(root, 'lab');
  write('train.dockerfile', 'FROM scratch\n');
  write('.dockerignore', DOCKERIGNORE);
  write('train.py', 'print("train")\n');
  write('requirements.txt', 'scikit-learn==1.2.1\n');
  write('model.ckpt');
  write('src/util.py');
  write('src/nested/deep.ckpt'); // "*.ckpt" matches the context root only, as in Docker
  write('src/__pycache__/util.cpython-311.pyc');
  write('data/keep.csv', 'a,b\n1,2\n');
  write('data/train.csv');
  write('data/big/part-0001.bin');
  write('docs/README.md');
  write('docs/guide.md');
  write('artifacts/metrics.json');
  for (let i = 0; i < 300; i++) write(`.venv/lib/python3.11/site-packages/pkg${i}/__init__.py`);
  fs.mkdirSync(path.join(ctx, 'empty'));
  fs.symlinkSync('train.py', path.join(ctx, 'run.py'));
  fs.chmodSync(path.join(ctx, 'train.py'), 0o755);
  fs.utimesSync(path.join(ctx, 'requirements.txt'), new Date('2024-01-02T03:04:05Z'), new Date('2024-01-02T03:04:05Z'));
  write('../outside/Dockerfile', 'FROM scratch\nCOPY . .\n');
});

after(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const SENT = [
  '.dockerignore',
  'data/keep.csv',
  'docs/',
  'docs/README.md',
  'empty/',
  'requirements.txt',
  'run.py',
  'src/',
  'src/nested/',
  'src/nested/deep.ckpt',
  'src/util.py',
  'train.dockerfile',
  'train.py',
];

const membershipCases: Array<{ name: string; entry: string; expected: boolean }> = [
  { name: 'sends a top-level source file', entry: 'train.py', expected: true },
  { name: 'sends the Dockerfile', entry: 'train.dockerfile', expected: true },
  { name: 'sends .dockerignore', entry: '.dockerignore', expected: true },
  { name: 'sends a file re-included by a ! exception inside an ignored folder', entry: 'data/keep.csv', expected: true },
  { name: 'leaves out other files of an ignored folder', entry: 'data/train.csv', expected: false },
  { name: 'leaves out nested files of an ignored folder', entry: 'data/big/part-0001.bin', expected: false },
  { name: 'does not send the ignored folder itself', entry: 'data/', expected: false },
  { name: 'leaves out a root-level *.ckpt', entry: 'model.ckpt', expected: false },
  { name: 'sends a nested .ckpt, since *.ckpt only matches at the root like in Docker', entry: 'src/nested/deep.ckpt', expected: true },
  { name: 'leaves out .venv and its contents', entry: '.venv/lib/python3.11/site-packages/pkg0/__init__.py', expected: false },
  { name: 'leaves out __pycache__ at any depth with **', entry: 'src/__pycache__/util.cpython-311.pyc', expected: false },
  { name: 'leaves out docs/*.md', entry: 'docs/guide.md', expected: false },
  { name: 'sends docs/README.md re-included by an exception', entry: 'docs/README.md', expected: true },
  { name: 'leaves out /artifacts (a leading slash means the context root)', entry: 'artifacts/metrics.json', expected: false },
  { name: 'sends an empty folder', entry: 'empty/', expected: true },
];

void test('packBuildContext sends exactly the expected entries', async () => {
  const packed = await packBuildContext(ctx, path.join(ctx, 'train.dockerfile'));
  const entries = await readTar(packed.stream);
  assert.deepEqual([...entries.keys()].sort(), SENT);
  const stats = await packed.stats;
  assert.equal(stats.files, 9); // files and symlinks, not folders
  assert.equal(packed.dockerfileInContext, 'train.dockerfile');
});

for (const c of membershipCases) {
  void test(`packBuildContext ${c.name}`, async () => {
    const packed = await packBuildContext(ctx, path.join(ctx, 'train.dockerfile'));
    const entries = await readTar(packed.stream);
    assert.equal(entries.has(c.entry), c.expected, c.entry);
  });
}

void test('packBuildContext keeps content, mode, mtime and sends symlinks as symlinks owned by root', async () => {
  const packed = await packBuildContext(ctx, path.join(ctx, 'train.dockerfile'));
  const entries = await readTar(packed.stream);
  const trainPy = entries.get('train.py')!;
  assert.equal(trainPy.content, 'print("train")\n');
  assert.equal(trainPy.header.type, 'file');
  assert.equal(trainPy.header.mode & 0o777, 0o755);
  assert.equal(trainPy.header.uid, 0);
  assert.equal(trainPy.header.gid, 0);
  assert.equal(entries.get('requirements.txt')!.header.mtime.toISOString(), '2024-01-02T03:04:05.000Z');
  const link = entries.get('run.py')!;
  assert.equal(link.header.type, 'symlink');
  assert.equal(link.header.linkname, 'train.py');
  assert.equal(entries.get('src/')!.header.type, 'directory');
  assert.equal(entries.get('.dockerignore')!.content, DOCKERIGNORE);
});

void test('packBuildContext counts bytes and reports what .dockerignore left out without walking ignored folders', async () => {
  const packed = await packBuildContext(ctx, path.join(ctx, 'train.dockerfile'));
  await readTar(packed.stream);
  const stats = await packed.stats;
  const expectedBytes = ['.dockerignore', 'data/keep.csv', 'docs/README.md', 'requirements.txt', 'src/nested/deep.ckpt', 'src/util.py', 'train.dockerfile', 'train.py'].reduce(
    (sum, rel) => sum + fs.statSync(path.join(ctx, rel)).size,
    0,
  );
  assert.equal(stats.bytes, expectedBytes);
  // .venv (300 files) is skipped as one folder; data/ is walked because of !data/keep.csv.
  assert.deepEqual([...(stats.excluded ?? [])].sort(), ['.venv/', 'artifacts/', 'data/big/', 'data/train.csv', 'docs/guide.md', 'model.ckpt', 'src/__pycache__/']);
  assert.equal(stats.excludedCount, 7);
});

void test('packBuildContext sends the Dockerfile and .dockerignore even when .dockerignore ignores them', async () => {
  const dir = path.join(root, 'self-ignoring');
  fs.mkdirSync(path.join(dir, 'docker'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.dockerignore'), '.dockerignore\ndocker\n*.py\n');
  fs.writeFileSync(path.join(dir, 'docker', 'train.dockerfile'), 'FROM scratch\n');
  fs.writeFileSync(path.join(dir, 'docker', 'other.txt'), 'x');
  fs.writeFileSync(path.join(dir, 'train.py'), 'x');
  const packed = await packBuildContext(dir, path.join(dir, 'docker', 'train.dockerfile'));
  const entries = await readTar(packed.stream);
  assert.deepEqual([...entries.keys()].sort(), ['.dockerignore', 'docker/train.dockerfile']);
  assert.equal(packed.dockerfileInContext, 'docker/train.dockerfile');
});

void test('packBuildContext adds a Dockerfile from outside the context under a generated name and ignores it for COPY', async () => {
  const packed = await packBuildContext(ctx, path.join(root, 'outside', 'Dockerfile'));
  const entries = await readTar(packed.stream);
  assert.match(packed.dockerfileInContext, /^\.mllab-dockerfile-[0-9a-f]{12}$/);
  assert.equal(entries.get(packed.dockerfileInContext)?.content, 'FROM scratch\nCOPY . .\n');
  assert.equal(entries.get('.dockerignore')?.content, `${DOCKERIGNORE}${packed.dockerfileInContext}\n`);
  assert.ok(entries.has('train.py') && !entries.has('model.ckpt'), 'the context is otherwise unchanged');
  const stats = await packed.stats;
  assert.equal(stats.files, 10);
});

void test('packBuildContext creates a .dockerignore for an outside Dockerfile when the context has none', async () => {
  const dir = path.join(root, 'no-ignore');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'app.py'), 'x');
  const packed = await packBuildContext(dir, path.join(root, 'outside', 'Dockerfile'));
  const entries = await readTar(packed.stream);
  assert.deepEqual([...entries.keys()].sort(), ['.dockerignore', packed.dockerfileInContext, 'app.py'].sort());
  assert.equal(entries.get('.dockerignore')?.content, `${packed.dockerfileInContext}\n`);
});

void test('packBuildContext sends everything when there is no .dockerignore', async () => {
  const dir = path.join(root, 'plain');
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
  fs.writeFileSync(path.join(dir, 'data', 'x.csv'), '1');
  const packed = await packBuildContext(dir, path.join(dir, 'Dockerfile'));
  const entries = await readTar(packed.stream);
  assert.deepEqual([...entries.keys()].sort(), ['Dockerfile', 'data/', 'data/x.csv']);
  assert.equal((await packed.stats).excludedCount, 0);
});

void test('packBuildContext leaves out a folder whose only exception does not start with its path, exactly as Docker does', async () => {
  const dir = path.join(root, 'star-exception');
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
  fs.writeFileSync(path.join(dir, '.dockerignore'), 'data\n!**/keep.csv\n');
  fs.writeFileSync(path.join(dir, 'data', 'keep.csv'), '1');
  fs.writeFileSync(path.join(dir, 'keep.csv'), '1');
  assert.deepEqual(await listContextFiles(dir, path.join(dir, 'Dockerfile')), ['.dockerignore', 'Dockerfile', 'keep.csv']);
});

void test('packBuildContext matches patterns case-sensitively, as Docker on Linux', async () => {
  const dir = path.join(root, 'case');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
  fs.writeFileSync(path.join(dir, '.dockerignore'), 'data.csv\n');
  fs.writeFileSync(path.join(dir, 'Data.csv'), '1');
  fs.writeFileSync(path.join(dir, 'data.csv'), '1');
  assert.deepEqual(await listContextFiles(dir), ['.dockerignore', 'Data.csv', 'Dockerfile']);
});

void test('listContextFiles lists files after .dockerignore, sorted, without folders', async () => {
  assert.deepEqual(await listContextFiles(ctx, path.join(ctx, 'train.dockerfile')), SENT.filter((e) => !e.endsWith('/')));
});

void test('listContextFiles includes the generated name of an outside Dockerfile', async () => {
  const files = await listContextFiles(ctx, path.join(root, 'outside', 'Dockerfile'));
  assert.ok(files.some((f) => /^\.mllab-dockerfile-[0-9a-f]{12}$/.test(f)));
});

const errorCases: Array<{ name: string; context: () => string; dockerfile: () => string; expected: RegExp }> = [
  { name: 'rejects a missing context folder', context: () => path.join(root, 'nope'), dockerfile: () => path.join(ctx, 'train.dockerfile'), expected: /build context folder .*nope does not exist/ },
  { name: 'rejects a file as context folder', context: () => path.join(ctx, 'train.py'), dockerfile: () => path.join(ctx, 'train.dockerfile'), expected: /is not a folder/ },
  { name: 'rejects a missing Dockerfile', context: () => ctx, dockerfile: () => path.join(ctx, 'Dockerfile.missing'), expected: /The Dockerfile .*Dockerfile\.missing does not exist/ },
  { name: 'rejects a folder as Dockerfile', context: () => ctx, dockerfile: () => path.join(ctx, 'src'), expected: /is not a file/ },
];

for (const c of errorCases) {
  void test(`packBuildContext ${c.name}`, async () => {
    await assert.rejects(packBuildContext(c.context(), c.dockerfile()), (err: unknown) => err instanceof UserError && c.expected.test(err.message));
  });
}
