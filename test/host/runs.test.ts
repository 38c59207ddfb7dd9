/**
 * Host tier: run records in a real extension host. A profile run, a task run and an
 * interactive (`-it`, `--rm`) profile run are recorded
 * (profile, image digest, env names only, engine, metrics as printed, artifacts with sizes);
 * export as JSON and CSV and copy as `docker run` work on the stored records.
 * Everything on the engine carries org.mllab.test=<run>.
 */
import * as assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../../src/core/runs/record';
import { writeWorkspaceProfiles } from './workspaceProfiles';
import { BASE_IMAGE, TEST_LABEL, cleanup, runId, testEngine, waitFor } from '../support/fixtures';

const RUN = runId('hostr');
const BUSYBOX = 'mllab-test/busybox:1';
const IRIS_TAG = `mllab-hosttest/runs-iris:${RUN}`;

const profilesYaml = `version: 1
profiles:
  rec:
    image: ${BUSYBOX}
    run:
      name: mllab-hosttest-rec-${RUN}
      command: ["sh", "-c", "for i in 1 2 3; do echo \\"epoch $i loss 0.$((9-i))\\"; done; echo model > /outputs/model.txt"]
      volumes: ["./outputs-${RUN}:/outputs"]
      env: { EPOCHS: "3", API_TOKEN: "secret-${RUN}" }
      labels: { ${TEST_LABEL}: ${RUN} }
  rec-task:
    image: ${BUSYBOX}
    run:
      name: mllab-hosttest-rectask-${RUN}
      command: ["sh", "-c", "echo 'step=5 acc=0.75'"]
      labels: { ${TEST_LABEL}: ${RUN} }
  it-rec:
    image: ${BUSYBOX}
    run:
      name: mllab-hosttest-itrec-${RUN}
      command: ["sh", "-c", "for i in 1 2; do echo \\"epoch $i loss 0.$((5-i))\\"; done; exit 3"]
      interactive: true
      rm: true
      labels: { ${TEST_LABEL}: ${RUN} }
  iris:
    description: the iris lab's train profile (.vscode/mllab.yaml of the lab), with a test tag and label
    build:
      dockerfile: train.dockerfile
      tag: ${IRIS_TAG}
      args: { BASE_IMAGE: ${BASE_IMAGE} }
    run:
      name: mllab-hosttest-iris-${RUN}
      volumes: ["./artifacts-${RUN}:/usr/local/app/artifacts"]
      env: { EPOCHS: "20" }
      shmSize: 1g
      labels: { course: ml101, ${TEST_LABEL}: ${RUN} }
`;

interface Api {
  runs: { list(): RunRecord[]; folder(): string };
}

