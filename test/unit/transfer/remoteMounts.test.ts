import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { bindMounts, describeDownloads, describeSource, isRemoteEngine, mountsAsCopies, mountsAsVolumes, remoteMountWarning } from '../../../src/core/transfer/remoteMounts';
import type { RunRequest } from '../../../src/core/run/createOptions';

const WS = '/home/me/iris';
const req: RunRequest = {
  image: 'iris-train:v1',
  name: 'iris-train',
  bindAddress: '127.0.0.1',
  ports: [],
  mounts: [
    { type: 'bind', source: `${WS}/data`, target: '/app/data', readOnly: true },
    { type: 'bind', source: `${WS}/artifacts`, target: '/app/artifacts', readOnly: false },
    { type: 'volume', source: 'pip-cache', target: '/root/.cache', readOnly: false },
  ],
};

test('remote engines: ssh:// and tcp:// are remote, a unix socket is not', () => {
  assert.equal(isRemoteEngine({ kind: 'socket', socketPath: '/var/run/docker.sock' }), false);
  assert.equal(isRemoteEngine({ kind: 'ssh', host: 'gpu-box' }), true);
  assert.equal(isRemoteEngine({ kind: 'tcp', host: '10.0.0.2', port: 2376 }), true);
});

test('only bind mounts are listed; named volumes live on the engine anyway', () => {
  assert.deepEqual(bindMounts(req).map((m) => m.target), ['/app/data', '/app/artifacts']);
});

test('the warning names each bind mount in its workspace-relative form and the remote folder it would mount', () => {
  const w = remoteMountWarning(bindMounts(req), 'ssh://gpu-box', WS);
  assert.match(w.message, /These 2 bind mounts name folders on the engine's machine \(ssh:\/\/gpu-box\), not this workspace/);
  assert.match(w.detail, /• \.\/data -> \/app\/data \(read-only\): mounts \/home\/me\/iris\/data of the engine's machine/);
  assert.match(w.detail, /• \.\/artifacts -> \/app\/artifacts: mounts/);
  assert.match(w.detail, /Copy Instead: .*Use Named Volumes: .*Run Anyway: /s);
});

test('Copy Instead: bind mounts become uploads (when the folder exists) and downloads (when writable)', () => {
  const copied = mountsAsCopies(req, (p) => p.endsWith('/data'));
  assert.deepEqual(copied.mounts.map((m) => m.source), ['pip-cache']);
  assert.deepEqual(copied.upload?.map((u) => [u.local, u.container]), [[`${WS}/data`, '/app/data']]);
  assert.deepEqual(copied.download?.map((d) => [d.container, d.local]), [['/app/artifacts', `${WS}/artifacts`]]);
});

test('Use Named Volumes: each bind mount becomes a volume named after the container and folder', () => {
  assert.deepEqual(mountsAsVolumes(req).mounts.map((m) => `${m.type} ${m.source} ${m.target} ${m.readOnly}`), [
    'volume iris-train-data /app/data true',
    'volume iris-train-artifacts /app/artifacts false',
    'volume pip-cache /root/.cache false',
  ]);
});

test('downloads are described with counts and sizes', () => {
  assert.equal(describeDownloads([{ local: `${WS}/artifacts`, files: 12, bytes: 3_400_000, refused: 0 }, { local: '/tmp/m.pt', files: 1, bytes: 10, refused: 2 }], WS),
    './artifacts (12 files, 3.4 MB), /tmp/m.pt (1 file, 10 B, 2 unsafe entries not written)');
  assert.equal(describeSource(WS, WS), '.');
});
