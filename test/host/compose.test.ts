/**
 * Host tier: Compose commands and the Networks view in a real extension host.
 * "Export Profile as Compose Service" appends a profile to a Compose file keeping its comments;
 * "Compose Up" on the two-service fixture runs the real Compose CLI through the extension's
 * terminal and engine connection; the Networks view shows the project's network with both
 * containers; "Compose Down" with volumes leaves nothing. The fixture is copied into the
 * workspace under a folder named for the run, so the project name is unique; cleanup removes
 * only that project, also after a failure.
 */
import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MlLabApi } from '../../src/extension';
import { CommandIds } from '../../src/core/ids';
import { composeProjectName } from '../../src/core/compose/files';
import { removeTestImages, repoRoot, runId, testEngine, waitFor } from '../support/fixtures';

const EXTENSION_ID = 'ml-container-lab.ml-container-lab';
const RUN = runId('hostc');

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

describe('Compose and networks in a real extension host', () => {
  let api: MlLabApi;
  let dir = '';
  let file = '';
  let project = '';
  const filter = () => [`com.docker.compose.project=${project}`];
  before(async () => {
    api = await vscode.extensions.getExtension<MlLabApi>(EXTENSION_ID)!.activate();
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    dir = path.join(folder, `compose-${RUN}`);
    mkdirSync(dir, { recursive: true });
    cpSync(path.join(repoRoot, 'test', 'fixtures', 'labs', 'compose-lab'), dir, { recursive: true });
    writeFileSync(path.join(dir, '.env'), `MLLAB_COMPOSE_PORT=${await freePort()}\n`);
    file = path.join(dir, 'compose.yaml');
    project = composeProjectName({}, dir);
  });
  after(async () => {
    const engine = testEngine();
    await vscode.commands.executeCommand(CommandIds.composeDown, { file, volumes: true }).then(undefined, () => undefined);
    for (const c of await engine.listContainers({ label: filter() })) await engine.removeContainer(c.id, { force: true }).catch(() => undefined);
    for (const v of await engine.listVolumes({ label: filter() })) await engine.removeVolume(v.name).catch(() => undefined);
    for (const n of await engine.listNetworks({ label: filter() })) await engine.removeNetwork(n.id).catch(() => undefined);
    // Compose v1 builds with the classic builder: its intermediate images go with the image.
    await removeTestImages(engine, [`${project}_model`, `${project}-model`]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports a profile as a Compose service, keeping the file comments', async () => {
    const exportFile = path.join(dir, 'docker-compose.export.yml');
    writeFileSync(exportFile, '# exported services: keep this comment\nservices:\n  web:\n    image: web:1 # and this one\n');
    const profiles = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode', 'mllab.yaml');
    const hadProfiles = (() => {
      try {
        return readFileSync(profiles, 'utf8');
      } catch {
        return undefined;
      }
    })();
    mkdirSync(path.dirname(profiles), { recursive: true });
    writeFileSync(profiles, `version: 1\nprofiles:\n  exported-${RUN}:\n    image: iris-train:v1\n    run:\n      ports: ["4000:8080"]\n      volumes: ["./compose-${RUN}/data:/data:ro"]\n      env: { EPOCHS: "3" }\n`);
    try {
      const written = await vscode.commands.executeCommand<string>(CommandIds.composeExportProfile, { profile: `exported-${RUN}`, file: exportFile, service: 'train' });
      assert.equal(written, exportFile);
      const text = readFileSync(exportFile, 'utf8');
      assert.equal(
        text,
        '# exported services: keep this comment\nservices:\n  web:\n    image: web:1 # and this one\n  train:\n    image: iris-train:v1\n    ports: [ "4000:8080" ]\n    volumes: [ "./data:/data:ro" ]\n    environment:\n      EPOCHS: "3"\n',
      );
    } finally {
      if (hadProfiles === undefined) rmSync(profiles, { force: true });
      else writeFileSync(profiles, hadProfiles);
    }
  });

  it('Compose Up runs the real CLI against the extension engine; the Networks view shows the project network with both containers', async function () {
    this.timeout(240_000);
    const up = await vscode.commands.executeCommand<{ exitCode: number; output: string; cli: { label: string } }>(CommandIds.composeUp, { file });
    console.log(`Compose CLI in the extension host: ${up.cli.label}`);
    assert.equal(up.exitCode, 0, up.output);
    const group = await waitFor('the project group', async () => {
      api.containers.refresh();
      await api.containers.getChildren();
      const g = api.containers.find((n) => n.kind === 'composeProject' && n.label === project);
      return g?.children?.length === 2 ? g : undefined;
    });
    assert.equal(group.ref, project);
    const row = await waitFor('the project network row', async () => {
      api.networks.refresh();
      await api.networks.getChildren();
      const n = api.networks.find((m) => m.kind === 'network' && m.label === `${project}_default`);
      return n?.children?.length === 2 ? n : undefined;
    });
    assert.match(row.description ?? '', /^bridge · local · \d+\.\d+\.\d+\.\d+\/\d+ · 2 containers$/);
    assert.equal(row.contextValue, 'network;inUse;');
  });

  it('Compose Down with volumes leaves no container, volume or network of the project', async function () {
    this.timeout(120_000);
    const down = await vscode.commands.executeCommand<{ exitCode: number; output: string }>(CommandIds.composeDown, { file, volumes: true });
    assert.equal(down.exitCode, 0, down.output);
    const engine = testEngine();
    assert.deepEqual(await engine.listContainers({ label: filter() }), []);
    assert.deepEqual(await engine.listVolumes({ label: filter() }), []);
    assert.deepEqual(await engine.listNetworks({ label: filter() }), []);
  });
});
