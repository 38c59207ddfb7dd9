/**
 * Engine tier: a container's files one at a time (src/engine/files.ts), on the local engine and
 * on a second dockerd in a network namespace reached over SSH and TCP+TLS (test/support/remoteEngine.ts):
 * list a folder of a running container (exec of find) and of a stopped one (the archive
 * stream), and get the same entries; stat; read; write back and find the bytes, mode and owner
 * as they were; new file and folder; delete; and the failures each said as one case
 * (missing path, read-only file system, container removed, stopped container).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Engine } from '../../src/engine/engine';
import { ContainerFileError } from '../../src/core/files/errors';
import { sortEntries, type ContainerFileEntry } from '../../src/core/files/listing';
import { useRemoteEngines } from '../support/remoteEngine';
import { BASE_IMAGE, TEST_LABEL, cleanup, runId, testEngine } from '../support/fixtures';

const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const RUN = runId('files');
const labels = { [TEST_LABEL]: RUN };
const canMakeMachines = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

/** A folder /data: a text file 0640 owned by 1000:1000, a sub folder, a symlink to it, a dangling symlink, a name with a space and one with a newline. */
const MAKE_DATA = [
  'mkdir -p /data/sub/deeper && printf "lr: 0.1\\nepochs: 10\\n" > /data/config.yaml && chmod 640 /data/config.yaml && chown 1000:1000 /data/config.yaml',
  'printf x > "/data/with space.txt" && nl=$(printf "\\nx") && nl=\${nl%x} && printf y > "/data/new\${nl}line" && ln -s sub /data/latest && ln -s /nowhere /data/dangling',
  'head -c 5000 /dev/zero > /data/sub/weights.bin && echo ok > /data/sub/deeper/leaf.txt',
].join(' && ');

/** The fields two listings of one folder share, by name (mtime to the second: find gives fractions, tar whole seconds). */
function shape(entries: ContainerFileEntry[]): Record<string, string> {
  return Object.fromEntries(entries.map((e) => [e.name, `${e.kind} ${e.mode.toString(8)} ${e.uid}:${e.gid} ${e.kind === 'dir' ? '' : e.size} ${e.linkTarget ?? ''} ${e.targetKind ?? ''} ${Math.floor(e.mtimeMs / 1000)}`]));
}

