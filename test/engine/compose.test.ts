/**
 * Engine tier: the real Compose CLI (whichever is installed: the v2 plugin, else Debian's
 * docker-compose 1.29) against the real engine, with the two-service fixture
 * (test/fixtures/labs/compose-lab: a model service built from a Dockerfile on the local base
 * image, a web service, a named volume, a published port). Up, both containers grouped under
 * the project in the Containers view's models, logs, Down with volumes, and nothing left. The
 * project name is unique per run (the fixture is copied to a folder named after the run); the
 * services, volume, network and image carry org.mllab.test; cleanup removes only this project,
 * also after a failure.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as net from 'node:net';
import * as path from 'node:path';
import { composeArgs, composeEnv, detectComposeCli, type ComposeAction, type ComposeCli } from '../../src/core/compose/cli';
import { composeProjectName, readComposeFile, volumesRemovedByDown } from '../../src/core/compose/files';
import { containerNodes, COMPOSE_PROJECT_LABEL } from '../../src/core/tree/models';
import { Engine } from '../../src/engine/engine';
import { httpText, removeTestImages, repoRoot, testEngine, waitFor } from '../support/fixtures';

const RUN = `${process.pid}-${Date.now().toString(36)}`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const strip = (t: string) => t.replace(/\x1b\[1B/g, '\n').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');

describe('Compose CLI with the two-service fixture', () => {
  let engine: Engine;
  let cli: ComposeCli;
  let dir = '';
  let file = '';
  let project = '';
  let port = 0;
  const compose = (action: ComposeAction, timeoutMs = 240_000): Promise<{ code: number | null; output: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(cli.command, composeArgs(cli, [file], action), {
        cwd: dir,
        env: { ...composeEnv(engine.connection, process.env), MLLAB_COMPOSE_PORT: String(port) },
      });
      let output = '';
      child.stdout.on('data', (b: Buffer) => (output += b.toString()));
      child.stderr.on('data', (b: Buffer) => (output += b.toString()));
      const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });
  const projectFilter = () => [`${COMPOSE_PROJECT_LABEL}=${project}`];

  before(async () => {
    engine = testEngine();
    await engine.ping();
    cli = await detectComposeCli();
    console.log(`Compose CLI under test: ${cli.label}`);
    dir = path.join(tmpdir(), `mllab-compose-${RUN}`);
    mkdirSync(dir, { recursive: true });
    cpSync(path.join(repoRoot, 'test', 'fixtures', 'labs', 'compose-lab'), dir, { recursive: true });
    file = path.join(dir, 'compose.yaml');
    project = composeProjectName({}, dir);
    port = await freePort();
  });

  after(async () => {
    // also after a failure: take the project down with its volumes, then remove what is left by its label
    if (cli && project) await compose({ kind: 'down', volumes: true }, 120_000).catch(() => undefined);
    if (engine && project) {
      for (const c of await engine.listContainers({ label: projectFilter() }).catch(() => [])) await engine.removeContainer(c.id, { force: true }).catch(() => undefined);
      for (const v of await engine.listVolumes({ label: projectFilter() }).catch(() => [])) await engine.removeVolume(v.name).catch(() => undefined);
      for (const n of await engine.listNetworks({ label: projectFilter() }).catch(() => [])) await engine.removeNetwork(n.id).catch(() => undefined);
      // Compose v1 builds with the classic builder: its intermediate images go with the image.
      await removeTestImages(engine, [`${project}_model`, `${project}-model`]);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('brings the project up, building the model image first', async () => {
    const up = await compose({ kind: 'up', build: true });
    console.log(`--- ${cli.command} ${composeArgs(cli, ['compose.yaml'], { kind: 'up', build: true }).join(' ')}\n${strip(up.output).split('\n').filter((l) => !/^( ---> |Removing intermediate|Step \d)/.test(l)).join('\n')}`);
    assert.equal(up.code, 0, strip(up.output));
    assert.match(up.output, /\x1b\[/, 'colours are kept (--ansi always)');
  });

  it('shows both containers grouped under the project', async () => {
    const list = await engine.listContainers({ label: projectFilter() });
    assert.equal(list.length, 2, list.map((c) => c.name).join(', '));
    const group = containerNodes(list).find((n) => n.kind === 'composeProject');
    assert.ok(group, 'a compose project node');
    assert.equal(group.label, project);
    assert.equal(group.ref, project);
    assert.deepEqual(group.children?.map((c) => c.label.replace(/[-_]1$/, '').replace(`${project}`, '')).sort(), ['_model', '_web'].map((s) => (cli.generation === 'v2' ? s.replace('_', '-') : s)).sort());
    assert.ok(list.every((c) => c.labels['org.mllab.test'] === 'compose'), 'services carry the test label');
  });

  it('serves the metrics the model wrote into the named volume on the published port', async () => {
    const body = await waitFor('metrics.json on the web service', () => httpText(`http://127.0.0.1:${port}/metrics.json`).then((t) => (t?.includes('accuracy') ? t : undefined)), 60_000);
    assert.ok((JSON.parse(body) as { accuracy: number }).accuracy > 0.5);
  });

  it('follows the model service logs to its end', async () => {
    await waitFor('the model to exit', async () => ((await engine.listContainers({ label: projectFilter() })).find((c) => /model/.test(c.name))?.state === 'exited' ? true : undefined), 60_000);
    const logs = await compose({ kind: 'logs', services: ['model'] }, 60_000);
    assert.equal(logs.code, 0);
    assert.match(strip(logs.output), /epoch 1 loss \d/);
    assert.match(strip(logs.output), /accuracy 0\.\d+ -> \/artifacts\/metrics\.json/);
  });

  it('takes the project down with its volumes and leaves nothing', async () => {
    const info = readComposeFile(await import('node:fs').then((fs) => fs.readFileSync(file, 'utf8')));
    const named = volumesRemovedByDown(info, project);
    assert.deepEqual(named, [`${project}_artifacts`]);
    assert.ok((await engine.listVolumes()).some((v) => v.name === named[0]), 'the named volume exists before down');
    const down = await compose({ kind: 'down', volumes: true });
    console.log(`--- ${cli.command} ${composeArgs(cli, ['compose.yaml'], { kind: 'down', volumes: true }).join(' ')}\n${strip(down.output)}`);
    assert.equal(down.code, 0, strip(down.output));
    assert.deepEqual(await engine.listContainers({ label: projectFilter() }), []);
    assert.deepEqual(await engine.listVolumes({ label: projectFilter() }), []);
    assert.deepEqual(await engine.listNetworks({ label: projectFilter() }), []);
    assert.ok(!(await engine.listVolumes()).some((v) => v.name === named[0]));
  });
});