describe('run records in a real extension host', () => {
  let folder: string;
  let file: string;
  let api: Api;
  let record: RunRecord;
  before(async () => {
    ({ api, folder, file } = await writeWorkspaceProfiles<Api>(profilesYaml));
  });
  after(async () => {
    await cleanup(testEngine(), RUN, [IRIS_TAG]);
    rmSync(path.join(folder, `artifacts-${RUN}`), { recursive: true, force: true });
    rmSync(file, { force: true });
    rmSync(path.join(folder, `outputs-${RUN}`), { recursive: true, force: true });
  });

  it('records a profile run: image digest, env names only, engine, metrics as printed, artifacts with sizes', async () => {
    const run = await vscode.commands.executeCommand<{ id: string; name: string }>('mlLab.profile.run', { profile: 'rec', createMissingFolders: true, showLogs: false, notifyExit: false });
    assert.ok(run, 'the profile ran');
    record = await waitFor('the finished record', async () => api.runs.list().find((r) => r.containerId === run.id && r.status === 'exited'), 60_000);
    const image = await testEngine().inspectImage(BUSYBOX);
    assert.equal(record.profile, 'rec');
    assert.equal(record.source, 'profile');
    assert.equal(record.image.reference, BUSYBOX);
    assert.equal(record.image.id, image.id);
    assert.deepEqual(record.request.envNames, ['API_TOKEN', 'EPOCHS']);
    const stored = readFileSync(path.join(api.runs.folder(), `${record.id}.json`), 'utf8');
    assert.ok(!stored.includes(`secret-${RUN}`), 'no env value in the stored record');
    assert.match(record.engine, /docker\.sock|tcp:\/\//);
    assert.equal(record.exitCode, 0);
    assert.deepEqual(record.series.loss.xs, [1, 2, 3]);
    assert.deepEqual(record.series.loss.ys, [0.8, 0.7, 0.6]);
    assert.equal(record.metrics.loss.best, 0.6);
    assert.deepEqual(record.artifacts?.files, [{ path: 'model.txt', bytes: 6 }]);
    assert.match(api.runs.folder(), /workspaceStorage/, 'kept in workspace storage by default');
    console.log(`record ${record.id}: ${statSync(path.join(api.runs.folder(), `${record.id}.json`)).size} bytes in ${api.runs.folder()}`);
  });

  it('records a task run with its profile name', async () => {
    const task = (await vscode.tasks.fetchTasks({ type: 'mllab' })).find((t) => t.name === 'rec-task')!;
    const ended = new Promise<number | undefined>((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.name === 'rec-task') {
          sub.dispose();
          resolve(e.exitCode);
        }
      });
    });
    await vscode.tasks.executeTask(task);
    assert.equal(await ended, 0);
    const r = await waitFor('the task run record', async () => api.runs.list().find((x) => x.profile === 'rec-task' && x.status === 'exited'), 30_000);
    assert.equal(r.source, 'task');
    assert.deepEqual(r.series.acc, { xs: [5], ys: [0.75], xKind: 'step' });
  });

  it('exports runs as JSON and CSV, and copies a run as docker run with env names only', async () => {
    const ids = api.runs.list().filter((r) => r.profile?.startsWith('rec')).map((r) => r.id);
    assert.equal(ids.length, 2);
    const json = path.join(folder, `runs-${RUN}.json`);
    const csv = path.join(folder, `runs-${RUN}.csv`);
    try {
      await vscode.commands.executeCommand('mlLab.runs.export', { ids, format: 'json', file: json });
      await vscode.commands.executeCommand('mlLab.runs.export', { ids, format: 'csv', file: csv });
      assert.deepEqual((JSON.parse(readFileSync(json, 'utf8')) as RunRecord[]).map((r) => r.id).sort(), [...ids].sort());
      const lines = readFileSync(csv, 'utf8').trim().split('\r\n');
      assert.equal(lines.length, 3);
      assert.match(lines[0], /acc\.final,acc\.best,loss\.final,loss\.best$/);
    } finally {
      rmSync(json, { force: true });
      rmSync(csv, { force: true });
    }
    const text = await vscode.commands.executeCommand<string>('mlLab.run.copyCommand', { id: record.id });
    assert.match(text, /-e API_TOKEN -e EPOCHS /);
    assert.ok(!text.includes('secret'), text);
    assert.match(text, new RegExp(`-v ${folder.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/outputs-${RUN}:/outputs`));
  });

  it('records an interactive (-it) run: metrics from its TTY output and its exit code, though --rm removed the container', async () => {
    const run = await vscode.commands.executeCommand<{ id: string; name: string }>('mlLab.profile.run', { profile: 'it-rec', showLogs: false, notifyExit: false });
    assert.ok(run, 'the profile ran');
    const r = await waitFor('the interactive run\'s finished record', async () => api.runs.list().find((x) => x.containerId === run.id && x.status !== 'running'), 60_000);
    assert.equal(r.source, 'profile');
    assert.equal(r.profile, 'it-rec');
    assert.equal(r.status, 'exited');
    assert.equal(r.exitCode, 3);
    assert.equal(r.request.interactive, true);
    assert.deepEqual(r.series.loss, { xs: [1, 2], ys: [0.4, 0.3], xKind: 'epoch' });
    assert.ok(!(await testEngine().inspectContainer(run.id).then(() => true, () => false)), 'the container was removed (--rm)');
    for (const t of vscode.window.terminals) if (t.name === `Run: ${run.name}`) t.dispose();
  });

  it('records the iris lab\'s train run (20 epochs) in a file of a few kB', async () => {
    const run = await vscode.commands.executeCommand<{ id: string; name: string }>('mlLab.profile.run', { profile: 'iris', createMissingFolders: true, showLogs: false, notifyExit: false });
    assert.ok(run, 'the profile ran');
    const r = await waitFor('the iris record', async () => api.runs.list().find((x) => x.containerId === run.id && x.status !== 'running'), 120_000);
    assert.equal(r.exitCode, 0);
    assert.equal(r.series.loss.xs.length, 20);
    assert.ok(r.artifacts?.files.some((f) => f.path === 'metrics.json'));
    const file = path.join(api.runs.folder(), `${r.id}.json`);
    const bytes = statSync(file).size;
    console.log(`iris lab train run (20 epochs): record ${bytes} bytes at ${file}`);
    assert.ok(bytes > 500 && bytes < 10_000, `${bytes} bytes`);
  });
});