function fileSuite(name: string, getEngine: () => Engine, docker: (args: string[]) => string, image: () => string): void {
  const cname = (what: string) => `mllab-files-${name}-${what}-${RUN}`;

  it(`${name}: lists a folder of a running container (exec) and of the same container stopped (archive): the same entries`, async () => {
    const e = getEngine();
    const { id } = await e.runContainer({ image: image(), name: cname('list'), cmd: ['sh', '-c', `${MAKE_DATA} && sleep 300`], ports: [], mounts: [], labels, bindAddress: '127.0.0.1' });
    for (let i = 0; i < 50 && !(await e.statContainerPath(id, '/data/sub/deeper/leaf.txt')); i++) await new Promise((r) => setTimeout(r, 100));
    const running = await e.listContainerFolder(id, '/data');
    assert.equal(running.via, 'exec');
    assert.equal(running.complete, true);
    const byName = Object.fromEntries(running.entries.map((x) => [x.name, x]));
    assert.deepEqual(Object.keys(byName).sort(), ['config.yaml', 'dangling', 'latest', 'new\nline', 'sub', 'with space.txt']);
    assert.deepEqual({ ...byName['config.yaml'], mtimeMs: 0 }, { name: 'config.yaml', path: '/data/config.yaml', kind: 'file', size: 19, mode: 0o640, uid: 1000, gid: 1000, mtimeMs: 0 });
    assert.equal(byName.latest.kind, 'symlink');
    assert.equal(byName.latest.linkTarget, 'sub');
    assert.equal(byName.latest.targetKind, 'dir');
    assert.equal(byName.dangling.targetKind, 'missing');
    assert.equal(byName['new\nline'].path, '/data/new\nline');
    assert.ok(Math.abs(byName['config.yaml'].mtimeMs - Date.now()) < 120_000, 'mtime is in ms and recent');
    // through the symlink: the folder's entries, named under the path asked for
    assert.deepEqual((await e.listContainerFolder(id, '/data/latest')).entries.map((x) => x.path).sort(), ['/data/latest/deeper', '/data/latest/weights.bin']);
    // the working folder first, then folders (and links to folders), then files
    assert.deepEqual(sortEntries(running.entries, { workdir: '/data/sub' }).map((x) => x.name), ['sub', 'latest', 'config.yaml', 'dangling', 'new\nline', 'with space.txt']);

    await e.stopContainer(id, 0);
    const stopped = await e.listContainerFolder(id, '/data');
    assert.equal(stopped.via, 'archive');
    assert.equal(stopped.complete, true);
    assert.deepEqual(shape(stopped.entries), shape(running.entries));
    // the subtree was indexed from the same stream: a subfolder lists from memory
    const sub = await e.listContainerFolder(id, '/data/sub');
    assert.equal(sub.via, 'cache');
    assert.deepEqual(sub.entries.map((x) => `${x.name} ${x.kind}${x.kind === 'file' ? ` ${x.size}` : ''}`).sort(), ['deeper dir', 'weights.bin file 5000']);
    await assert.rejects(e.listContainerFolder(id, '/data/nothing'), (err: unknown) => err instanceof ContainerFileError && err.reason === 'missingPath' && /\/data\/nothing: it does not exist in container/.test(err.message));
    await assert.rejects(e.listContainerFolder(id, '/data/config.yaml'), (err: unknown) => err instanceof ContainerFileError && err.reason === 'notFolder');
  });

  it(`${name}: stat, read, write back: bytes, mode and owner kept; new file and folder get the folder's owner`, async () => {
    const e = getEngine();
    const { id } = await e.runContainer({ image: image(), name: cname('rw'), cmd: ['sh', '-c', `${MAKE_DATA} && chown 1000:1000 /data/sub && sleep 300`], ports: [], mounts: [], labels, bindAddress: '127.0.0.1' });
    for (let i = 0; i < 50 && !(await e.statContainerPath(id, '/data/sub/deeper/leaf.txt')); i++) await new Promise((r) => setTimeout(r, 100));
    const st = await e.statContainerFile(id, '/data/config.yaml');
    assert.deepEqual({ ...st, mtimeMs: st.mtimeMs > 0 }, { kind: 'file', size: 19, mode: 0o640, mtimeMs: true, isSymlink: false, resolvedPath: '/data/config.yaml' });
    const linked = await e.statContainerFile(id, '/data/latest');
    assert.equal(linked.kind, 'dir');
    assert.equal(linked.isSymlink, true);
    assert.equal(linked.resolvedPath, '/data/sub');
    const read = await e.readContainerFile(id, '/data/config.yaml');
    assert.equal(read.content.toString('utf8'), 'lr: 0.1\nepochs: 10\n');
    assert.deepEqual([read.mode, read.uid, read.gid], [0o640, 1000, 1000]);

    await e.writeContainerFile(id, '/data/config.yaml', Buffer.from('lr: 0.05\nepochs: 10\n'), { create: false, overwrite: true });
    assert.equal(docker(['exec', id, 'cat', '/data/config.yaml']), 'lr: 0.05\nepochs: 10');
    assert.equal(docker(['exec', id, 'stat', '-c', '%a %u %g', '/data/config.yaml']), '640 1000 1000');
    // binary bytes round trip, through a symlink to the folder
    const bytes = randomBytes(300_000);
    await e.writeContainerFile(id, '/data/latest/weights.bin', bytes, { create: false, overwrite: true });
    assert.ok((await e.readContainerFile(id, '/data/sub/weights.bin')).content.equals(bytes));
    assert.equal(docker(['exec', id, 'sh', '-c', 'stat -c "%s %a" /data/sub/weights.bin && [ -L /data/latest ] && echo still-a-link']), `300000 644\nstill-a-link`);

    await e.writeContainerFile(id, '/data/sub/notes.md', Buffer.from('# notes\n'), { create: true, overwrite: false });
    assert.equal(docker(['exec', id, 'stat', '-c', '%a %u %g', '/data/sub/notes.md']), '644 1000 1000', 'a new file: 0644, owned as its folder');
    await assert.rejects(e.writeContainerFile(id, '/data/sub/notes.md', Buffer.from('x'), { create: true, overwrite: false }), (err: unknown) => err instanceof ContainerFileError && err.reason === 'exists');
    await assert.rejects(e.writeContainerFile(id, '/data/none.txt', Buffer.from('x'), { create: false, overwrite: true }), (err: unknown) => err instanceof ContainerFileError && err.reason === 'missingPath');
    await assert.rejects(e.writeContainerFile(id, '/nowhere/x.txt', Buffer.from('x'), { create: true, overwrite: true }), (err: unknown) => err instanceof ContainerFileError && err.reason === 'missingPath' && /its folder \/nowhere does not exist/.test(err.message));
    await assert.rejects(e.readContainerFile(id, '/data/sub'), (err: unknown) => err instanceof ContainerFileError && err.reason === 'isFolder');
    await e.makeContainerFolder(id, '/data/sub/runs');
    assert.equal(docker(['exec', id, 'stat', '-c', '%F %a %u', '/data/sub/runs']), 'directory 755 1000');
    await assert.rejects(e.makeContainerFolder(id, '/data/sub/runs'), (err: unknown) => err instanceof ContainerFileError && err.reason === 'exists');

    await e.deleteContainerPath(id, '/data/sub/notes.md', { recursive: false });
    await e.deleteContainerPath(id, '/data/sub', { recursive: true });
    assert.equal(docker(['exec', id, 'sh', '-c', 'ls /data/sub 2>&1 || true']).includes('No such file'), true);
    await assert.rejects(e.deleteContainerPath(id, '/data/sub', { recursive: true }), (err: unknown) => err instanceof ContainerFileError && err.reason === 'missingPath');

    await e.stopContainer(id, 0);
    // a stopped container: reading and writing work (archive), deleting cannot
    await e.writeContainerFile(id, '/data/config.yaml', Buffer.from('stopped edit\n'), { create: false, overwrite: true });
    assert.equal((await e.readContainerFile(id, '/data/config.yaml')).content.toString(), 'stopped edit\n');
    await assert.rejects(e.deleteContainerPath(id, '/data/config.yaml', { recursive: false }), (err: unknown) => err instanceof ContainerFileError && err.reason === 'notRunning' && /is stopped, and files can be deleted only while it runs/.test(err.message));

    await e.removeContainer(id, { force: true });
    await assert.rejects(e.readContainerFile(id, '/data/config.yaml'), (err: unknown) => err instanceof ContainerFileError && err.reason === 'containerGone' && /no longer exists/.test(err.message));
    await assert.rejects(e.writeContainerFile(id, '/data/config.yaml', Buffer.from('x'), { create: false, overwrite: true }), (err: unknown) => err instanceof ContainerFileError && err.reason === 'containerGone');
  });
}

