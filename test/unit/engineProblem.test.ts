/**
 * src/core/engineProblem.ts: each way the engine cannot be reached maps to its case and text, and
 * package.json's welcome content covers every case the views show as welcome content.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DOCKER_GROUP_LINK, ENGINE_STATE_CONTEXT, INSTALL_LINKS, engineProblem, probeInstallation, type EngineFailure, type EngineProblemKind, type InstallFacts } from '../../src/core/engineProblem';
import { CommandIds } from '../../src/core/ids';

const local = (o: Partial<EngineFailure>): EngineFailure => ({ transport: 'socket', where: 'unix:///var/run/docker.sock', message: 'm', ...o });
const nothing: InstallFacts = { cli: false, daemon: false, desktop: false, contexts: false };
const cliOnly: InstallFacts = { ...nothing, cli: true };

const cases: Array<{ name: string; failure: EngineFailure; installed: InstallFacts; platform: NodeJS.Platform; kind: EngineProblemKind | undefined; text?: RegExp; link?: string }> = [
  { name: 'ENOENT with nothing of Docker on Linux: not installed, Docker Engine install guide', failure: local({ code: 'ENOENT' }), installed: nothing, platform: 'linux', kind: 'notInstalled', text: /Install Docker Engine .*apt-get install docker\.io/, link: INSTALL_LINKS.linux },
  { name: 'ENOENT with nothing of Docker on macOS: Docker Desktop for Mac', failure: local({ code: 'ENOENT' }), installed: nothing, platform: 'darwin', kind: 'notInstalled', text: /Docker Desktop for Mac/, link: INSTALL_LINKS.darwin },
  { name: 'ENOENT with nothing of Docker on Windows: Docker Desktop for Windows', failure: local({ code: 'ENOENT', where: 'npipe:////./pipe/docker_engine' }), installed: nothing, platform: 'win32', kind: 'notInstalled', text: /Docker Desktop for Windows/, link: INSTALL_LINKS.win32 },
  { name: 'ENOENT with the docker CLI installed: installed but not running', failure: local({ code: 'ENOENT' }), installed: cliOnly, platform: 'linux', kind: 'notRunning', text: /sudo systemctl start docker/ },
  { name: 'ENOENT with a Docker context only: not running', failure: local({ code: 'ENOENT' }), installed: { ...nothing, contexts: true }, platform: 'linux', kind: 'notRunning' },
  { name: 'ENOENT with Docker Desktop installed on macOS: open Docker Desktop', failure: local({ code: 'ENOENT' }), installed: { ...nothing, desktop: true }, platform: 'darwin', kind: 'notRunning', text: /Open Docker Desktop/ },
  { name: 'ECONNREFUSED on a socket file nobody listens on: not running', failure: local({ code: 'ECONNREFUSED' }), installed: nothing, platform: 'linux', kind: 'notRunning', text: /not running.*ECONNREFUSED/s },
  { name: 'EACCES on the socket on Linux: the docker group, then log in again', failure: local({ code: 'EACCES' }), installed: cliOnly, platform: 'linux', kind: 'permission', text: /docker group.*log out and in again/s, link: DOCKER_GROUP_LINK },
  { name: 'EACCES with Docker Desktop on Windows: restart Docker Desktop', failure: local({ code: 'EACCES' }), installed: cliOnly, platform: 'win32', kind: 'permission', text: /Restart Docker Desktop/ },
  { name: 'a local engine that does not answer in time: not answering, with the limit', failure: local({ timedOut: true, timeoutMs: 20_000 }), installed: cliOnly, platform: 'linux', kind: 'notAnswering', text: /20000 ms.*restart/s },
  { name: 'a remote engine that refuses: the existing message', failure: { transport: 'tcp', code: 'ECONNREFUSED', where: 'tcp://10.0.0.2:2376', message: 'Docker engine not reachable at tcp://10.0.0.2:2376 (ECONNREFUSED)' }, installed: nothing, platform: 'linux', kind: 'remote', text: /^Docker engine not reachable at tcp:\/\/10\.0\.0\.2:2376 \(ECONNREFUSED\)$/ },
  { name: 'a remote engine over SSH that times out: the existing message', failure: { transport: 'ssh', timedOut: true, where: 'ssh://gpu', message: 'did not answer' }, installed: nothing, platform: 'linux', kind: 'remote', text: /^did not answer$/ },
  { name: 'an HTTP error is no reachability problem', failure: local({}), installed: cliOnly, platform: 'linux', kind: undefined },
];

describe('engineProblem', () => {
  for (const c of cases) {
    it(c.name, () => {
      const p = engineProblem(c.failure, c.installed, c.platform);
      assert.equal(p?.kind, c.kind);
      if (!p) return;
      if (c.text) assert.match(c.kind === 'remote' ? p.message : `${p.message} ${p.todo}`, c.text);
      if (c.link) assert.equal(p.link, c.link);
      // the welcome cases are exactly these three; the others keep the view's message row
      assert.equal(p.state, ['notInstalled', 'notRunning', 'permission'].includes(p.kind) ? p.kind : 'failed');
      if (c.failure.transport === 'socket') assert.ok(`${p.message}`.includes(c.failure.where), 'the message says where it looked');
    });
  }
});

describe('probeInstallation', () => {
  it('finds docker and dockerd on PATH, and contexts in the CLI store', () => {
    const files = new Set(['/opt/bin/docker', '/usr/sbin/dockerd']);
    const f = probeInstallation({ PATH: '/opt/bin:/nope:/usr/sbin' }, 'linux', '/home/u/.docker', (p) => files.has(p), (d) => (d === '/home/u/.docker/contexts/meta' ? ['abc'] : []));
    assert.deepEqual(f, { cli: true, daemon: true, desktop: false, contexts: true });
  });
  it('reports nothing on a bare machine', () => {
    assert.deepEqual(probeInstallation({ PATH: '/usr/bin' }, 'linux', '/h/.docker', () => false, () => []), nothing);
  });
  it('finds Docker Desktop on macOS and Windows', () => {
    assert.equal(probeInstallation({}, 'darwin', '/h', (p) => p === '/Applications/Docker.app', () => []).desktop, true);
    const win = probeInstallation({ ProgramFiles: 'D:\\Apps', Path: 'C:\\x' }, 'win32', 'C:\\h', (p) => p === 'D:\\Apps\\Docker\\Docker\\Docker Desktop.exe', () => []);
    assert.equal(win.desktop, true);
  });
});

describe('package.json welcome content', () => {
  const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    contributes: { viewsWelcome: Array<{ view: string; contents: string; when?: string }> };
  };
  const welcome = pkg.contributes.viewsWelcome;
  it('the Containers view has welcome content for each engine problem on Linux and on the other platforms', () => {
    for (const state of ['notInstalled', 'notRunning', 'permission']) {
      for (const platform of ['isLinux', 'isMac', 'isWindows']) {
        const hit = welcome.filter((w) => w.view === 'mlLab.views.containers' && (w.when ?? '').includes(`${ENGINE_STATE_CONTEXT} == ${state}`)
          && new RegExp(`(^|&& )${platform}\\b|!isLinux`).test(w.when ?? '') === true
          && !(platform === 'isLinux' && /!isLinux/.test(w.when ?? '')));
        assert.equal(hit.length, 1, `${state} on ${platform}`);
      }
    }
  });
  it('links only to contributed commands, a few built-in ones, and docs.docker.com', () => {
    const ours = new Set<string>(Object.values(CommandIds));
    const builtIn = new Set(['vscode.openFolder', 'workbench.action.openWalkthrough']);
    for (const w of welcome) {
      for (const m of w.contents.matchAll(/\]\(([^)]+)\)/g)) {
        const target = m[1];
        if (target.startsWith('https://')) assert.match(target, /^https:\/\/docs\.docker\.com\//);
        else {
          const id = /^command:([^?]+)/.exec(target)?.[1] ?? '';
          assert.ok(ours.has(id) || builtIn.has(id), `${w.view}: ${target}`);
        }
      }
    }
  });
  it('the empty-state content of Containers, Images and Volumes shows only while the engine answers, with the walkthrough one click away', () => {
    for (const view of ['containers', 'images', 'volumes']) {
      const w = welcome.find((x) => x.view === `mlLab.views.${view}` && x.when === `${ENGINE_STATE_CONTEXT} == ok`);
      assert.ok(w, view);
      assert.match(w.contents, /workbench\.action\.openWalkthrough\?.*mlLab\.firstModel/);
    }
  });
});
