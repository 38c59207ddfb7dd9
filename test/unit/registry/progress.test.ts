/** Push/pull progress aggregation from recorded Engine API streams, WWW-Authenticate parsing, auth-failure detection. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TransferProgress, describeTransfer, isAuthFailureMessage } from '../../../src/core/registry/progress';
import { parseWwwAuthenticate } from '../../../src/core/registry/challenge';

const DIGEST = 'sha256:4ca57770895aece8704b1c776df9a2c489ec15dfe75fb104fb79e70536e69429';
/** Recorded from dockerd 20.10 pushing mllab-test/busybox:1 to a local registry. */
const push = [
  { status: 'The push refers to repository [127.0.0.1:36285/mllab-try/busybox]' },
  { status: 'Preparing', progressDetail: {}, id: '32929f127bef' },
  { status: 'Preparing', progressDetail: {}, id: '2d23ec836086' },
  { status: 'Pushing', progressDetail: { current: 512, total: 3216 }, progress: '[=======>   ]     512B/3.216kB', id: '32929f127bef' },
  { status: 'Pushing', progressDetail: { current: 138752, total: 3216 }, progress: '[=====>]  138.8kB', id: '32929f127bef' },
  { status: 'Pushing', progressDetail: { current: 33792, total: 1982256 }, progress: '[>   ]  33.79kB/1.982MB', id: '2d23ec836086' },
  { status: 'Pushing', progressDetail: { current: 1984512, total: 1982256 }, progress: '[====>]  1.985MB', id: '2d23ec836086' },
  { status: 'Pushed', progressDetail: {}, id: '32929f127bef' },
  { status: 'Pushed', progressDetail: {}, id: '2d23ec836086' },
  { status: `1: digest: ${DIGEST} size: 736` },
  { progressDetail: {}, aux: { Tag: '1', Digest: DIGEST, Size: 736 } },
];
/** The shape dockerd 20.10 streams for a pull with one layer present and one new. */
const pull = [
  { status: 'Pulling from mllab/busybox', id: '1' },
  { status: 'Already exists', progressDetail: {}, id: 'aaaaaaaaaaaa' },
  { status: 'Pulling fs layer', progressDetail: {}, id: 'bbbbbbbbbbbb' },
  { status: 'Downloading', progressDetail: { current: 1000, total: 4000 }, progress: '[==>  ]', id: 'bbbbbbbbbbbb' },
  { status: 'Downloading', progressDetail: { current: 3000, total: 4000 }, progress: '[====>  ]', id: 'bbbbbbbbbbbb' },
  { status: 'Verifying Checksum', progressDetail: {}, id: 'bbbbbbbbbbbb' },
  { status: 'Download complete', progressDetail: {}, id: 'bbbbbbbbbbbb' },
  { status: 'Extracting', progressDetail: { current: 4000, total: 9000 }, id: 'bbbbbbbbbbbb' },
  { status: 'Pull complete', progressDetail: {}, id: 'bbbbbbbbbbbb' },
  { status: `Digest: ${DIGEST}` },
  { status: 'Status: Downloaded newer image for 127.0.0.1:5000/mllab/busybox:1' },
];

describe('TransferProgress', () => {
  it('sums per-layer bytes of a push and takes the digest from aux.Digest', () => {
    const p = new TransferProgress();
    const lines = push.map((m) => p.add(m)).filter(Boolean);
    const s = p.snapshot();
    assert.equal(s.layers, 2);
    assert.equal(s.layersDone, 2);
    assert.equal(s.totalBytes, 3216 + 1982256);
    assert.equal(s.currentBytes, s.totalBytes, 'a pushed layer counts in full (current is clamped to total)');
    assert.equal(p.digest, DIGEST);
    assert.equal(p.error, undefined);
    assert.ok(lines.includes('2d23ec836086: Pushed'));
    assert.ok(!lines.some((l) => l?.startsWith('2d23ec836086: Pushing')), 'byte updates are not output lines');
  });
  it('reports bytes part-way through', () => {
    const p = new TransferProgress();
    for (const m of push.slice(0, 6)) p.add(m);
    assert.deepEqual(p.snapshot(), { currentBytes: 3216 + 33792, totalBytes: 3216 + 1982256, layers: 2, layersDone: 0, layersSkipped: 0 });
    assert.match(describeTransfer(p.snapshot()), /^37 kB \/ 1\.99 MB · 0\/2 layers$/);
  });
  it('counts download bytes of a pull, skips layers already there, and reads "Digest:"', () => {
    const p = new TransferProgress();
    for (const m of pull.slice(0, 5)) p.add(m);
    assert.deepEqual(p.snapshot(), { currentBytes: 3000, totalBytes: 4000, layers: 2, layersDone: 1, layersSkipped: 1 });
    for (const m of pull.slice(5)) p.add(m);
    assert.deepEqual(p.snapshot(), { currentBytes: 4000, totalBytes: 4000, layers: 2, layersDone: 2, layersSkipped: 1 });
    assert.equal(p.digest, DIGEST);
    assert.match(describeTransfer(p.snapshot()), /2\/2 layers \(1 already there\)/);
  });
  it('keeps the stream error', () => {
    const p = new TransferProgress();
    p.add({ status: 'Preparing', id: 'x' });
    assert.equal(p.add({ errorDetail: { message: 'no basic auth credentials' }, error: 'no basic auth credentials' }), 'error: no basic auth credentials');
    assert.equal(p.error, 'no basic auth credentials');
  });
  it('ignores what is not a message', () => {
    const p = new TransferProgress();
    assert.equal(p.add(null), undefined);
    assert.equal(p.add('text'), undefined);
  });
});

describe('isAuthFailureMessage', () => {
  for (const m of ['unauthorized: authentication required', 'no basic auth credentials', 'denied: requested access to the resource is denied', 'Get "https://x/v2/": unauthorized: incorrect username or password']) {
    it(`recognises "${m}"`, () => assert.equal(isAuthFailureMessage(m), true));
  }
  for (const m of ['manifest unknown', 'connect: connection refused', 'An image does not exist locally with the tag: x']) {
    it(`does not take "${m}" for one`, () => assert.equal(isAuthFailureMessage(m), false));
  }
});

describe('parseWwwAuthenticate', () => {
  const cases: Array<{ header: string; expected: ReturnType<typeof parseWwwAuthenticate> }> = [
    { header: 'Basic realm="mllab-test"', expected: [{ scheme: 'basic', params: { realm: 'mllab-test' } }] },
    {
      header: 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull"',
      expected: [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/ubuntu:pull' } }],
    },
    { header: 'Bearer realm="https://x/token", scope="repository:a/b:pull,push"', expected: [{ scheme: 'bearer', params: { realm: 'https://x/token', scope: 'repository:a/b:pull,push' } }] },
    { header: 'Basic realm="a", Bearer realm="b",service=reg', expected: [{ scheme: 'basic', params: { realm: 'a' } }, { scheme: 'bearer', params: { realm: 'b', service: 'reg' } }] },
    { header: 'Basic realm="say \\"hi\\""', expected: [{ scheme: 'basic', params: { realm: 'say "hi"' } }] },
    { header: '', expected: [] },
  ];
  for (const c of cases) it(`parses ${JSON.stringify(c.header).slice(0, 60)}`, () => assert.deepEqual(parseWwwAuthenticate(c.header), c.expected));
});
