import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricStream } from '../../../src/core/logs/metrics';
import { alignSeries, compareTable, exportCsv, finished, newRecord, overCap, parseRecord, rerunRequest, withMetrics, type RunRecord } from '../../../src/core/runs/record';
import { RunStore } from '../../../src/core/runs/store';
import { gitState, listArtifacts } from '../../../src/core/runs/workspaceInfo';
import type { RunRequest } from '../../../src/core/run/createOptions';

const req: RunRequest = {
  image: 'iris-train:v1',
  name: 'iris-train',
  ports: [{ containerPort: 8080, hostPort: 4000, protocol: 'tcp' }],
  mounts: [{ type: 'bind', source: '/ws/artifacts', target: '/usr/local/app/artifacts', readOnly: false }],
  env: { EPOCHS: '20', HF_TOKEN: 'hf_secret_value' },
  bindAddress: '127.0.0.1',
  shmSize: 1024 ** 3,
};

function record(o: { at: string; loss: number[]; profile?: string; digest?: string; id?: string }): RunRecord {
  const r = newRecord({
    source: 'profile',
    profile: o.profile ?? 'train',
    container: { id: o.id ?? 'abcdef0123456789', name: 'iris-train' },
    request: req,
    image: { reference: 'iris-train:v1', id: o.digest ?? 'sha256:1111', repoDigests: [] },
    engine: 'unix:///var/run/docker.sock',
    git: { commit: 'a'.repeat(40), dirty: false },
    startedAt: new Date(o.at),
  });
  const s = new MetricStream();
  s.push(o.loss.map((l, i) => `epoch ${i + 1} loss ${l}\n`).join(''));
  s.end();
  return finished(withMetrics(r, s.series), 0, new Date(Date.parse(o.at) + 65_000));
}

describe('run record', () => {
  it('keeps env variable names and never their values', () => {
    const r = record({ at: '2026-11-30T12:00:00Z', loss: [0.9] });
    assert.deepEqual(r.request.envNames, ['EPOCHS', 'HF_TOKEN']);
    assert.ok(!JSON.stringify(r).includes('hf_secret_value'));
    assert.ok(!('env' in r.request));
  });
  it('has final and best metrics, duration and exit code', () => {
    const r = record({ at: '2026-11-30T12:00:00Z', loss: [0.9, 0.4, 0.5] });
    assert.equal(r.metrics.loss.final, 0.5);
    assert.equal(r.metrics.loss.best, 0.4);
    assert.equal(r.durationMs, 65_000);
    assert.equal(r.exitCode, 0);
    assert.deepEqual(r.series.loss.xs, [1, 2, 3]);
    assert.deepEqual(parseRecord(JSON.stringify(r)), r);
  });
  it('re-runs with the image digest and env values given for the recorded names only', () => {
    const r = record({ at: '2026-11-30T12:00:00Z', loss: [0.9] });
    const again = rerunRequest(r, { EPOCHS: '5', OTHER: 'x' }, 'sha256:1111');
    assert.equal(again.image, 'sha256:1111');
    assert.deepEqual(again.env, { EPOCHS: '5' });
    assert.deepEqual(again.ports, req.ports);
  });
  it('compares runs: rows for what differs, then final metrics', () => {
    const a = record({ at: '2026-11-30T12:00:00Z', loss: [0.9, 0.5] });
    const b = record({ at: '2026-11-30T12:05:00Z', loss: [0.8, 0.3], digest: 'sha256:2222' });
    const t = compareTable([a, b]);
    assert.deepEqual(t.rows.map((r) => r.field), ['image digest', 'loss']);
    assert.deepEqual(t.rows[0].values, ['sha256:1111', 'sha256:2222']);
    assert.deepEqual(t.rows[1].values, ['0.5 (best 0.5)', '0.3 (best 0.3)']);
  });
  it('compares peaks: one row per peak any run has, and why a run died when that differs', () => {
    const a = { ...record({ at: '2026-11-30T12:00:00Z', loss: [0.9, 0.5] }), peaks: { cpuPercent: 99.94, memoryBytes: 31 * 1024 * 1024, memoryLimitBytes: 32 * 1024 * 1024, samples: 3 } };
    const b = record({ at: '2026-11-30T12:05:00Z', loss: [0.8, 0.3] });
    const t = compareTable([a, { ...b, diagnosis: { kind: 'stopped', message: 'The container was stopped with SIGTERM.' } }]);
    // no run had a GPU: no GPU memory row
    assert.deepEqual(t.rows.map((r) => r.field), ['why it died', 'peak CPU', 'peak memory', 'loss']);
    assert.deepEqual(t.rows[1].values, ['99.9%', '-']);
    assert.deepEqual(t.rows[2].values, ['31 MiB of 32 MiB', '-']);
    assert.equal(t.rows[2].peak, true);
    assert.ok(compareTable([a, b], { all: true }).rows.some((r) => r.field === 'peak GPU memory'));
  });
  it('aligns series of several runs on one x axis with gaps as null', () => {
    assert.deepEqual(alignSeries([{ xs: [1, 2], ys: [5, 6], xKind: 'epoch' }, { xs: [2, 3], ys: [7, 8], xKind: 'epoch' }]), {
      xs: [1, 2, 3],
      ys: [[5, 6, null], [null, 7, 8]],
    });
  });
  it('exports CSV with quoting and one column pair per metric', () => {
    const a = record({ at: '2026-11-30T12:00:00Z', loss: [0.9, 0.5] });
    const csv = exportCsv([a]).split('\r\n');
    assert.match(csv[0], /^id,profile,container,image,.*,loss\.final,loss\.best$/);
    assert.match(csv[1], /,0\.5,0\.5$/);
    assert.ok(csv[1].includes('EPOCHS HF_TOKEN'));
  });
  it('drops the oldest records first to get under the cap, never the one being written', () => {
    const e = [
      { id: 'c', startedAt: '2026-11-30T12:02:00Z', bytes: 100 },
      { id: 'a', startedAt: '2026-11-30T12:00:00Z', bytes: 100 },
      { id: 'b', startedAt: '2026-11-30T12:01:00Z', bytes: 100 },
    ];
    assert.deepEqual(overCap(e, 150), ['a', 'b']);
    assert.deepEqual(overCap(e, 150, 'a'), ['b', 'c']);
    assert.deepEqual(overCap(e, 1000), []);
  });
});

