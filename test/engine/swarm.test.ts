/**
 * Engine tier: a real two-node Docker Swarm. The machine's engine is the manager
 * (`swarm init`, listening only on the host end of the test's veth pair); a dockerd in a network
 * namespace (test/support/remoteEngine.ts) joins as a worker and advertises a fake GPU as a
 * generic resource (`--node-generic-resource NVIDIA-GPU=gpu0`). Profiles written as YAML go
 * through the real parser and src/core/swarm/serviceSpec.ts to `POST /services/create`.
 *
 * The machine's engine is shared by other tests: the swarm lives only as long as this file,
 * is left on both daemons in `after` (and by a process exit handler if the process dies
 * first), and the test refuses to start when the engine is already in a swarm (it would not
 * be ours to leave). Services carry the test label and are removed after each case, with the
 * task containers Docker keeps on the nodes; `docker_gwbridge`, which `swarm init` makes, is
 * removed after leaving when it was not there before.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection, createServer, type Server } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Engine, EngineError } from '../../src/engine/engine';
import type { EngineAddress } from '../../src/core/connection';
import type { EngineEntry } from '../../src/core/contexts';
import { describeTaskContainerRemoval, removeTaskContainers, routeToTaskContainer, taskContainerPlaces } from '../../src/core/swarm/taskEngine';
import { parseProfiles, type Profile } from '../../src/core/run/profile';
import { pinnedReference, toServiceSpec } from '../../src/core/swarm/serviceSpec';
import { encodeRegistryAuth } from '../../src/core/registry/auth';
import { startLocalRegistry, type LocalRegistry } from '../support/localRegistry';
import { jobProgress, logLinePrefix, splitServiceLogLine, taskOutcomes, viewTask, type SwarmNode, type SwarmTask } from '../../src/core/swarm/model';
import { swarmNodes } from '../../src/core/swarm/tree';
import { startRemoteEngine, type RemoteEngine } from '../support/remoteEngine';
import { TEST_LABEL, runId, testEngine } from '../support/fixtures';

const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const RUN = runId('swarm');
const labels = { [TEST_LABEL]: RUN };
const canMakeMachines = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

const dockerCli = (args: string[]) => spawnSync('docker', args, { encoding: 'utf8', timeout: 60_000 });
const swarmState = () => dockerCli(['info', '--format', '{{.Swarm.LocalNodeState}}']).stdout.trim();

/** Leaves the swarm on the machine's engine (synchronous: it also runs from the exit handler). */
function leaveLocalSwarm(): void {
  if (swarmState() !== 'inactive') dockerCli(['swarm', 'leave', '--force']);
}

const log = (line: string) => console.log(`[swarm] ${line}`);

