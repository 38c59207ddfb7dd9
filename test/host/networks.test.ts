/**
 * Host tier: the network commands in a real extension host: Create Network with a
 * subnet, Connect a container from its command, the Networks view row and its attached
 * container, Remove refused while in use, Disconnect, Remove. Everything is named and labelled
 * for the run and removed at the end, also after a failure.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MlLabApi } from '../../src/extension';
import { CommandIds } from '../../src/core/ids';
import { overlappingNetwork, parseSubnet } from '../../src/core/network/networks';
import { TEST_LABEL, cleanup, runId, testEngine, waitFor } from '../support/fixtures';

const EXTENSION_ID = 'ml-container-lab.ml-container-lab';
const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const RUN = runId('hostn');
const network = `mllab-hosttest-net-${RUN}`;
const containerName = `mllab-hosttest-netc-${RUN}`;

describe('network commands in a real extension host', () => {
  let api: MlLabApi;
  let id = '';
  let subnet = '';
  const row = async (want: (n: { children?: unknown[] }) => boolean) =>
    waitFor('the network row', async () => {
      api.networks.refresh();
      await api.networks.getChildren();
      const n = api.networks.find((m) => m.kind === 'network' && m.label === network);
      return n && want(n) ? n : undefined;
    });
  before(async () => {
    api = await vscode.extensions.getExtension<MlLabApi>(EXTENSION_ID)!.activate();
    const engine = testEngine();
    const existing = await engine.listNetworks();
    for (let x = 0; x < 256 && !subnet; x++) if (!overlappingNetwork(parseSubnet(`10.215.${x}.0/24`), existing)) subnet = `10.215.${x}.0/24`;
    ({ id } = await engine.runContainer({ image: TINY, name: containerName, cmd: ['sleep', '300'], ports: [], mounts: [], labels: { [TEST_LABEL]: RUN }, bindAddress: '127.0.0.1' }));
  });
  after(async () => {
    const engine = testEngine();
    await cleanup(engine, RUN, []);
    await engine.removeNetwork(network).catch(() => undefined);
  });

  it('creates a bridge network with a subnet; the view shows driver, scope and subnet', async () => {
    assert.equal(await vscode.commands.executeCommand(CommandIds.networkCreate, { name: network, subnet }), network);
    const n = await row(() => true);
    assert.equal(n.description, `bridge · local · ${subnet} · unused`);
    assert.equal(n.contextValue, 'network;');
  });

  it('connects the container from its command; the row lists it as attached', async () => {
    assert.equal(await vscode.commands.executeCommand(CommandIds.containerConnectNetwork, { id, network }), network);
    const n = await row((m) => m.children?.length === 1);
    assert.equal(n.contextValue, 'network;inUse;');
    assert.deepEqual(n.children?.map((c) => c.label), [containerName]);
  });

  it('does not remove the network while the container is attached', async () => {
    assert.equal(await vscode.commands.executeCommand(CommandIds.networkRemove, { name: network, confirmed: true }), undefined);
    assert.ok((await testEngine().listNetworks()).some((n) => n.name === network), 'the network is still there');
  });

  it('disconnects from the attached-container row, then removes the network', async () => {
    const n = await row((m) => m.children?.length === 1);
    assert.equal(await vscode.commands.executeCommand(CommandIds.containerDisconnectNetwork, n.children![0]), network);
    await row((m) => !m.children?.length);
    assert.equal(await vscode.commands.executeCommand(CommandIds.networkRemove, { name: network, confirmed: true }), true);
    assert.ok(!(await testEngine().listNetworks()).some((x) => x.name === network));
  });
});