describe('run store', () => {
  it('lists newest first and keeps the folder under the cap', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mllab-runs-'));
    let cap = 1_000_000;
    const store = new RunStore(dir, () => cap);
    const old = record({ at: '2026-11-30T12:00:00Z', loss: [0.9], id: '0000000000aa' });
    const mid = record({ at: '2026-11-30T12:01:00Z', loss: [0.8], id: '0000000000bb' });
    store.save(old);
    const { bytes } = store.save(mid);
    assert.deepEqual(store.list().map((r) => r.id), [mid.id, old.id]);
    cap = bytes * 2 + 10;
    const neu = record({ at: '2026-11-30T12:02:00Z', loss: [0.7], id: '0000000000cc' });
    const saved = store.save(neu);
    assert.deepEqual(saved.dropped, [old.id]);
    assert.deepEqual(store.list().map((r) => r.id), [neu.id, mid.id]);
  });
});

describe('workspace info', () => {
  it('reads the git commit and dirty flag, and nothing outside a repository', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mllab-git-'));
    assert.equal(await gitState(dir), undefined);
    const g = (...a: string[]) => execFileSync('git', ['-c', 'user.email=t@example.invalid', '-c', 'user.name=t', ...a], { cwd: dir, encoding: 'utf8' }).trim();
    g('init', '-q');
    writeFileSync(join(dir, 'train.py'), 'print(1)\n');
    g('add', '.');
    g('commit', '-qm', 'one');
    const head = g('rev-parse', 'HEAD');
    assert.deepEqual(await gitState(dir), { commit: head, dirty: false });
    writeFileSync(join(dir, 'train.py'), 'print(2)\n');
    assert.deepEqual(await gitState(dir), { commit: head, dirty: true });
  });
  it('lists the artifacts folder with sizes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mllab-art-'));
    mkdirSync(join(dir, 'ckpt'));
    writeFileSync(join(dir, 'metrics.json'), '{"a":1}\n');
    writeFileSync(join(dir, 'ckpt', 'model.bin'), Buffer.alloc(1000));
    assert.deepEqual(listArtifacts(dir), { files: [{ path: 'ckpt/model.bin', bytes: 1000 }, { path: 'metrics.json', bytes: 8 }], totalBytes: 1008 });
    assert.equal(listArtifacts(join(dir, 'missing')), undefined);
  });
});
