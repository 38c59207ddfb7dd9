/** Unit tests of which engine reads a finished Swarm task's container (Download Artifacts on the task's node). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeTaskContainerRemoval, engineForNode, removeTaskContainers, routeToTaskContainer, taskContainerPlaces, taskHasArtifacts } from '../../../src/core/swarm/taskEngine';
import { swarmTaskNodes } from '../../../src/core/swarm/tree';
import { parseDockerHost } from '../../../src/core/connection';
import type { EngineEntry } from '../../../src/core/contexts';
import type { SwarmNode, SwarmTask } from '../../../src/core/swarm/model';

const node = (id: string, hostname: string, o: Partial<SwarmNode> = {}): SwarmNode => ({
  id, hostname, role: 'worker', leader: false, availability: 'active', state: 'ready', labels: {}, engineVersion: '20.10.24', generic: [], cpus: 2, memoryBytes: 2 ** 30, ...o,
});
const task = (o: Partial<SwarmTask> = {}): SwarmTask => ({ id: 't1', serviceId: 's1', slot: 0, state: 'complete', desiredState: 'complete', message: 'finished', timestamp: '2026-01-01T00:00:00Z', assigned: [], ...o });
/** An Engines view entry for a Docker context whose endpoint is `host`. */
const entry = (name: string, host: string, o: Partial<EngineEntry> = {}): EngineEntry => {
  const address = parseDockerHost(host, { tls: host.endsWith(':2376') });
  return { id: `context:${name}`, label: name, kind: 'context', address, connection: { address, source: 'context', contextName: name, describe: `${host} (Docker context "${name}")` }, current: false, cliCurrent: false, ...o };
};
const local: EngineEntry = { ...entry('default', 'unix:///var/run/docker.sock'), id: 'default', kind: 'default', current: true };

const manager = node('m1', 'lab-manager', { role: 'manager', leader: true, address: '10.231.42.1' });
const worker = node('w1', 'gpu-box', { address: '10.231.42.2' });
const nodes = [manager, worker];

void test('engineForNode: a tcp:// or ssh:// entry whose host is the node address; else its hostname; sockets and broken entries never', () => {
  const tls = entry('gpu-tls', 'tcp://10.231.42.2:2376');
  const ssh = entry('gpu-ssh', 'ssh://me@10.231.42.2');
  const byName = entry('gpu-name', 'ssh://me@GPU-BOX');
  const other = entry('other', 'tcp://10.231.42.20:2376');
  assert.equal(engineForNode(worker, [local, other, tls])?.label, 'gpu-tls');
  assert.equal(engineForNode(worker, [local, other, ssh])?.label, 'gpu-ssh');
  // 10.231.42.20 is not 10.231.42.2: whole hosts are compared
  assert.equal(engineForNode(worker, [local, other]), undefined);
  // the address wins over the hostname; the hostname alone is enough (case does not matter)
  assert.equal(engineForNode(worker, [byName, ssh])?.label, 'gpu-ssh');
  assert.equal(engineForNode(worker, [local, byName])?.label, 'gpu-name');
  // an entry that cannot be used is skipped
  const broken: EngineEntry = { id: 'context:bad', label: 'bad', kind: 'context', error: 'meta.json does not parse', current: false, cliCurrent: false };
  assert.equal(engineForNode(worker, [broken]), undefined);
  // IPv6: brackets in the address do not matter
  assert.equal(engineForNode(node('w6', 'v6', { address: 'fd00::2' }), [entry('v6', 'tcp://[fd00::2]:2376')])?.label, 'v6');
  // another entry for the node comes before the current engine's own (the current one is the manager)
  const currentTls = { ...entry('current-tls', 'tcp://10.231.42.2:2376'), current: true };
  assert.equal(engineForNode(worker, [currentTls, ssh])?.label, 'gpu-ssh');
});

