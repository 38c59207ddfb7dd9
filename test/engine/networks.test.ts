/**
 * Engine tier: the network calls behind the Networks view against the real engine.
 * Everything carries org.mllab.test=<run id> and is removed at the end, also after a failure;
 * prune is scoped to that label.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, EngineError } from '../../src/engine/engine';
import { networkUsage, overlappingNetwork, parseSubnet } from '../../src/core/network/networks';
import { networkNodes } from '../../src/core/tree/networks';
import { TEST_LABEL, cleanup, runId, testEngine } from '../support/fixtures';

const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const RUN = runId('networks');
const labels = { [TEST_LABEL]: RUN };
const labelFilter = [`${TEST_LABEL}=${RUN}`];
const netName = `mllab-enginetest-net-${RUN}`;
const spareName = `mllab-enginetest-spare-${RUN}`;

describe('networks on the real engine', () => {
  let engine: Engine;
  let subnet = '';
  let id = '';
  before(async () => {
    engine = testEngine();
    await engine.ping();
    // a /24 in 10.213.x.0 that no network on this shared engine uses yet
    const existing = await engine.listNetworks();
    for (let x = 0; x < 256 && !subnet; x++) if (!overlappingNetwork(parseSubnet(`10.213.${x}.0/24`), existing)) subnet = `10.213.${x}.0/24`;
    ({ id } = await engine.runContainer({ image: TINY, name: `mllab-enginetest-netc-${RUN}`, cmd: ['sleep', '300'], ports: [], mounts: [], labels, bindAddress: '127.0.0.1' }));
  });
  after(async () => {
    await cleanup(engine, RUN, []);
    for (const n of await engine.listNetworks({ label: labelFilter })) await engine.removeNetwork(n.id).catch(() => undefined);
  });

  it('creates a bridge network with the subnet asked for, labelled', async () => {
    await engine.createNetwork({ name: netName, subnet, labels });
    const n = (await engine.listNetworks({ label: labelFilter })).find((x) => x.name === netName);
    assert.ok(n);
    assert.equal(n.driver, 'bridge');
    assert.equal(n.scope, 'local');
    assert.deepEqual(n.subnets, [subnet]);
    assert.equal(n.labels['org.mllab.created-by'], 'ml-container-lab');
  });

  it('refuses a second network with the same name (conflict)', async () => {
    await assert.rejects(engine.createNetwork({ name: netName, labels }), (e: unknown) => e instanceof EngineError && /already exists/.test(e.message));
  });

  it('connects a container; the list and the view models show it attached', async () => {
    await engine.connectNetwork(netName, id);
    const containers = await engine.listContainers({ label: labelFilter });
    assert.deepEqual(containers[0].networks?.sort(), ['bridge', netName].sort());
    const inspect = (await engine.inspectNetwork(netName)) as { Containers?: Record<string, { IPv4Address: string }> };
    const address = inspect.Containers?.[id]?.IPv4Address ?? '';
    assert.ok(address.startsWith(subnet.replace(/0\/24$/, '')), `address ${address} is in ${subnet}`);
    const node = networkNodes(await engine.listNetworks({ label: labelFilter }), networkUsage(containers), Date.now()).find((x) => x.label === netName);
    assert.equal(node?.contextValue, 'network;inUse;');
    assert.deepEqual(node?.children?.map((c) => c.label), [`mllab-enginetest-netc-${RUN}`]);
  });

  it('the engine refuses to remove a network in use', async () => {
    await assert.rejects(engine.removeNetwork(netName), (e: unknown) => e instanceof EngineError && /active endpoints|in use/i.test(e.message));
  });

  it('disconnects the container, then removes the network', async () => {
    await engine.disconnectNetwork(netName, id);
    assert.deepEqual((await engine.listContainers({ label: labelFilter }))[0].networks, ['bridge']);
    await engine.removeNetwork(netName);
    assert.ok(!(await engine.listNetworks()).some((n) => n.name === netName));
  });

  it('prunes only unused networks with the run label', async () => {
    await engine.createNetwork({ name: spareName, labels });
    const r = await engine.pruneNetworks(labelFilter);
    assert.deepEqual(r.removed, [spareName]);
    assert.ok((await engine.listNetworks()).some((n) => n.name === 'bridge'));
  });
});