describe('a container\'s files (HEAD/GET/PUT /containers/{id}/archive, exec)', () => {
  const local = testEngine();
  after(() => cleanup(local, RUN, []));
  const cli = (args: string[]) => {
    const r = spawnSync('docker', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };

  fileSuite('local-busybox', () => local, cli, () => TINY);
  fileSuite('local-debian', () => local, cli, () => BASE_IMAGE);

  it('local: a read-only root file system is said as such, and nothing is written', async () => {
    const name = `mllab-files-ro-${RUN}`;
    const id = cli(['run', '-d', '--read-only', '--label', `${TEST_LABEL}=${RUN}`, '--name', name, TINY, 'sleep', '300']);
    await assert.rejects(local.writeContainerFile(id, '/etc/hostname.new', Buffer.from('x'), { create: true, overwrite: false }),
      (err: unknown) => err instanceof ContainerFileError && err.reason === 'readOnly' && /read-only file system/.test(err.message));
    await assert.rejects(local.writeContainerFile(id, '/bin/true', Buffer.from('x'), { create: false, overwrite: true }), (err: unknown) => err instanceof ContainerFileError && err.reason === 'readOnly');
    await assert.rejects(local.deleteContainerPath(id, '/bin/true', { recursive: false }), (err: unknown) => err instanceof ContainerFileError && err.reason === 'readOnly');
  });

  it('local: a folder of a stopped container too big for the time budget lists what arrived and says it is partial', async () => {
    const name = `mllab-files-big-${RUN}`;
    const id = cli(['run', '-d', '--label', `${TEST_LABEL}=${RUN}`, '--name', name, TINY, 'sh', '-c', 'mkdir -p /big/a /big/z && i=0; while [ $i -lt 60 ]; do head -c 1000000 /dev/urandom > /big/a/f$i; i=$((i+1)); done; touch /big/z/last; sleep 300']);
    for (let i = 0; i < 100 && !(await local.statContainerPath(id, '/big/z/last')); i++) await new Promise((r) => setTimeout(r, 200));
    cli(['stop', '-t', '0', id]);
    const partial = await local.listContainerFolder(id, '/big', { archiveBudgetMs: 1 });
    assert.equal(partial.complete, false);
    const full = await local.listContainerFolder(id, '/big');
    assert.equal(full.complete, true);
    assert.deepEqual(full.entries.map((x) => x.name).sort(), ['a', 'z']);
  });

  describe('over SSH and TCP+TLS (a dockerd in a network namespace)', { skip: !canMakeMachines && 'needs root and iproute2 (scripts/setup/remote.sh)' }, () => {
    const machine = useRemoteEngines('files', [TINY]);
    fileSuite('ssh', machine.ssh, (args) => machine.remote().docker(args), () => TINY);
    fileSuite('tls', machine.tls, (args) => machine.remote().docker(args), () => TINY);
  });
});