void test('routeToTaskContainer: the engine in use for a task on its own node, the matching entry for another node', () => {
  const onManager = task({ nodeId: 'm1', containerId: 'c-manager', exitCode: 0 });
  assert.deepEqual(routeToTaskContainer(onManager, nodes, 'm1', [local]), { kind: 'current', containerId: 'c-manager', node: manager });
  const onWorker = task({ nodeId: 'w1', containerId: 'c-worker', state: 'failed', exitCode: 3 });
  const tls = entry('gpu-tls', 'tcp://10.231.42.2:2376');
  const r = routeToTaskContainer(onWorker, nodes, 'm1', [local, tls]);
  assert.equal(r.kind, 'engine');
  assert.equal(r.kind === 'engine' && r.entry.label, 'gpu-tls');
  assert.equal(r.kind === 'engine' && r.containerId, 'c-worker');
});

void test('routeToTaskContainer: no engine reaches the node: names the node, its address and Add Engine', () => {
  const r = routeToTaskContainer(task({ slot: 2, nodeId: 'w1', containerId: 'c-worker' }), nodes, 'm1', [local]);
  assert.equal(r.kind, 'none');
  assert.equal(r.kind === 'none' && r.message, "Task slot 2's container is on node gpu-box (address 10.231.42.2), and no engine of the Engines view reaches that node.");
  assert.match(r.kind === 'none' ? r.hint : '', /Add Engine\.\.\.".*tcp:\/\/10\.231\.42\.2:2376.*ssh:\/\/<user>@10\.231\.42\.2, then try again/);
});

void test('routeToTaskContainer: unfinished, containerless, node down or gone: says so', () => {
  const tls = entry('gpu-tls', 'tcp://10.231.42.2:2376');
  const cases: Array<{ t: SwarmTask; ns: SwarmNode[]; message: RegExp }> = [
    { t: task({ state: 'running', nodeId: 'w1', containerId: 'c' }), ns: nodes, message: /has not finished \(state: running\)/ },
    { t: task({ state: 'rejected', error: 'no such image' }), ns: nodes, message: /has no container \(state: rejected, no such image\)/ },
    { t: task({ nodeId: 'w1', containerId: 'c' }), ns: [manager, { ...worker, state: 'down' }], message: /ran on node gpu-box \(address 10\.231\.42\.2\), which is down/ },
    { t: task({ nodeId: 'w9xxxxxxxxxxxxx', containerId: 'c' }), ns: nodes, message: /node w9xxxxxxxxxx, which is no longer in the swarm/ },
  ];
  for (const c of cases) {
    const r = routeToTaskContainer(c.t, c.ns, 'm1', [local, tls]);
    assert.equal(r.kind, 'none');
    assert.match(r.kind === 'none' ? r.message : '', c.message);
  }
});

void test('taskHasArtifacts: a finished task with a container on a node', () => {
  assert.equal(taskHasArtifacts(task({ nodeId: 'w1', containerId: 'c' })), true);
  assert.equal(taskHasArtifacts(task({ nodeId: 'w1', containerId: 'c', state: 'failed' })), true);
  assert.equal(taskHasArtifacts(task({ nodeId: 'w1', containerId: 'c', state: 'running' })), false);
  assert.equal(taskHasArtifacts(task({ state: 'rejected' })), false);
});

void test('a task row offers Download Artifacts (tag artifacts;) only when its container can be read: finished, on a node that is up', () => {
  const service = { id: 's1', name: 'train-1', mode: 'replicated-job', image: 'r/i', labels: {}, totalCompletions: 3, maxConcurrent: 3, createdAt: '2026-01-01T00:00:00Z' };
  const rows = swarmTaskNodes(service, [
    task({ id: 'a', slot: 0, nodeId: 'w1', containerId: 'c1', exitCode: 0 }),
    task({ id: 'b', slot: 1, nodeId: 'w1', containerId: 'c2', state: 'running' }),
    task({ id: 'c', slot: 2, nodeId: 'w1', containerId: 'c3', state: 'failed', exitCode: 1 }),
  ], [manager, { ...worker, state: 'down' }]);
  assert.deepEqual(rows.map((r) => r.contextValue), ['swarmTask;complete;', 'swarmTask;running;nodeDown;', 'swarmTask;failed;']);
  const up = swarmTaskNodes(service, [task({ id: 'a', nodeId: 'w1', containerId: 'c1', exitCode: 0 }), task({ id: 'b', slot: 1, nodeId: 'w1', containerId: 'c2', state: 'running' })], nodes);
  assert.deepEqual(up.map((r) => r.contextValue), ['swarmTask;complete;artifacts;', 'swarmTask;running;']);
});

void test('taskContainerPlaces: every task with a container, whatever its state; routed to this engine, an entry for its node, or named as unreachable', () => {
  const tls = entry('gpu-tls', 'tcp://10.231.42.2:2376');
  const tasks = [
    task({ id: 'a', slot: 0, nodeId: 'm1', containerId: 'c-manager' }),
    task({ id: 'b', slot: 1, nodeId: 'w1', containerId: 'c-worker', state: 'running' }),
    task({ id: 'c', slot: 2, state: 'pending' }), // never got a container
    task({ id: 'd', slot: 3, nodeId: 'gone-node-123456789', containerId: 'c-lost' }),
  ];
  const places = taskContainerPlaces(tasks, nodes, 'm1', [local, tls]);
  assert.deepEqual(places.map((p) => [p.containerId, p.where, p.route.kind === 'none' ? p.route.reason : p.route.kind]), [
    ['c-manager', 'lab-manager (10.231.42.1)', 'current'],
    ['c-worker', 'gpu-box (10.231.42.2)', 'engine'],
    ['c-lost', 'node gone-node-12', 'the node is no longer in the swarm'],
  ]);
  const without = taskContainerPlaces(tasks.slice(1, 2), nodes, 'm1', [local]);
  assert.deepEqual(without[0].route, { kind: 'none', reason: 'no engine of the Engines view reaches the node' });
  const down = taskContainerPlaces(tasks.slice(1, 2), [manager, { ...worker, state: 'down' }], 'm1', [local, tls]);
  assert.deepEqual(down[0].route, { kind: 'none', reason: 'the node is down' });
});

void test('removeTaskContainers: removes through each route with force; already gone counts as removed; other failures stay with their reason', async () => {
  const tls = entry('gpu-tls', 'tcp://10.231.42.2:2376');
  const places = taskContainerPlaces([
    task({ id: 'a', slot: 0, nodeId: 'm1', containerId: 'c-manager' }),
    task({ id: 'b', slot: 1, nodeId: 'w1', containerId: 'c-worker' }),
    task({ id: 'c', slot: 2, nodeId: 'w1', containerId: 'c-gone' }),
    task({ id: 'd', slot: 3, nodeId: 'm1', containerId: 'c-stuck' }),
  ], nodes, 'm1', [local, tls]);
  const calls: string[] = [];
  const engineFor = (p: (typeof places)[number]) => ({
    removeContainer: async (id: string, o: { force?: boolean }) => {
      calls.push(`${p.route.kind}:${id}:${o.force}`);
      if (id === 'c-gone') throw Object.assign(new Error('no such container'), { gone: true });
      if (id === 'c-stuck') throw new Error('device or resource busy');
    },
  });
  const r = await removeTaskContainers(places, engineFor, (e) => (e as { gone?: boolean }).gone === true);
  assert.deepEqual(calls, ['current:c-manager:true', 'engine:c-worker:true', 'engine:c-gone:true', 'current:c-stuck:true']);
  assert.deepEqual(r.removed.map((p) => p.containerId), ['c-manager', 'c-worker', 'c-gone']);
  assert.deepEqual(r.stayed.map((s) => [s.place.containerId, s.reason]), [['c-stuck', 'device or resource busy']]);
});

void test('describeTaskContainerRemoval: what went, and each container that stays with its node and why', () => {
  const places = taskContainerPlaces([task({ slot: 0, nodeId: 'm1', containerId: 'c'.repeat(64) }), task({ slot: 1, nodeId: 'w1', containerId: '0123456789abcdef' })], nodes, 'm1', [local]);
  assert.equal(describeTaskContainerRemoval('train', { removed: places, stayed: [] }), 'Removed service train and its 2 task containers.');
  assert.equal(
    describeTaskContainerRemoval('train', { removed: [places[0]], stayed: [{ place: places[1], reason: 'no engine of the Engines view reaches the node' }] }),
    'Removed service train and its 1 task container. 1 task container stays: container 0123456789ab (slot 1) on gpu-box (10.231.42.2): no engine of the Engines view reaches the node.',
  );
  assert.equal(describeTaskContainerRemoval('idle', { removed: [], stayed: [] }), 'Removed service idle.');
});
