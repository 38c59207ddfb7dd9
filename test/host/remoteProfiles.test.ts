/**
 * Host tier: a run profile that names its engine (`engine: lab-remote`) runs there from
 * a real extension host, while the views stay on the current engine; its run record names that
 * engine; an unknown or unreachable engine runs nothing. The engine is a second dockerd in a
 * network namespace (test/support/remoteEngine.ts), reached over TCP+TLS through a Docker
 * context in a throw-away DOCKER_CONFIG (set for this suite only).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { contextDir, writeDockerContext } from '../../src/core/contexts';
import { startRemoteEngine, type RemoteEngine } from '../support/remoteEngine';
import { TEST_LABEL, runId, testEngine, waitFor } from '../support/fixtures';
import type { MlLabApi } from '../../src/extension';

const EXTENSION_ID = 'ml-container-lab.ml-container-lab';
const RUN = runId('hostrp');
const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const canMakeMachines = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

(canMakeMachines ? describe : describe.skip)('run profiles with engine: in a real extension host', () => {
  let remote: RemoteEngine;
  let api: MlLabApi;
  let configDir: string;
  let file: string;
  const savedDockerConfig = process.env.DOCKER_CONFIG;

  before(async function () {
    this.timeout(180_000);
    api = (await vscode.extensions.getExtension<MlLabApi>(EXTENSION_ID)!.activate());
    remote = await startRemoteEngine('hostrp');
    remote.loadImage(TINY);
    configDir = mkdtempSync(path.join(tmpdir(), 'mllab-host-dockerconfig-'));
    const exists = (n: string) => existsSync(path.join(configDir, 'contexts', 'meta', contextDir(n)));
    writeDockerContext(configDir, { name: 'lab-remote', host: remote.tlsHost, tlsDir: remote.certDir }, exists);
    // an engine that is known but does not answer: nothing listens on that port of the namespace
    writeDockerContext(configDir, { name: 'lab-down', host: `tcp://${remote.address}:2399` }, exists);
    process.env.DOCKER_CONFIG = configDir; // the extension reads contexts from here (same process)
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    mkdirSync(path.join(folder, '.vscode'), { recursive: true });
    file = path.join(folder, '.vscode', 'mllab.yaml');
    const profile = (name: string, engine?: string) =>
      `  ${name}:\n    image: ${TINY}\n${engine ? `    engine: ${engine}\n` : ''}    run:\n      name: mllab-hosttest-${name}-${RUN}\n      command: ["sh", "-c", "echo epoch=1 loss=0.5; sleep 2"]\n      labels: { ${TEST_LABEL}: ${RUN} }\n`;
    writeFileSync(file, `version: 1\nprofiles:\n${profile('train', 'lab-remote')}${profile('serve')}${profile('nowhere', 'gpu-box')}${profile('down', 'lab-down')}`);
  });
  after(async () => {
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
    for (const c of await testEngine().listContainers({ label: [`${TEST_LABEL}=${RUN}`] })) await testEngine().removeContainer(c.id, { force: true });
    if (file) rmSync(file, { force: true });
    await remote?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('train (engine: lab-remote) runs on that engine and its record names it; serve runs on the current engine', async function () {
    this.timeout(120_000);
    const train = await vscode.commands.executeCommand<{ id: string; name: string }>('mlLab.profile.run', { profile: 'train', showLogs: false, notifyExit: false });
    assert.ok(train, 'the profile ran (see the log for its error)');
    assert.ok(remote.docker(['ps', '-a', '-q', '--no-trunc']).includes(train.id), 'the container is on the namespace engine');
    const local = await testEngine().listContainers({ label: [`${TEST_LABEL}=${RUN}`] });
    assert.deepEqual(local.map((c) => c.name), [], 'nothing on the machine\'s engine');
    const record = await waitFor('the run record to finish', async () => {
      const r = api.runs.list().find((x) => x.containerId === train.id);
      return r && r.status !== 'running' ? r : undefined;
    }, 60_000);
    assert.match(record.engine, /Docker context "lab-remote"/);
    assert.equal(record.profile, 'train');
    assert.equal(record.exitCode, 0, 'followed to its exit on the remote engine');

    // Re-run from history: on the record's engine, not the current one (its name is free again first)
    remote.docker(['rm', '-f', train.id]);
    const again = await vscode.commands.executeCommand<{ id: string; name: string }>('mlLab.run.rerun', { id: record.id });
    assert.ok(again, 're-ran (see the log for its error)');
    assert.ok(remote.docker(['ps', '-a', '-q', '--no-trunc']).includes(again.id), "the re-run is on the record's engine");
    assert.equal((await testEngine().listContainers({ label: [`${TEST_LABEL}=${RUN}`] })).length, 0, "nothing on the machine's engine");

    const serve = await vscode.commands.executeCommand<{ id: string; name: string }>('mlLab.profile.run', { profile: 'serve', showLogs: false, notifyExit: false });
    assert.ok(serve);
    assert.ok((await testEngine().inspectContainer(serve.id)), 'serve runs on the current (machine\'s) engine');
    assert.ok(!remote.docker(['ps', '-a', '-q', '--no-trunc']).includes(serve.id));
  });

  it('a profile whose engine is unknown or does not answer runs nothing', async function () {
    this.timeout(60_000);
    for (const name of ['nowhere', 'down']) {
      const result = await vscode.commands.executeCommand('mlLab.profile.run', { profile: name, showLogs: false });
      assert.equal(result, undefined, name);
    }
    const names = (await testEngine().listContainers({ label: [`${TEST_LABEL}=${RUN}`] })).map((c) => c.name);
    assert.ok(!names.some((n) => /nowhere|down/.test(n)), names.join(', '));
    assert.ok(!/nowhere|down/.test(remote.docker(['ps', '-a', '--format', '{{.Names}}'])));
  });

  it('the mllab tasks say where each profile runs', async () => {
    const tasks = await vscode.tasks.fetchTasks({ type: 'mllab' });
    const detail = (n: string) => tasks.find((t) => t.name === n)?.detail ?? '';
    assert.match(detail('train'), /on lab-remote$/);
    assert.match(detail('serve'), /\(current engine\)$/);
  });
});
