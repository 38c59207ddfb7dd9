/**
 * Host tier: "Download Artifacts from Task..." in a real extension host. The current
 * engine (setting mlLab.engine.dockerHost) is a dockerd in a network namespace made a one-node
 * swarm manager, so the machine's shared engine never enters swarm mode here. A job writes a
 * file; the command, given the service (as the job's end notification gives it), finds the
 * finished task's container on the engine's own node (GET /info Swarm.NodeID) and downloads it.
 * The other route (a task on another node, read through the Engines view entry for that node's
 * address) is the engine tier's two-node test (test/engine/swarm.test.ts).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startRemoteEngine, type RemoteEngine } from '../support/remoteEngine';
import { waitFor } from '../support/fixtures';

const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const canMakeMachines = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

(canMakeMachines ? describe : describe.skip)('Download Artifacts from a finished Swarm task, in a real extension host', () => {
  let remote: RemoteEngine | undefined;
  let dest: string | undefined;
  const config = () => vscode.workspace.getConfiguration();

  before(async function () {
    this.timeout(180_000);
    remote = await startRemoteEngine('hswdl');
    remote.loadImage(TINY);
    remote.docker(['swarm', 'init', '--advertise-addr', remote.address, '--listen-addr', `${remote.address}:2377`]);
    await config().update('mlLab.engine.dockerHost', remote.unixHost, vscode.ConfigurationTarget.Workspace);
  });
  after(async () => {
    await config().update('mlLab.engine.dockerHost', undefined, vscode.ConfigurationTarget.Workspace);
    try {
      remote?.docker(['swarm', 'leave', '--force']);
    } catch {
      // the daemon is gone
    }
    await remote?.stop();
    if (dest) rmSync(dest, { recursive: true, force: true });
  });

  it('the service\'s finished task: its /out is downloaded from its container on the engine\'s own node', async function () {
    this.timeout(120_000);
    const serviceId = remote!.docker(['service', 'create', '--detach', '--mode', 'replicated-job', '--name', 'mllab-hosttest-swdl', TINY, 'sh', '-c', 'mkdir -p /out && echo weights of $(hostname) > /out/model.txt']).trim();
    await waitFor('the job to complete', async () => remote!.docker(['service', 'ps', '--format', '{{.CurrentState}}', serviceId]).startsWith('Complete') || undefined, 60_000);
    dest = mkdtempSync(path.join(tmpdir(), 'mllab-host-swdl-'));
    const result = await vscode.commands.executeCommand<{ files: number } | undefined>('mlLab.task.downloadArtifacts', { serviceId, containerPath: '/out', localPath: dest, onExisting: 'overwrite' });
    assert.ok(result, 'downloaded (see the log for its error)');
    assert.equal(result.files, 1);
    const containerId = remote!.docker(['ps', '-a', '-q', '--filter', `label=com.docker.swarm.service.id=${serviceId}`]).trim();
    assert.equal(readFileSync(path.join(dest, 'model.txt'), 'utf8'), `weights of ${containerId.slice(0, 12)}\n`, "the task container's file (its hostname is its short id)");
  });
});
