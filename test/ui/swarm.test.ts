/**
 * Swarm scenario, in the real workbench: the extension's engine is a dockerd in a
 * network namespace (test/support/remoteEngine.ts, reached through its unix socket with the
 * setting mlLab.engine.dockerHost) made a one-node swarm manager, so the machine's shared
 * engine never enters swarm mode here. A person sees the Swarm view appear and list the node,
 * labels it gpu=true (confirmed), runs a profile on Swarm (two replicas), reads the merged logs
 * (each line prefixed with slot and node) and the one end notification with every exit code,
 * removes the service (confirmed, named); after the engine leaves the swarm the view goes away.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { startRemoteEngine, type RemoteEngine } from '../support/remoteEngine';
import { Workbench, waitFor } from './support/workbench';

const image = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const hostname = 'mllab-ui-swarm';
let wb: Workbench | undefined;
let remote: RemoteEngine | undefined;
let failed = false;

const profiles = `version: 1
profiles:
  hello:
    description: Two replicas that say where they ran
    image: ${image}
    run:
      command: ["sh", "-c", "echo hello from slot on $(hostname); exit 0"]
    swarm:
      replicas: 2
      constraints: ["node.labels.gpu == true"]
`;

before(async () => {
  remote = await startRemoteEngine('swui', { hostname });
  remote.loadImage(image);
  remote.docker(['swarm', 'init', '--advertise-addr', remote.address, '--listen-addr', `${remote.address}:2377`]);
  wb = await Workbench.start({
    name: 'swarm',
    lab: 'flask-app',
    workspaceSettings: { 'mlLab.engine.dockerHost': remote.unixHost },
    // xterm's DOM renderer, so the terminal's text can be read from the page
    userSettings: { 'terminal.integrated.gpuAcceleration': 'off' },
    prepare: (ws) => {
      mkdirSync(path.join(ws, '.vscode'), { recursive: true });
      writeFileSync(path.join(ws, '.vscode', 'mllab.yaml'), profiles);
    },
  });
});

after(async () => {
  if (wb) {
    if (failed) await wb.saveFailure();
    await wb.stop();
  }
  try {
    remote?.docker(['swarm', 'leave', '--force']);
  } catch {
    // already left (the test does it) or the daemon is gone
  }
  await remote?.stop();
});

async function step<T>(fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (e) { failed = true; throw e; }
}

void test('the Swarm view lists the node; Label Node, Run Profile on Swarm with merged logs and one end notification, Remove Service', { timeout: 240_000 }, () => step(async () => {
  const w = wb!;
  await w.openSidebar();
  // The view appears because the engine is a swarm manager (GET /info), and lists the node.
  const nodeDescription = await w.waitForRowDescription('Swarm', ['Nodes', hostname], (d) => /manager \(leader\) · active · ready · Docker \d+/.test(d), 'the node row', 60_000);
  assert.doesNotMatch(nodeDescription, /gpu=true/);

  await w.contextMenu(await w.findTreeRow('Swarm', ['Nodes', hostname]), 'Label Node...');
  await w.answerQuickInput('gpu=true');
  const labelQuestion = await w.confirmDialog('Label');
  assert.match(labelQuestion, new RegExp(`Label node ${hostname} gpu=true\\?`));
  await w.waitForRowDescription('Swarm', ['Nodes', hostname], (d) => d.includes('gpu=true'), 'the node to show gpu=true', 30_000);
  assert.equal(remote!.docker(['node', 'inspect', 'self', '--format', '{{index .Spec.Labels "gpu"}}']), 'true');

  await w.runCommand('ML Lab: Run Profile on Swarm...');
  await w.pickQuickInputItem('hello');
  const service = await waitFor('the job service on the engine', () => remote!.docker(['service', 'ls', '--format', '{{.Name}}']).split('\n').find((n) => n.startsWith('hello-')), 30_000);
  const logs = await waitFor('the merged logs and every outcome in the terminal', async () => {
    const t = await w.terminalText();
    return /slot 0 on mllab-ui-swarm: exit 0/.test(t) && /slot 1 on mllab-ui-swarm: exit 0/.test(t) ? t : undefined;
  }, 90_000).catch(async (e: unknown) => {
    throw new Error(`${String(e)}; the terminal shows: ${JSON.stringify((await w.terminalText().catch(() => '')).slice(-1500))}`);
  });
  assert.match(logs, /\[slot 0 @ mllab-ui-swarm\] hello from slot on /);
  assert.match(logs, /\[slot 1 @ mllab-ui-swarm\] hello from slot on /);
  const note = await waitFor('the end notification', async () => (await w.readNotifications()).find((n) => n.includes(`Swarm job ${service} finished`)), 30_000);
  assert.match(note, /slot 0 on mllab-ui-swarm: exit 0; slot 1 on mllab-ui-swarm: exit 0/);
  // The view shows the service and its tasks.
  await w.waitForRowDescription('Swarm', ['Services', service], (d) => d.startsWith('replicated-job · 2/2 complete'), 'the service row', 30_000);
  await w.screenshot('swarm-job-done');

  await w.contextMenu(await w.findTreeRow('Swarm', ['Services', service]), 'Remove Service...');
  const removeQuestion = await w.confirmDialog('Remove');
  assert.equal(removeQuestion, `Remove service ${service}?`);
  await waitFor('the service to be gone from the engine', () => remote!.docker(['service', 'ls', '-q']) === '', 30_000);
  // Docker keeps a finished job's task containers; Remove Service removes them too, and says so.
  await waitFor('the job\'s task containers to be removed from the node', () => remote!.docker(['ps', '-aq', '--filter', `label=com.docker.swarm.service.name=${service}`]) === '', 30_000);
  const removed = await waitFor('the closing message', async () => (await w.readNotifications()).find((m) => m.startsWith(`Removed service ${service}`)), 20_000);
  assert.equal(removed, `Removed service ${service} and its 2 task containers.`);
  await waitFor('the service row to go', async () => (await w.treeRowOrUndefined('Swarm', service)) === undefined, 30_000);

  // Not a manager any more: at the next check (every 30 s) the view is hidden.
  remote!.docker(['swarm', 'leave', '--force']);
  await waitFor('the Swarm view to be hidden', async () => !(await w.page.locator('.part.sidebar .pane-header h3.title', { hasText: /^Swarm$/i }).isVisible().catch(() => false)), 45_000);
}));
