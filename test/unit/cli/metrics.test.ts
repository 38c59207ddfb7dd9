import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseProfiles } from '../../../src/core/run/profile';

const root = path.resolve(__dirname, '../../../..');
const cli = path.join(root, 'dist', 'cli', 'mllab-metrics.js');
const corpusFile = path.join(root, 'test', 'fixtures', 'training-logs', 'lightgbm', 'r-train-valid-l2.log');

describe('mllab-metrics (the built dist/cli/mllab-metrics.js, spawned)', () => {
  it('prints the series of a corpus log as JSON', () => {
    const r = spawnSync(process.execPath, [cli, corpusFile], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { series: Array<{ name: string; x: string; points: number[][] }> };
    assert.deepEqual(out.series.map((s) => [s.name, s.x, s.points.length]), [['train/l2', 'step', 4], ['valid/l2', 'step', 4]]);
    assert.deepEqual(out.series[1].points[0], [5, 0.100327]);
  });
  it('reads standard input for - and prints CSV', () => {
    const r = spawnSync(process.execPath, [cli, '--format', 'csv', '-'], { input: 'epoch 1 loss 0.9\nepoch 2 loss 0.7\n', encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'series,x_kind,x,y\nloss,epoch,1,0.9\nloss,epoch,2,0.7\n');
  });
  it("adds a profile's metrics: patterns, and reports a bad regex at its line", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mllab-metrics-'));
    const good = path.join(dir, 'good.yaml');
    writeFileSync(good, 'version: 1\nprofiles:\n  t:\n    image: x:1\n    run: {}\n    metrics:\n      - name: bleu\n        regex: "BLEU = ([0-9.]+) at update (\\\\d+)"\n');
    const r = spawnSync(process.execPath, [cli, '--profile', good, '--name', 't', '-'], { input: 'BLEU = 27.3 at update 4000\n', encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { series: [{ name: 'bleu', x: 'step', points: [[4000, 27.3]] }] });
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nprofiles:\n  t:\n    image: x:1\n    run: {}\n    metrics:\n      - name: bleu\n        regex: "BLEU = ([0-9.]+"\n');
    const b = spawnSync(process.execPath, [cli, '--profile', bad, '--name', 't', '-'], { input: '', encoding: 'utf8' });
    assert.equal(b.status, 2);
    assert.match(b.stderr, /bad\.yaml:8:\d+: profiles\.t\.metrics\[0\]\.regex is not a valid regular expression/);
  });
  it('exits 2 with the usage for a missing file argument', () => {
    const r = spawnSync(process.execPath, [cli], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no log file given/);
  });
});

describe('profile metrics: field', () => {
  it('keeps valid {name, regex} entries and reports one without a capture group at its line', () => {
    const { profiles, errors } = parseProfiles('version: 1\nprofiles:\n  t:\n    image: x:1\n    run: {}\n    metrics:\n      - {name: bleu, regex: "BLEU = ([0-9.]+)"}\n      - {name: wer, regex: "WER [0-9.]+"}\n');
    assert.deepEqual(profiles[0]?.metrics ?? [], []);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].line, 8);
    assert.match(errors[0].message, /no capture group/);
    const ok = parseProfiles('version: 1\nprofiles:\n  t:\n    image: x:1\n    run: {}\n    metrics:\n      - {name: bleu, regex: "BLEU = ([0-9.]+)"}\n');
    assert.deepEqual(ok.profiles[0].metrics, [{ name: 'bleu', regex: 'BLEU = ([0-9.]+)' }]);
  });
});