describe('swarm: a two-node swarm (this engine the manager, a namespace dockerd the worker)', { skip: !canMakeMachines && 'needs root and iproute2 (scripts/setup/remote.sh)' }, () => {
  let worker: RemoteEngine | undefined;
  let workerUp = false;
  let engine: Engine;
  let workerNodeId = '';
  let weMadeTheSwarm = false;
  const onExit = () => {
    if (weMadeTheSwarm) leaveLocalSwarm();
  };
  // Killed by the test runner (Ctrl-C, a timeout): leave the swarm before going.
  const onSignal = (signal: NodeJS.Signals) => {
    onExit();
    void (worker?.stop() ?? Promise.resolve()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };

  let hadGwbridge = true;
  /** The Engines view as a user would have it: the machine's engine (current) and a context for the worker's TLS address. */
  const engineEntries = (): { current: EngineEntry; workerEntry: EngineEntry } => {
    const current: EngineEntry = { id: 'default', label: 'default', kind: 'default', address: engine.connection.address, connection: engine.connection, current: true, cliCurrent: true };
    const workerAddress: EngineAddress = { kind: 'tcp', host: worker!.address, port: 2376, tls: { caPath: path.join(worker!.certDir, 'ca.pem'), certPath: path.join(worker!.certDir, 'cert.pem'), keyPath: path.join(worker!.certDir, 'key.pem'), verify: true } };
    const workerEntry: EngineEntry = { id: 'context:swarm-worker', label: 'swarm-worker', kind: 'context', address: workerAddress, connection: { address: workerAddress, source: 'context', contextName: 'swarm-worker', describe: `${worker!.tlsHost} (test)` }, current: false, cliCurrent: false };
    return { current, workerEntry };
  };
  const containerGone = (err: unknown) => err instanceof EngineError && err.kind === 'notFound';

  before(async () => {
    const state = swarmState();
    if (state !== 'inactive') throw new Error(`the machine's engine is already in a swarm (${state}); this test makes and leaves its own, so it does not run`);
    hadGwbridge = dockerCli(['network', 'inspect', 'docker_gwbridge']).status === 0;
    worker = await startRemoteEngine('swarm', { dockerdArgs: ['--node-generic-resource', 'NVIDIA-GPU=gpu0'], hostname: 'mllab-gpu-worker' });
    workerUp = true;
    // The worker cannot reach any registry: it gets the test image by docker save | docker load,
    // and the jobs name the image by that name, which both engines have.
    worker.loadImage(TINY);
    process.on('exit', onExit);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    weMadeTheSwarm = true;
    const init = dockerCli(['swarm', 'init', '--advertise-addr', worker.hostAddress, '--listen-addr', `${worker.hostAddress}:2377`]);
    assert.equal(init.status, 0, init.stderr);
    const token = dockerCli(['swarm', 'join-token', '-q', 'worker']).stdout.trim();
    worker.docker(['swarm', 'join', '--token', token, '--advertise-addr', worker.address, '--listen-addr', `${worker.address}:2377`, `${worker.hostAddress}:2377`]);
    engine = testEngine();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const nodes = await engine.listNodes();
      const w = nodes.find((n) => n.role === 'worker' && n.state === 'ready');
      if (w) {
        workerNodeId = w.id;
        break;
      }
      if (Date.now() > deadline) throw new Error(`the worker did not become ready: ${JSON.stringify(nodes)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  });

  afterEach(async () => {
    // only this run's services, and the task containers Docker keeps on the nodes after them
    for (const s of await engine.listServices({ label: [`${TEST_LABEL}=${RUN}`] }).catch(() => [])) {
      const [tasks, nodes, info] = await Promise.all([engine.listTasks(s.id), engine.listNodes(), engine.info()]).catch(() => [[], [], undefined] as const);
      await engine.removeService(s.id).catch(() => undefined);
      const { current, workerEntry } = engineEntries();
      const places = taskContainerPlaces(tasks, nodes, info?.swarmNodeId, workerUp ? [current, workerEntry] : [current]);
      const through = workerUp ? new Engine(workerEntry.connection!, 30_000) : undefined;
      const r = await removeTaskContainers(places, (p) => (p.route.kind === 'engine' && through ? through : engine), containerGone);
      through?.close();
      if (r.stayed.length) log(`after ${s.name}: ${describeTaskContainerRemoval(s.name, r)}`);
    }
  });

  after(async () => {
    try {
      if (workerUp) worker?.docker(['swarm', 'leave', '--force']);
    } catch (e) {
      log(`worker leave: ${String(e)}`);
    }
    if (weMadeTheSwarm) leaveLocalSwarm();
    // `swarm init` made docker_gwbridge; leaving keeps it.
    if (weMadeTheSwarm && !hadGwbridge) dockerCli(['network', 'rm', 'docker_gwbridge']);
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await worker?.stop();
    assert.equal(swarmState(), 'inactive', 'the machine engine left the swarm');
  });

  /** Parses a profile file with one profile `job` (image: the test image) and the given swarm/run sections. */
  function profileOf(yaml: string): Profile {
    const { profiles, errors } = parseProfiles(`version: 1\nprofiles:\n  job:\n    image: ${TINY}\n${yaml}`, { workspaceFolder: '/tmp' });
    assert.deepEqual(errors, []);
    return profiles[0];
  }

  let serial = 0;
  /** Creates the profile's job; returns its id and name. */
  async function createJob(profile: Profile): Promise<{ id: string; name: string }> {
    const name = `mllab-enginetest-${RUN}-${++serial}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
    const spec = toServiceSpec(profile, { name, image: TINY, env: profile.run.env, labels });
    const id = await engine.createService(spec);
    return { id, name };
  }

  /** Polls the job until `until` holds (default: the job is done); returns its tasks and the nodes. */
  async function waitJob(id: string, total: number, until?: (tasks: SwarmTask[], nodes: SwarmNode[]) => boolean, timeoutMs = 60_000): Promise<{ tasks: SwarmTask[]; nodes: SwarmNode[] }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [tasks, nodes] = await Promise.all([engine.listTasks(id), engine.listNodes()]);
      if (until ? until(tasks, nodes) : jobProgress(tasks, nodes, total).done) return { tasks, nodes };
      if (Date.now() > deadline) throw new Error(`job ${id} did not get there within ${timeoutMs} ms: ${JSON.stringify(tasks)}`);
      await new Promise((r) => setTimeout(r, 400));
    }
  }

  /** Every task's log lines, prefixed with slot and node as the terminal shows them. */
  async function prefixedLogs(id: string, tasks: SwarmTask[], nodes: SwarmNode[]): Promise<string[]> {
    const lines: string[] = [];
    await engine.serviceLogs(id, (line) => {
      const parts = splitServiceLogLine(line);
      lines.push(`${logLinePrefix(parts, tasks, nodes)}${parts.text}`);
    }, { follow: false });
    return lines.sort();
  }

  const hostnameOf = (nodes: SwarmNode[], id?: string) => nodes.find((n) => n.id === id)?.hostname;

  it('sees both nodes: roles, states, the worker\'s fake GPU, engine versions', async () => {
    const nodes = await engine.listNodes();
    assert.equal(nodes.length, 2);
    const manager = nodes.find((n) => n.role === 'manager')!;
    const w = nodes.find((n) => n.role === 'worker')!;
    assert.equal(manager.leader, true);
    assert.equal(w.state, 'ready');
    assert.deepEqual(w.generic, [{ kind: 'NVIDIA-GPU', value: 'gpu0' }]);
    assert.deepEqual(manager.generic, []);
    assert.match(w.engineVersion, /^\d+\.\d+/);
    log(`nodes: ${nodes.map((n) => `${n.hostname} (${n.role}, ${n.state}, ${n.address}, GPUs ${JSON.stringify(n.generic)})`).join('; ')}`);
  });

  it('labels the worker (gpu=true); the view model lists the label and the GPU', async () => {
    await engine.updateNodeLabels(workerNodeId, { gpu: 'true', [TEST_LABEL]: RUN });
    const nodes = await engine.listNodes();
    const w = nodes.find((n) => n.id === workerNodeId)!;
    assert.equal(w.labels.gpu, 'true');
    const rows = swarmNodes(nodes);
    const row = rows.find((r) => r.ref === workerNodeId)!;
    assert.match(row.description ?? '', /worker · active · ready/);
    assert.match(row.description ?? '', /gpu=true/);
    assert.match(row.description ?? '', /NVIDIA-GPU gpu0/);
  });

  it('a job constrained to node.labels.gpu == true runs on the worker; its logs and exit code come back with the node named', async () => {
    const profile = profileOf([
      '    run:',
      '      command: ["sh", "-c", "echo trained on $(hostname) epochs=$EPOCHS; exit 3"]',
      '      env: { EPOCHS: "20" }',
      '    swarm:',
      '      constraints: ["node.labels.gpu == true"]',
    ].join('\n'));
    const { id, name } = await createJob(profile);
    const { tasks, nodes } = await waitJob(id, 1);
    assert.equal(tasks.length, 1);
    const [t] = tasks;
    assert.equal(t.nodeId, workerNodeId, 'the task ran on the worker');
    assert.equal(t.state, 'failed');
    assert.equal(t.exitCode, 3);
    const lines = await prefixedLogs(id, tasks, nodes);
    const workerName = hostnameOf(nodes, workerNodeId)!;
    assert.deepEqual(lines, [`[slot 0 @ ${workerName}] trained on ${lines[0].replace(/^.* trained on (\S+) .*$/, '$1')} epochs=20`]);
    assert.deepEqual(taskOutcomes(tasks, nodes), [`slot 0 on ${workerName}: exit 3 (failed)`]);
    log(`${name}: ${taskOutcomes(tasks, nodes).join('; ')}`);
    for (const l of lines) log(`${name} log: ${l}`);
  });

  it('a job asking for a GPU lands on the worker, which advertises one as a generic resource', async () => {
    const profile = profileOf(['    run:', '      command: ["echo", "gpu job"]', '      gpus: 1'].join('\n'));
    const { id, name } = await createJob(profile);
    const { tasks, nodes } = await waitJob(id, 1);
    assert.equal(tasks[0].nodeId, workerNodeId);
    const lines = await prefixedLogs(id, tasks, nodes);
    assert.equal(tasks[0].exitCode, 0, lines.join('\n'));
    // The scheduler gave the task the worker's one GPU.
    assert.deepEqual(tasks[0].assigned, [{ kind: 'NVIDIA-GPU', value: 'gpu0' }]);
    log(`${name}: ${taskOutcomes(tasks, nodes).join('; ')}`);
    for (const l of lines) log(`${name} log: ${l}`);
  });

  it('a job asking for 2 GPUs, which no node has, stays pending and the view model says why', async () => {
    const profile = profileOf(['    run:', '      command: ["true"]', '      gpus: 2'].join('\n'));
    const { id, name } = await createJob(profile);
    const { tasks, nodes } = await waitJob(id, 1, (ts) => ts.some((t) => t.error !== undefined && /insufficient resources/.test(t.error)), 30_000);
    const progress = jobProgress(tasks, nodes, 1);
    assert.equal(progress.done, false);
    assert.equal(progress.waiting.length, 1);
    assert.match(progress.waiting[0].problem!, /no suitable node \(insufficient resources on 2 nodes\)/);
    assert.equal(tasks[0].state, 'pending');
    assert.match(viewTask(tasks[0], nodes).problem!, /insufficient resources on 2 nodes/);
    log(`${name}: pending: ${progress.waiting[0].problem}`);
  });

  it('a job with 3 replicas (at most 2 per node) spreads over both nodes', async () => {
    const profile = profileOf([
      '    run:',
      '      command: ["sh", "-c", "echo replica on $(hostname); sleep 1"]',
      '    swarm:',
      '      replicas: 3',
      '      maxPerNode: 2',
    ].join('\n'));
    const { id, name } = await createJob(profile);
    const { tasks, nodes } = await waitJob(id, 3);
    const done = tasks.filter((t) => t.state === 'complete');
    assert.equal(done.length, 3, JSON.stringify(tasks));
    assert.deepEqual([...new Set(done.map((t) => t.slot))].sort(), [0, 1, 2]);
    const used = new Set(done.map((t) => t.nodeId));
    assert.equal(used.size, 2, 'tasks on both nodes');
    const lines = await prefixedLogs(id, tasks, nodes);
    assert.equal(lines.length, 3);
    for (const t of done) assert.ok(lines.some((l) => l.startsWith(`[slot ${t.slot} @ ${hostnameOf(nodes, t.nodeId)}] replica on `)), lines.join('\n'));
    log(`${name}: ${taskOutcomes(tasks, nodes).join('; ')}`);
    for (const l of lines) log(`${name} log: ${l}`);
  });

  it('Download Artifacts from a finished task on the worker: through the engine made for the worker\'s TLS address, which the node matching picks', async () => {
    const profile = profileOf([
      '    run:',
      '      command: ["sh", "-c", "mkdir -p /out && echo model of $(hostname) > /out/model.txt"]',
      '    swarm:',
      '      constraints: ["node.role == worker"]',
    ].join('\n'));
    const { id, name } = await createJob(profile);
    const { tasks, nodes } = await waitJob(id, 1);
    const [t] = tasks;
    assert.equal(t.nodeId, workerNodeId);
    assert.equal(t.exitCode, 0, JSON.stringify(tasks));
    const info = await engine.info();
    assert.ok(info.swarmNodeId && info.swarmNodeId !== workerNodeId, 'GET /info names the manager\'s own node');
    const { current, workerEntry } = engineEntries();
    // Without the worker's entry: no way there, and the message names the node and its address.
    const none = routeToTaskContainer(t, nodes, info.swarmNodeId, [current]);
    assert.equal(none.kind, 'none');
    assert.match(none.kind === 'none' ? none.message : '', new RegExp(`address ${worker!.address.replace(/\./g, '\\.')}\\)`));
    const route = routeToTaskContainer(t, nodes, info.swarmNodeId, [current, workerEntry]);
    assert.equal(route.kind, 'engine');
    if (route.kind !== 'engine') return;
    assert.equal(route.entry.label, 'swarm-worker');
    // The container is not on the manager's engine: only the worker's engine has it.
    await assert.rejects(engine.inspectContainer(route.containerId), /no such container|not found|No such container/i);
    const through = new Engine(route.entry.connection, 30_000);
    const dest = mkdtempSync(path.join(tmpdir(), 'mllab-swarm-dl-'));
    try {
      const result = await through.downloadFromContainer(route.containerId, '/out', dest, { decide: async () => 'cancel' });
      assert.ok(result, 'not cancelled: the folder was empty');
      assert.equal(result.files, 1);
      const text = readFileSync(path.join(dest, 'model.txt'), 'utf8');
      assert.match(text, /^model of \S+\n$/);
      log(`${name}: slot ${t.slot} on ${hostnameOf(nodes, t.nodeId)} (${route.node.address}) -> downloaded /out through ${route.entry.label} (${worker!.tlsHost}): ${result.files} file, ${result.bytes} bytes in ${result.durationMs} ms: ${text.trim()}`);
    } finally {
      through.close();
      rmSync(dest, { recursive: true, force: true });
    }
  });

  it('Remove Service on a finished job: the task containers Docker keeps go from both nodes, the worker\'s through its engine; without one it is named as staying', async () => {
    const profile = profileOf([
      '    run:',
      '      command: ["sh", "-c", "echo done on $(hostname)"]',
      '    swarm:',
      '      replicas: 2',
      '      maxPerNode: 1',
    ].join('\n'));
    const { id, name } = await createJob(profile);
    const { tasks, nodes } = await waitJob(id, 2);
    assert.equal(new Set(tasks.map((t) => t.nodeId)).size, 2, 'one task on each node');
    const info = await engine.info();
    const { current, workerEntry } = engineEntries();
    const workerHost = hostnameOf(nodes, workerNodeId)!;
    const through = new Engine(workerEntry.connection!, 30_000);
    try {
      const places = taskContainerPlaces(tasks, nodes, info.swarmNodeId, [current, workerEntry]);
      assert.deepEqual(places.map((p) => p.route.kind).sort(), ['current', 'engine']);
      const onManager = places.find((p) => p.route.kind === 'current')!.containerId;
      const onWorker = places.find((p) => p.route.kind === 'engine')!.containerId;
      await engine.removeService(id);
      await new Promise((r) => setTimeout(r, 3_000));
      // What the user saw before: the service is gone, its exited task containers are not.
      const kept = [await engine.inspectContainer(onManager).then(() => 'manager', () => ''), await through.inspectContainer(onWorker).then(() => 'worker', () => '')].filter(Boolean);
      log(`${name}: 3 s after DELETE /services, task containers still on: ${kept.join(', ') || 'none'}`);
      // With only the machine's engine in the Engines view, the worker's container stays and is named.
      const partial = await removeTaskContainers(taskContainerPlaces(tasks, nodes, info.swarmNodeId, [current]), () => engine, containerGone);
      assert.deepEqual(partial.removed.map((p) => p.containerId), [onManager]);
      const said = describeTaskContainerRemoval(name, partial);
      assert.match(said, new RegExp(`and its 1 task container\\. 1 task container stays: container ${onWorker.slice(0, 12)} \\(slot \\d\\) on ${workerHost} \\(${worker!.address.replace(/\./g, '\\.')}\\): no engine of the Engines view reaches the node\\.$`));
      await assert.rejects(engine.inspectContainer(onManager), /no such container|not found/i, 'the manager\'s task container is gone');
      await through.inspectContainer(onWorker); // still there
      // With the worker's engine: it goes too.
      const full = await removeTaskContainers(places, (p) => (p.route.kind === 'engine' ? through : engine), containerGone);
      assert.equal(full.stayed.length, 0, describeTaskContainerRemoval(name, full));
      assert.equal(full.removed.length, 2, 'the one already removed counts as gone');
      await assert.rejects(through.inspectContainer(onWorker), /no such container|not found/i, 'the worker\'s task container is gone');
      log(`${name}: ${said} | then with the worker's engine: ${describeTaskContainerRemoval(name, full)}`);
    } finally {
      through.close();
    }
  });

  it('an image only on the manager is pushed to a registry and the worker pulls it by digest', async () => {
    // The registry listens on this machine's 127.0.0.1:<port> (an insecure registry for dockerd);
    // the worker reaches it at its own 127.0.0.1:<port> through two forwarders:
    // namespace 127.0.0.1 -> host veth address -> host 127.0.0.1.
    const registry: LocalRegistry = await startLocalRegistry('swarm');
    const hostSide: Server = createServer((c) => c.pipe(createConnection(registry.port, '127.0.0.1')).pipe(c).on('error', () => c.destroy()));
    await new Promise<void>((resolve) => hostSide.listen(registry.port, worker!.hostAddress, resolve));
    const nsSide: ChildProcess = spawn('nsenter', [`--net=/var/run/netns/${worker!.ns}`, process.execPath, '-e',
      `require('net').createServer((c) => c.pipe(require('net').connect(${registry.port}, '${worker!.hostAddress}')).pipe(c).on('error', () => c.destroy())).listen(${registry.port}, '127.0.0.1')`], { stdio: 'ignore' });
    const pushed = `${registry.host}/mllab-swarm-test:${RUN}`;
    try {
      dockerCli(['tag', TINY, pushed]);
      const { digest } = await engine.pushImage(pushed, { registryAuth: encodeRegistryAuth(undefined, registry.host) });
      assert.match(digest ?? '', /^sha256:[0-9a-f]{64}$/);
      const image = pinnedReference(pushed, digest);
      assert.equal(worker!.docker(['images', '-q', `${registry.host}/mllab-swarm-test`]), '', 'the worker does not have it yet');
      const profile = profileOf(['    run:', '      command: ["echo", "pulled by digest"]', '    swarm:', '      constraints: ["node.role == worker"]'].join('\n'));
      const name = `mllab-enginetest-${RUN}-${++serial}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
      const id = await engine.createService(toServiceSpec(profile, { name, image, env: {}, labels }));
      const { tasks, nodes } = await waitJob(id, 1);
      assert.equal(tasks[0].nodeId, workerNodeId);
      assert.equal(tasks[0].exitCode, 0, JSON.stringify(tasks));
      assert.equal(worker!.docker(['images', '--digests', '--format', '{{.Digest}}', `${registry.host}/mllab-swarm-test`]), digest, 'the worker pulled that digest');
      const lines = await prefixedLogs(id, tasks, nodes);
      assert.deepEqual(lines, [`[slot 0 @ ${hostnameOf(nodes, workerNodeId)}] pulled by digest`]);
      log(`${name}: ${image}: ${taskOutcomes(tasks, nodes).join('; ')}`);
    } finally {
      dockerCli(['rmi', pushed]); // the tag only: the image stays under its other name
      nsSide.kill();
      hostSide.close();
      await registry.stop();
    }
  });

  it('a node that goes down mid-job is reported (the worker\'s dockerd stops)', { timeout: 120_000 }, async () => {
    const profile = profileOf([
      '    run:',
      '      command: ["sh", "-c", "echo long job on $(hostname); sleep 300"]',
      '    swarm:',
      '      constraints: ["node.role == worker"]',
    ].join('\n'));
    const { id, name } = await createJob(profile);
    await waitJob(id, 1, (ts) => ts.some((t) => t.state === 'running'), 60_000);
    // The worker goes away: its dockerd is stopped (the namespace and its state go with it).
    workerUp = false;
    await worker!.stop();
    const { tasks, nodes } = await waitJob(id, 1, (ts, ns) => jobProgress(ts, ns, 1).lost > 0, 90_000);
    const w = nodes.find((n) => n.id === workerNodeId)!;
    assert.notEqual(w.state, 'ready');
    const progress = jobProgress(tasks, nodes, 1);
    assert.equal(progress.lost, 1);
    assert.equal(progress.done, true, 'nothing else can run');
    const outcomes = taskOutcomes(tasks, nodes);
    assert.deepEqual(outcomes, [`slot 0 on ${w.hostname}: node down, outcome unknown`]);
    const row = swarmNodes(nodes).find((r) => r.ref === workerNodeId)!;
    assert.match(row.description ?? '', new RegExp(`worker · active · ${w.state}`));
    log(`${name}: worker ${w.hostname} is ${w.state}; ${outcomes.join('; ')}; task: ${viewTask(tasks[0], nodes).problem}`);
  });
});
