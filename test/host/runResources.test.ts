/**
 * Host tier: the run recorder in a real extension host keeps a run's resource peaks and says
 * why it died. A profile run OOM-killed under `memory: 32m` gets the diagnosis and its memory
 * peak in its record; a run missing a module names the workspace's requirements.txt; a container
 * of a test image with a fake nvidia-smi is recorded with GPU sampling forced (no GPU runtime
 * exists here, so the run cannot ask for GPUs itself) and its record has the GPU memory peak.
 * Everything on the engine carries org.mllab.test=<run>.
 */
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../../src/core/runs/record';
import type { RunRequest } from '../../src/core/run/createOptions';
import { writeWorkspaceProfiles } from './workspaceProfiles';
import { BASE_IMAGE, TEST_LABEL, cleanup, repoRoot, runId, testEngine, waitFor } from '../support/fixtures';

const RUN = runId('hostres');
const FAKE_GPU = `mllab-hosttest/fake-gpu:${RUN}`;

const profilesYaml = `version: 1
profiles:
  res-oom:
    image: ${BASE_IMAGE}
    run:
      name: mllab-hosttest-resoom-${RUN}
      command: ["python3", "-c", "import time\\na = []\\nwhile True:\\n    a.append(bytearray(1024 * 1024))\\n    time.sleep(0.05)"]
      memory: 32m
      labels: { ${TEST_LABEL}: ${RUN} }
  res-module:
    image: ${BASE_IMAGE}
    run:
      name: mllab-hosttest-resmod-${RUN}
      command: ["python3", "-c", "import torch"]
      labels: { ${TEST_LABEL}: ${RUN} }
`;

interface Api {
  runs: {
    list(): RunRecord[];
    record(req: RunRequest, container: { id: string; name: string }, o: { sampleGpus?: boolean; gpuIntervalMs?: number }): { done: Promise<RunRecord> } | undefined;
  };
}

describe('run resources and diagnosis in a real extension host', () => {
  let file: string;
  let api: Api;
  before(async () => {
    ({ api, file } = await writeWorkspaceProfiles<Api>(profilesYaml));
  });
  after(async () => {
    await cleanup(testEngine(), RUN, [FAKE_GPU]);
    rmSync(file, { force: true });
  });

  it('records an OOM-killed run with the diagnosis, the limit and the memory peak', async () => {
    const run = await vscode.commands.executeCommand<{ id: string; name: string }>('mlLab.profile.run', { profile: 'res-oom', showLogs: false, notifyExit: false });
    assert.ok(run, 'the profile ran');
    const r = await waitFor('the finished record', async () => api.runs.list().find((x) => x.containerId === run.id && x.status !== 'running'), 90_000);
    assert.equal(r.exitCode, 137);
    assert.equal(r.diagnosis?.kind, 'oomKilled');
    assert.match(r.diagnosis!.message, /killed for memory \(exit code 137, OOMKilled\): it reached its limit of 32 MiB, peak seen [\d.]+ MiB/);
    assert.equal(r.diagnosis!.action?.kind, 'moreMemory');
    assert.equal(r.peaks?.memoryLimitBytes, 32 * 1024 * 1024);
    assert.ok((r.peaks?.memoryBytes ?? 0) > 16 * 1024 * 1024, `memory peak ${r.peaks?.memoryBytes}`);
    assert.ok((r.peaks?.samples ?? 0) >= 1);
    console.log(`[diagnosis] ${r.diagnosis!.message}`);
  });

  it('names the workspace\'s requirements.txt for a missing module', async () => {
    const run = await vscode.commands.executeCommand<{ id: string; name: string }>('mlLab.profile.run', { profile: 'res-module', showLogs: false, notifyExit: false });
    const r = await waitFor('the finished record', async () => api.runs.list().find((x) => x.containerId === run!.id && x.status !== 'running'), 60_000);
    assert.equal(r.exitCode, 1);
    assert.equal(r.diagnosis?.message, "Python could not import the module 'torch': it is not installed in the image; add torch to requirements.txt and rebuild the image.");
    assert.deepEqual(r.diagnosis?.action, { kind: 'openRequirements', label: 'Open requirements.txt', file: 'requirements.txt' });
  });

  it('samples GPUs with nvidia-smi when asked and keeps the GPU memory peak (fake nvidia-smi)', async () => {
    const engine = testEngine();
    const ctx = path.join(repoRoot, 'test', 'fixtures', 'fake-nvidia-smi');
    await engine.build({ contextDir: ctx, dockerfile: path.join(ctx, 'Dockerfile'), tag: FAKE_GPU, buildArgs: { BASE_IMAGE: 'mllab-test/busybox:1' }, labels: { [TEST_LABEL]: RUN } }, () => undefined);
    const req: RunRequest = { image: FAKE_GPU, name: `mllab-hosttest-resgpu-${RUN}`, cmd: ['sleep', '3'], ports: [], mounts: [], labels: { [TEST_LABEL]: RUN }, bindAddress: '127.0.0.1' };
    const c = await engine.runContainer(req);
    const active = api.runs.record(req, c, { sampleGpus: true, gpuIntervalMs: 500 });
    assert.ok(active, 'recorded');
    const r = await active.done;
    assert.equal(r.exitCode, 0);
    assert.equal(r.peaks?.gpuMemoryTotalMiB, 40537);
    assert.equal(r.peaks?.gpuMemoryMiB, 0);
    assert.equal(r.peaks?.gpuUtilizationPercent, 6);
    assert.equal(r.diagnosis, undefined);
  });
});
