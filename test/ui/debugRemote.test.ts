/**
 * Debugging the iris lab on a second machine: the engine in use is a dockerd in a network
 * namespace made by the test, reached over SSH (a Docker context in a throw-away DOCKER_CONFIG,
 * chosen with mlLab.engine.context; ~/.ssh/config and known_hosts in a throw-away HOME). The
 * debug port is published on the remote's 127.0.0.1, which this machine cannot reach: VS Code
 * connects through a forward over the engine's SSH connection. The profile's bind mount is
 * copied instead (the remote-mount modal), so metrics.json comes back after the exit.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { contextDir, writeDockerContext } from '../../src/core/contexts';
import { startRemoteEngine, type RemoteEngine } from '../support/remoteEngine';
import { Workbench, runId, waitFor } from './support/workbench';
import { debugUi } from './support/debugUi';

const baseImage = process.env.MLLAB_BASE_IMAGE ?? 'mllab-test/python-ml:bookworm';
const tag = `mllab-ui-test/iris-debug-remote:${runId}`;
const name = `mllab-ui-debug-remote-${runId}`;
const contextName = 'lab-ssh-debug';
let wb: Workbench | undefined;
let remote: RemoteEngine | undefined;
let configDir = '';
let home = '';
let failed = false;

before(async () => {
  remote = await startRemoteEngine('uidbg', { ssh: true, bridge: true });
  remote.loadImage(baseImage);
  configDir = mkdtempSync(path.join(tmpdir(), 'mllab-ui-dockerconfig-'));
  writeDockerContext(configDir, { name: contextName, host: `ssh://root@${remote.address}`, description: 'the namespace engine over SSH' },
    (n) => existsSync(path.join(configDir, 'contexts', 'meta', contextDir(n))));
  home = mkdtempSync(path.join(tmpdir(), 'mllab-ui-home-'));
  mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
  writeFileSync(path.join(home, '.ssh', 'config'), `Host ${remote.address}\n  User root\n  IdentityFile ${remote.ssh!.identityFile}\n`);
  writeFileSync(path.join(home, '.ssh', 'known_hosts'), `${remote.ssh!.knownHostsLine}\n`);
  wb = await Workbench.start({
    name: 'debug-remote', lab: 'iris-train',
    env: { DOCKER_CONFIG: configDir, HOME: home, SSH_AUTH_SOCK: '' },
    userSettings: { 'mlLab.engine.context': contextName },
    prepare: (ws) => {
      writeFileSync(path.join(ws, '.vscode', 'mllab.yaml'), [
        'version: 1', 'profiles:', '  train:',
        `    build: { dockerfile: train.dockerfile, tag: "${tag}", args: { BASE_IMAGE: "${baseImage}" } }`,
        '    run:', `      name: ${name}`, '      volumes: ["./artifacts:/usr/local/app/artifacts"]', '      env: { EPOCHS: "2" }', '',
      ].join('\n'));
      mkdirSync(path.join(ws, 'artifacts'));
      chmodSync(path.join(ws, 'artifacts'), 0o777);
    },
  });
});

after(async () => {
  if (wb) {
    if (failed) await wb.saveFailure();
    await wb.stop();
  }
  await remote?.stop(); // its containers and images go with the namespace engine's state
  for (const d of [configDir, home]) if (d) rmSync(d, { recursive: true, force: true });
});

async function step<T>(fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (e) { failed = true; throw e; }
}

void test('on an SSH engine: stops on the breakpoint through the SSH forward, shows epoch = 1, steps, continues to exit 0 and metrics.json comes back', { timeout: 600_000 }, () => step(async () => {
  const w = wb!;
  const ui = debugUi(w);
  const lines = readFileSync(path.join(w.workspace, 'train.py'), 'utf8').split('\n');
  const bpLine = lines.findIndex((l) => l.includes('order = rng.permutation(len(x_train))')) + 1;
  await w.openFile('train.py');
  await ui.toggleBreakpoint(bpLine);
  await w.runCommand('ML Lab: Debug Profile...');
  await w.pickQuickInputItem('train');
  const asked = await w.confirmDialog('Copy Instead', 400_000);
  assert.match(asked, /bind mount/i, `the remote-mount modal: ${asked}`);
  const paused = await ui.waitForPause(120_000);
  assert.deepEqual(paused, { file: 'train.py', line: bpLine });
  const vars = await ui.variables();
  assert.equal(vars.get('epoch'), '1');
  await w.screenshot('debug-remote-paused');
  const ps = remote!.docker(['inspect', '--format', '{{json .HostConfig.PortBindings}}', name]);
  assert.match(ps, /"5678\/tcp":\[\{"HostIp":"127\.0\.0\.1"/, 'published on the remote\'s loopback only');

  await ui.stepOver();
  assert.equal((await ui.waitForPause(30_000, (p) => p.line !== bpLine)).line, bpLine + 1);
  await ui.toggleBreakpoint(bpLine, false);
  await ui.continue();
  await waitFor('the debug session to end', async () => !(await ui.sessionActive()), 60_000);
  const exit = await waitFor(`${name} to exit`, () => {
    const s = remote!.docker(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', name]);
    return Promise.resolve(s.startsWith('exited') ? s : undefined);
  }, 60_000);
  assert.equal(exit, 'exited 0');
  const metrics = path.join(w.workspace, 'artifacts', 'metrics.json');
  await waitFor('metrics.json downloaded into the workspace', () => Promise.resolve(existsSync(metrics) || undefined), 60_000);
  assert.equal((JSON.parse(readFileSync(metrics, 'utf8')) as { epochs: number }).epochs, 2);
}));
