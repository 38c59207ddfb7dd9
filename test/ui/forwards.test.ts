/**
 * Port forwards, as a person sees them: the engine in use is a second machine made
 * by the test (a dockerd in a network namespace, reached over SSH: a Docker context in a
 * throw-away DOCKER_CONFIG, chosen with the setting mlLab.engine.context; ~/.ssh/config and
 * known_hosts in a throw-away HOME). A container there serves a page on a host port of the
 * remote's own 127.0.0.1, which this machine cannot reach. Clicking its port row in the
 * Containers view opens a browser tab on a forwarded local port, and that tab shows the page;
 * "ML Lab: Port Forwards" lists the forward and closes it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { contextDir, writeDockerContext } from '../../src/core/contexts';
import { startRemoteEngine, type RemoteEngine } from '../support/remoteEngine';
import { Workbench, runId, sleep, testLabel, waitFor } from './support/workbench';

const image = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const serverName = `mllab-ui-fwd-${runId}`;
const contextName = 'lab-ssh';
const tlsContext = 'lab-tls';
const hostPort = 18_081;
const body = `served-on-the-remote-${runId}`;
/** a second server, published on every interface of the remote: what a TCP engine can open */
const tlsServerName = `mllab-ui-fwd-all-${runId}`;
const allPort = 18_082;
const allBody = `published-on-all-interfaces-${runId}`;
let wb: Workbench | undefined;
let remote: RemoteEngine | undefined;
let configDir = '';
let home = '';
let failed = false;

const answersHere = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

before(async () => {
  remote = await startRemoteEngine('uifwd', { ssh: true, bridge: true });
  remote.loadImage(image);
  remote.docker(['run', '-d', '--name', serverName, '--label', `${testLabel.key}=${testLabel.value}`, '-p', `127.0.0.1:${hostPort}:8080`, image,
    'sh', '-c', `mkdir -p /w && echo ${body} > /w/index.html && exec httpd -f -p 8080 -h /w`]);
  remote.docker(['run', '-d', '--name', tlsServerName, '--label', `${testLabel.key}=${testLabel.value}`, '-p', `0.0.0.0:${allPort}:8080`, image,
    'sh', '-c', `mkdir -p /w && echo ${allBody} > /w/index.html && exec httpd -f -p 8080 -h /w`]);
  configDir = mkdtempSync(path.join(tmpdir(), 'mllab-ui-dockerconfig-'));
  const exists = (n: string) => existsSync(path.join(configDir, 'contexts', 'meta', contextDir(n)));
  writeDockerContext(configDir, { name: contextName, host: `ssh://root@${remote.address}`, description: 'the namespace engine over SSH' }, exists);
  writeDockerContext(configDir, { name: tlsContext, host: remote.tlsHost, tlsDir: remote.certDir, description: 'the same engine over TCP+TLS' }, exists);
  home = mkdtempSync(path.join(tmpdir(), 'mllab-ui-home-'));
  mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
  writeFileSync(path.join(home, '.ssh', 'config'), `Host ${remote.address}\n  User root\n  IdentityFile ${remote.ssh!.identityFile}\n`);
  writeFileSync(path.join(home, '.ssh', 'known_hosts'), `${remote.ssh!.knownHostsLine}\n`);
  wb = await Workbench.start({
    name: 'forwards', lab: 'flask-app',
    env: { DOCKER_CONFIG: configDir, HOME: home, SSH_AUTH_SOCK: '' },
    userSettings: { 'mlLab.engine.context': contextName },
  });
});

after(async () => {
  if (wb) {
    if (failed) await wb.saveFailure();
    await wb.stop();
  }
  await remote?.stop();
  for (const d of [configDir, home]) if (d) rmSync(d, { recursive: true, force: true });
});

async function step<T>(fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (e) { failed = true; throw e; }
}

