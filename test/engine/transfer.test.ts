/**
 * Engine tier: Upload to Container and Download Artifacts through the Engine API
 * (`PUT`/`GET /containers/{id}/archive`), the same round trip against the local engine and a
 * second dockerd in a network namespace (test/support/remoteEngine.ts) over TCP+TLS and over
 * SSH: file contents, permission bits and symlinks come back as they went in; a container path
 * that escapes (absolute symlinks, `..` symlinks) is refused and named; existing files are
 * reported before anything is overwritten.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import { useRemoteEngines } from '../support/remoteEngine';
import { TEST_LABEL, cleanup, runId, testEngine } from '../support/fixtures';

const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const RUN = runId('transfer');
const labels = { [TEST_LABEL]: RUN };
const canMakeMachines = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

/** A workspace `data` folder: text, binary, modes 0755/0640/0600, a nested folder, a relative symlink. */
function makeData(root: string): string {
  const data = path.join(root, 'data');
  mkdirSync(path.join(data, 'nested', 'deeper'), { recursive: true });
  writeFileSync(path.join(data, 'train.csv'), 'x,y\n1,2\n3,4\n');
  writeFileSync(path.join(data, 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(path.join(data, 'run.sh'), 0o755);
  writeFileSync(path.join(data, 'nested', 'weights.bin'), randomBytes(300_000));
  chmodSync(path.join(data, 'nested', 'weights.bin'), 0o640);
  writeFileSync(path.join(data, 'nested', 'deeper', 'secret.txt'), 'only me\n');
  chmodSync(path.join(data, 'nested', 'deeper', 'secret.txt'), 0o600);
  symlinkSync('nested/weights.bin', path.join(data, 'latest.bin'));
  return data;
}

/** Every entry under `dir`: relative path -> kind, permission bits, and content or link target. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const abs = path.join(dir, r);
      const st = lstatSync(abs);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[r] = `link -> ${readlinkSync(abs)}`;
      else if (st.isDirectory()) {
        out[r] = `dir ${mode}`;
        walk(r);
      } else out[r] = `file ${mode} ${readFileSync(abs).toString('base64').slice(0, 40)} ${st.size}`;
    }
  };
  walk('');
  return out;
}

/** Round trip on one engine; `docker` runs the CLI against the same engine to look inside. */
function roundTrip(name: string, getEngine: () => Engine, docker: (args: string[]) => string): void {
  it(`${name}: upload a folder into a created container, start it, download it back: contents, modes and symlinks equal`, async () => {
    const e = getEngine();
    const ws = mkdtempSync(path.join(tmpdir(), 'mllab-xfer-ws-'));
    try {
      const data = makeData(ws);
      const { id } = await e.createContainer({ image: TINY, name: `mllab-xfer-${name.replace(/[^a-z0-9]/g, "-")}-${RUN}`, cmd: ['sleep', '120'], ports: [], mounts: [], labels, bindAddress: '127.0.0.1' });
      const progress: number[] = [];
      // /app does not exist in busybox: the upload makes /app and /app/data.
      const up = await e.uploadToContainer(id, data, '/app/data', { onProgress: (p) => progress.push(p.bytes) });
      assert.equal(up.files, 5);
      assert.equal(up.bytes, ['train.csv', 'run.sh', 'nested/weights.bin', 'nested/deeper/secret.txt'].reduce((n, f) => n + statSync(path.join(data, f)).size, 0));
      assert.ok(up.wireBytes > up.bytes, `tar bytes ${up.wireBytes} > content ${up.bytes}`);
      assert.equal(progress.at(-1), up.wireBytes, 'the last progress report is every byte sent');
      await e.startContainer(id);
      // Inside the container: the folder's contents are /app/data (a bind mount's meaning), modes kept.
      const ls = docker(['exec', id, 'sh', '-c', 'cd /app/data && stat -c "%n %a" run.sh nested/weights.bin nested/deeper/secret.txt && readlink latest.bin && sh run.sh']);
      assert.match(ls, /^run\.sh 755$/m);
      assert.match(ls, /^nested\/weights\.bin 640$/m);
      assert.match(ls, /^nested\/deeper\/secret\.txt 600$/m);
      assert.match(ls, /^nested\/weights\.bin$/m);
      assert.match(ls, /^hi$/m);
      // The container writes an artifact; the download brings back the data and it.
      docker(['exec', id, 'sh', '-c', 'echo "acc=0.97" > /app/data/nested/metrics.txt && chmod 604 /app/data/nested/metrics.txt']);
      const back = path.join(ws, 'artifacts');
      const got: number[] = [];
      const down = await e.downloadFromContainer(id, '/app/data', back, { onProgress: (p) => got.push(p.bytes) });
      assert.ok(down);
      assert.deepEqual(down.refused, []);
      assert.equal(down.files, 6);
      assert.equal(down.bytes, up.bytes + 9);
      assert.equal(got.at(-1), down.wireBytes);
      const expected = { ...snapshot(data), 'nested/metrics.txt': `file 604 ${Buffer.from('acc=0.97\n').toString('base64')} 9` };
      assert.deepEqual(snapshot(back), expected);
      // No staging folder is left beside the target.
      assert.deepEqual(readdirSync(ws).sort(), ['artifacts', 'data']);

      // A second download finds the files there: it names them, and 'keep' leaves a changed file alone.
      writeFileSync(path.join(back, 'train.csv'), 'changed locally\n');
      let asked: string[] = [];
      const kept = await e.downloadFromContainer(id, '/app/data', back, { decide: async (existing) => ((asked = existing), 'keep') });
      assert.ok(kept);
      assert.ok(asked.includes('train.csv') && asked.includes('nested/weights.bin') && asked.includes('latest.bin'), asked.join(', '));
      assert.equal(readFileSync(path.join(back, 'train.csv'), 'utf8'), 'changed locally\n');
      const cancelled = await e.downloadFromContainer(id, '/app/data', back, { decide: async () => 'cancel' });
      assert.equal(cancelled, undefined);
      assert.equal(readFileSync(path.join(back, 'train.csv'), 'utf8'), 'changed locally\n');
      const over = await e.downloadFromContainer(id, '/app/data', back, { decide: async () => 'overwrite' });
      assert.ok(over?.overwritten.includes('train.csv'));
      assert.equal(readFileSync(path.join(back, 'train.csv'), 'utf8'), 'x,y\n1,2\n3,4\n');
      assert.deepEqual(readdirSync(ws).sort(), ['artifacts', 'data']);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });
}

describe('Upload to Container and Download Artifacts (PUT/GET /containers/{id}/archive)', () => {
  const local = testEngine();
  after(() => cleanup(local, RUN, []));

  roundTrip('local', () => local, (args) => {
    const r = spawnSync('docker', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  });

  it('local: a single file upload onto an existing folder and a file download into a workspace path', async () => {
    const ws = mkdtempSync(path.join(tmpdir(), 'mllab-xfer-ws-'));
    try {
      writeFileSync(path.join(ws, 'config.yaml'), 'lr: 0.1\n');
      const { id } = await local.createContainer({ image: TINY, name: `mllab-xfer-file-${RUN}`, cmd: ['true'], ports: [], mounts: [], labels, bindAddress: '127.0.0.1' });
      // Onto an existing folder: into it, under its own name (as docker cp).
      const up = await local.uploadToContainer(id, path.join(ws, 'config.yaml'), '/etc');
      assert.equal(up.files, 1);
      const stat = (p: string) => local.statContainerPath(id, p).then((s) => s && { kind: s.kind, size: s.size });
      assert.deepEqual(await stat('/etc/config.yaml'), { kind: 'file', size: 8 });
      // Onto a missing path: it becomes that path, its missing folders made.
      await local.uploadToContainer(id, path.join(ws, 'config.yaml'), '/cfg/run/lr.yaml');
      assert.deepEqual(await stat('/cfg/run'), { kind: 'dir', size: 4096 });
      assert.deepEqual(await stat('/cfg/run/lr.yaml'), { kind: 'file', size: 8 });
      await assert.rejects(local.uploadToContainer(id, ws, '/bin/busybox'), /\/bin\/busybox is a file in the container/);
      const down = await local.downloadFromContainer(id, '/etc/config.yaml', path.join(ws, 'out', 'copy.yaml'));
      assert.equal(down?.path, path.join(ws, 'out', 'copy.yaml'));
      assert.equal(readFileSync(path.join(ws, 'out', 'copy.yaml'), 'utf8'), 'lr: 0.1\n');
      await assert.rejects(local.downloadFromContainer(id, '/no/such/dir', path.join(ws, 'x')), /The container has no \/no\/such\/dir/);
      assert.equal(existsSync(path.join(ws, 'x')), false);
      assert.equal(await local.statContainerPath(id, '/no/such/dir'), undefined);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });

  it('local: entries that would land outside the target (absolute and ".." symlinks, paths through them) are refused and named; the rest is written', async () => {
    const ws = mkdtempSync(path.join(tmpdir(), 'mllab-xfer-ws-'));
    try {
      const { id } = await local.runContainer({
        image: TINY, name: `mllab-xfer-evil-${RUN}`, ports: [], mounts: [], labels, bindAddress: '127.0.0.1',
        cmd: ['sh', '-c', 'mkdir -p /out/sub && echo ok > /out/good.txt && ln -s /etc/passwd /out/passwd && ln -s ../../etc /out/sub/up && ln -s . /out/here && sleep 60'],
      });
      await new Promise((r) => setTimeout(r, 1000));
      const target = path.join(ws, 'artifacts');
      const down = await local.downloadFromContainer(id, '/out', target);
      assert.ok(down);
      const refused = Object.fromEntries(down.refused.map((r) => [r.name, r.reason]));
      assert.match(refused['out/passwd'] ?? '', /absolute path, outside the target folder/);
      assert.match(refused['out/sub/up'] ?? '', /outside the target folder/);
      assert.equal(readFileSync(path.join(target, 'good.txt'), 'utf8'), 'ok\n');
      assert.equal(existsSync(path.join(target, 'passwd')), false);
      assert.equal(existsSync(path.join(target, 'sub', 'up')), false);
      assert.equal(readlinkSync(path.join(target, 'here')), '.', 'a symlink inside the target is kept');
      assert.ok(statSync(path.join(target, 'sub')).isDirectory());
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });

  it('local: a cancelled download writes nothing, not even its staging folder', async () => {
    const ws = mkdtempSync(path.join(tmpdir(), 'mllab-xfer-ws-'));
    try {
      const { id } = await local.runContainer({
        image: TINY, name: `mllab-xfer-cancel-${RUN}`, ports: [], mounts: [], labels, bindAddress: '127.0.0.1',
        cmd: ['sh', '-c', 'mkdir /big && i=0; while [ $i -lt 40 ]; do head -c 1000000 /dev/urandom > /big/f$i; i=$((i+1)); done; touch /big/done; sleep 60'],
      });
      for (let i = 0; i < 100 && !(await local.statContainerPath(id, '/big/done')); i++) await new Promise((r) => setTimeout(r, 200));
      const abort = new AbortController();
      await assert.rejects(
        local.downloadFromContainer(id, '/big', path.join(ws, 'big'), { signal: abort.signal, onProgress: (p) => { if (p.bytes > 0) abort.abort(); } }),
        (err: unknown) => (err as { kind?: string }).kind === 'cancelled',
      );
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(readdirSync(ws), [], 'no target and no staging folder');
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });

  describe('against a second machine (a dockerd in a network namespace)', { skip: !canMakeMachines && 'needs root and iproute2 (scripts/setup/remote.sh)' }, () => {
    const machine = useRemoteEngines('xfer', [TINY]);
    roundTrip('tcp+tls', machine.tls, (args) => machine.remote().docker(args));
    roundTrip('ssh', machine.ssh, (args) => machine.remote().docker(args));
  });
});