void test('on an SSH engine, a port row opens the page through a forwarded local port; Port Forwards lists and closes it', { timeout: 240_000 }, () => step(async () => {
  const w = wb!;
  await w.openSidebar();
  await waitFor('the status bar to name the SSH engine', async () => (await w.statusBarTexts()).find((t) => t.startsWith(`${contextName} · Docker `)), 60_000);
  const portLabel = `127.0.0.1:${hostPort} -> 8080/tcp`;
  const row = await w.findTreeRow('Containers', [serverName, portLabel], 60_000);
  assert.equal(await answersHere(hostPort), false, `nothing answers on this machine's 127.0.0.1:${hostPort}: the port is on the remote`);

  const opened = w.page.context().waitForEvent('page', { timeout: 30_000 });
  await row.click();
  const tab = await opened;
  await tab.waitForLoadState('domcontentloaded').catch(() => undefined);
  const url = tab.url();
  // code-server opens a loopback URL through its own proxy: http://<code-server>/proxy/<port>/
  const localPort = Number((/\/proxy\/(\d+)/.exec(url) ?? /^http:\/\/127\.0\.0\.1:(\d+)/.exec(url))?.[1]);
  assert.ok(localPort > 0 && localPort !== hostPort, `the tab opened a forwarded local port, not the remote host port: ${url}`);
  const text = await waitFor('the page served through the forward', async () => {
    const t = await tab.locator('body').innerText().catch(() => '');
    if (t.includes(body)) return t;
    await tab.reload().catch(() => undefined);
    return undefined;
  }, 30_000);
  assert.match(text, new RegExp(body));
  console.log(`# the port row opened ${url}`);
  await tab.close();
  const direct = await fetch(`http://127.0.0.1:${localPort}/`).then((r) => r.text());
  assert.equal(direct.trim(), body, 'the forward answers HTTP on this machine');

  await w.runCommand('ML Lab: Port Forwards');
  const list = await w.readQuickInput();
  const entry = list.items.find((i) => i.includes(`127.0.0.1:${localPort}`));
  assert.ok(entry, `the forward is listed: ${list.items.join(' | ')}`);
  assert.match(entry, new RegExp(`127\\.0\\.0\\.1:${localPort} → 127\\.0\\.0\\.1:${hostPort} on ${contextName}`));
  await w.pickQuickInputItem(new RegExp(`127\\.0\\.0\\.1:${localPort}`));
  await w.pickQuickInputItem('Close');
  await waitFor('the close notification', async () => (await w.readNotifications()).find((n) => n.includes(`Closed the port forward 127.0.0.1:${localPort}`)), 15_000);
  await waitFor('the local port to stop answering', async () => ((await answersHere(localPort)) ? undefined : true), 10_000);
  await sleep(100);
}));

void test('switching engines closes the forwards; on a TCP+TLS engine the port opens at the remote host, said once', { timeout: 240_000 }, () => step(async () => {
  const w = wb!;
  const portLabel = `127.0.0.1:${hostPort} -> 8080/tcp`;
  const opened = w.page.context().waitForEvent('page', { timeout: 30_000 });
  await (await w.findTreeRow('Containers', [serverName, portLabel], 60_000)).click();
  const tab = await opened;
  const localPort = Number(/\/proxy\/(\d+)/.exec(tab.url())?.[1] ?? /^http:\/\/127\.0\.0\.1:(\d+)/.exec(tab.url())?.[1]);
  await tab.close();
  await waitFor('the new forward to answer', () => answersHere(localPort), 15_000);

  await w.contextMenu(await w.findTreeRow('Engines', tlsContext, 60_000), 'Use This Engine');
  await waitFor('the status bar to name the TLS engine', async () => (await w.statusBarTexts()).find((t) => t.startsWith(`${tlsContext} · Docker `)), 60_000);
  await waitFor('the forward of the SSH engine to close with the switch', async () => ((await answersHere(localPort)) ? undefined : true), 15_000);

  const allLabel = `0.0.0.0:${allPort} -> 8080/tcp`;
  const opened2 = w.page.context().waitForEvent('page', { timeout: 30_000 });
  await (await w.findTreeRow('Containers', [tlsServerName, allLabel], 60_000)).click();
  // VS Code asks before opening a site that is not on this machine (link protection)
  const asked = await w.confirmDialog('Open', 10_000).catch(() => undefined);
  console.log(`# link protection asked: ${asked ?? 'no'}`);
  const tab2 = await opened2;
  await tab2.waitForLoadState('domcontentloaded').catch(() => undefined);
  assert.equal(new URL(tab2.url()).host, `${remote!.address}:${allPort}`, `the tab opened the remote host's address: ${tab2.url()}`);
  const text = await waitFor('the page at the remote host', async () => {
    const t = await tab2.locator('body').innerText().catch(() => '');
    return t.includes(allBody) ? t : undefined;
  }, 30_000);
  assert.match(text, new RegExp(allBody));
  await tab2.close();
  const note = await waitFor('the one notification that ports open at the remote host', async () => (await w.readNotifications()).find((n) => n.includes(`"${tlsContext}" is reached over TCP`)), 15_000);
  assert.match(note, new RegExp(`opened on ${remote!.address.replace(/\./g, '\\.')} directly`));
}));
