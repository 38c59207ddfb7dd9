/** Unit tests of the Swarm logic: the swarm: section, profile -> job spec, image plan, tasks, logs, tree rows. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProfiles, type Profile } from '../../../src/core/run/profile';
import { pinnedReference, planSwarmImage, serviceNameFor, toServiceSpec, validateConstraint } from '../../../src/core/swarm/serviceSpec';
import { jobProgress, logLinePrefix, splitServiceLogLine, taskOutcomes, viewTask, type SwarmNode, type SwarmTask } from '../../../src/core/swarm/model';
import { swarmNodes, swarmTree } from '../../../src/core/swarm/tree';

const parse = (body: string) => parseProfiles(`version: 1\nprofiles:\n  train:\n    image: iris-train:v1\n${body}`, { workspaceFolder: '/ws' });
const profile = (body: string): Profile => {
  const r = parse(body);
  assert.deepEqual(r.errors.map((e) => e.message), []);
  return r.profiles[0];
};
const spec = (body: string) => toServiceSpec(profile(body), { name: 'train-120000', image: 'reg/iris@sha256:abc', env: { EPOCHS: '20' }, labels: { course: 'ml101' } }) as {
  Mode: unknown; Labels: Record<string, string>;
  TaskTemplate: { ContainerSpec: Record<string, unknown>; RestartPolicy: unknown; Resources?: unknown; Placement?: unknown };
};

void test('the swarm: section reads replicas, maxConcurrent, constraints, maxPerNode, spread, registry and volumes', () => {
  const p = profile([
    '    swarm:',
    '      replicas: 3',
    '      maxConcurrent: 2',
    '      constraints: ["node.labels.gpu==true", "node.role != manager"]',
    '      maxPerNode: 1',
    '      spread: node.labels.rack',
    '      registry: 127.0.0.1:5000/course',
    '      volumes: ["iris-artifacts:/usr/local/app/artifacts"]',
  ].join('\n'));
  assert.deepEqual(p.swarm, {
    replicas: 3, maxConcurrent: 2, constraints: ['node.labels.gpu == true', 'node.role != manager'], maxPerNode: 1, spread: 'node.labels.rack',
    registry: '127.0.0.1:5000/course', volumes: [{ type: 'volume', source: 'iris-artifacts', target: '/usr/local/app/artifacts', readOnly: false }],
  });
});

const badSections: Array<{ name: string; body: string; message: RegExp; path: string }> = [
  { name: 'replicas 0', body: 'replicas: 0', message: /profiles.train.swarm.replicas is 0; it must be at least 1/, path: 'profiles.train.swarm.replicas' },
  { name: 'replicas as text', body: 'replicas: three', message: /should be a whole number, not the text "three"/, path: 'profiles.train.swarm.replicas' },
  { name: 'a constraint without an operator', body: 'constraints: ["gpu"]', message: /Constraint "gpu" is not <attribute> == <value>/, path: 'profiles.train.swarm.constraints[0]' },
  { name: 'a constraint on an unknown attribute', body: 'constraints: ["node.gpu == true"]', message: /node.labels.<name>/, path: 'profiles.train.swarm.constraints[0]' },
  { name: 'a bind mount in swarm.volumes', body: 'volumes: ["./artifacts:/out"]', message: /not a bind mount: on each node it would name that node's own folder/, path: 'profiles.train.swarm.volumes[0]' },
  { name: 'an unknown field, with a suggestion', body: 'replica: 2', message: /Unknown field "replica".*did you mean "replicas"/, path: 'profiles.train.swarm.replica' },
  { name: 'a registry with a scheme', body: 'registry: https://reg', message: /"https:\/\/reg" is not valid for profiles.train.swarm.registry: write host\[:port\]\[\/namespace\]/, path: 'profiles.train.swarm.registry' },
];
for (const c of badSections) {
  void test(`the swarm: section refuses ${c.name}`, () => {
    const r = parse(`    swarm:\n      ${c.body}`);
    assert.equal(r.profiles.length, 0);
    assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
    assert.match(r.errors[0].message, c.message);
    assert.equal(r.errors[0].path, c.path);
  });
}

void test('a profile becomes a replicated job that is not restarted, with the image by digest, env, labels and command', () => {
  const s = spec(['    run:', '      command: ["python", "train.py"]', '      workdir: /app', '      user: "1000"', '    swarm: { replicas: 3, maxConcurrent: 2 }'].join('\n'));
  assert.deepEqual(s.Mode, { ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 3 } });
  assert.deepEqual(s.TaskTemplate.RestartPolicy, { Condition: 'none' });
  const c = s.TaskTemplate.ContainerSpec;
  assert.equal(c.Image, 'reg/iris@sha256:abc');
  assert.deepEqual(c.Args, ['python', 'train.py']);
  assert.equal(c.Command, undefined, "the image's ENTRYPOINT stays, as with docker run");
  assert.equal(c.Dir, '/app');
  assert.equal(c.User, '1000');
  assert.deepEqual(c.Env, ['EPOCHS=20']);
  assert.deepEqual(s.Labels, { course: 'ml101', 'org.mllab.profile': 'train' });
});

void test('maxConcurrent defaults to every replica and never exceeds them', () => {
  assert.deepEqual(spec('    swarm: { replicas: 4 }').Mode, { ReplicatedJob: { MaxConcurrent: 4, TotalCompletions: 4 } });
  assert.deepEqual(spec('    swarm: { replicas: 2, maxConcurrent: 5 }').Mode, { ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 2 } });
  assert.deepEqual(spec('').Mode, { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } });
});

void test('GPUs become NVIDIA-GPU generic resources; memory and CPUs limits; constraints, maxPerNode and spread the placement', () => {
  const s = spec(['    run: { gpus: 2, memory: 2g, cpus: 1.5 }', '    swarm: { constraints: ["node.labels.gpu == true"], maxPerNode: 1, spread: node.labels.rack }'].join('\n'));
  assert.deepEqual(s.TaskTemplate.Resources, {
    Limits: { MemoryBytes: 2 * 1024 ** 3, NanoCPUs: 1_500_000_000 },
    Reservations: { GenericResources: [{ DiscreteResourceSpec: { Kind: 'NVIDIA-GPU', Value: 2 } }] },
  });
  assert.deepEqual(s.TaskTemplate.Placement, { Constraints: ['node.labels.gpu == true'], MaxReplicas: 1, Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.rack' } }] });
});

void test('named volumes become volume mounts; shmSize a tmpfs at /dev/shm; swarm.volumes replaces run.volumes', () => {
  const s = spec(['    run: { volumes: ["data:/data:ro"], shmSize: 1g }'].join('\n'));
  assert.deepEqual(s.TaskTemplate.ContainerSpec.Mounts, [
    { Type: 'volume', Source: 'data', Target: '/data', ReadOnly: true },
    { Type: 'tmpfs', Target: '/dev/shm', TmpfsOptions: { SizeBytes: 1024 ** 3 } },
  ]);
  const t = spec(['    run: { volumes: ["./artifacts:/out"] }', '    swarm: { volumes: ["out:/out"] }'].join('\n'));
  assert.deepEqual(t.TaskTemplate.ContainerSpec.Mounts, [{ Type: 'volume', Source: 'out', Target: '/out', ReadOnly: false }]);
});

void test('entrypoint: "" clears the image ENTRYPOINT: the command runs as it is', () => {
  const c = spec('    run: { entrypoint: "", command: ["sh", "-c", "echo hi"] }').TaskTemplate.ContainerSpec;
  assert.deepEqual(c.Command, ['sh', '-c', 'echo hi']);
  assert.equal(c.Args, undefined);
});

const refused: Array<{ name: string; run: string; message: RegExp; hint: RegExp }> = [
  { name: 'a bind mount, saying why and what to write', run: 'volumes: ["./artifacts:/usr/local/app/artifacts"]', message: /bind mount \/ws\/artifacts:\/usr\/local\/app\/artifacts cannot go to a Swarm job: on each node it would name that node's own folder/, hint: /swarm: \{ volumes: \["train-data:\/usr\/local\/app\/artifacts"\] \}/ },
  { name: 'published ports', run: 'ports: ["4000:8080"]', message: /publishes no port/, hint: /remove run.ports/ },
  { name: 'gpus: all', run: 'gpus: all', message: /gpus: all cannot go to a Swarm job/, hint: /gpus: 1/ },
  { name: 'GPU device ids', run: 'gpus: device=0', message: /device=\.\.\. cannot go/, hint: /count/ },
  { name: 'an interactive run', run: 'interactive: true', message: /interactive run/, hint: /detach: true/ },
  { name: 'a network', run: 'network: host', message: /network is not supported/, hint: /Remove it/ },
];
for (const c of refused) {
  void test(`the job mapping refuses ${c.name}`, () => {
    assert.throws(() => spec(`    run: { ${c.run} }`), (err: Error & { hint?: string }) => {
      assert.match(err.message, c.message);
      assert.match(err.hint ?? '', c.hint);
      return true;
    });
  });
}

void test('constraints are normalised to "a == b"', () => {
  assert.equal(validateConstraint(' node.labels.gpu==true '), 'node.labels.gpu == true');
  assert.equal(validateConstraint('engine.labels.zone != b'), 'engine.labels.zone != b');
});

void test('service names: the profile name and the time, DNS-safe', () => {
  assert.equal(serviceNameFor('train', new Date(2026, 0, 1, 14, 5, 9)), 'train-140509');
  assert.equal(serviceNameFor('Iris_Train.v2', new Date(2026, 0, 1, 1, 2, 3)), 'iris-train-v2-010203');
});

const plans: Array<{ name: string; image: { reference: string; repoDigests: string[] }; registry?: string; nodes: number; expected: Record<string, unknown> }> = [
  { name: 'an image pushed before runs by its registry digest', image: { reference: '127.0.0.1:5000/iris:v1', repoDigests: ['127.0.0.1:5000/iris@sha256:aa'] }, nodes: 2, expected: { kind: 'digest', image: '127.0.0.1:5000/iris@sha256:aa' } },
  { name: 'a local image with a registry named is pushed there', image: { reference: 'iris-train:v1', repoDigests: [] }, registry: '127.0.0.1:5000/course/', nodes: 2, expected: { kind: 'push', target: '127.0.0.1:5000/course/iris-train:v1' } },
  { name: 'an untagged reference is pushed as latest', image: { reference: 'lab/iris', repoDigests: [] }, registry: 'reg:5000', nodes: 2, expected: { kind: 'push', target: 'reg:5000/iris:latest' } },
];
for (const c of plans) {
  void test(`image plan: ${c.name}`, () => assert.deepEqual(planSwarmImage(c.image, c.registry, c.nodes), c.expected));
}

void test('image plan: a local-only image with no registry says so and what to do', () => {
  const p = planSwarmImage({ reference: 'iris-train:v1', repoDigests: [] }, undefined, 3);
  assert.equal(p.kind, 'localOnly');
  if (p.kind !== 'localOnly') return;
  assert.match(p.message, /exists only on this engine.*names no swarm.registry.*2 other node/);
  assert.match(p.hint, /swarm: \{ registry: .*docker save \| docker load/);
  const one = planSwarmImage({ reference: 'x:1', repoDigests: [] }, undefined, 1);
  assert.match(one.kind === 'localOnly' ? one.message : '', /runs by name on this one-node swarm/);
});

const node = (id: string, hostname: string, o: Partial<SwarmNode> = {}): SwarmNode => ({
  id, hostname, role: 'worker', leader: false, availability: 'active', state: 'ready', labels: {}, engineVersion: '20.10.24', generic: [], cpus: 2, memoryBytes: 2 ** 30, ...o,
});
const task = (id: string, o: Partial<SwarmTask> = {}): SwarmTask => ({ id, serviceId: 's1', slot: 0, state: 'running', desiredState: 'complete', message: 'started', timestamp: '2026-01-01T00:00:00Z', assigned: [], ...o });
const nodes = [node('m1', 'lab-manager', { role: 'manager', leader: true }), node('w1', 'gpu-box', { labels: { gpu: 'true' }, generic: [{ kind: 'NVIDIA-GPU', value: 'gpu0' }] })];

void test('job progress: done when every completion is there', () => {
  const p = jobProgress([task('a', { state: 'complete', exitCode: 0, nodeId: 'w1' }), task('b', { slot: 1, state: 'running', nodeId: 'm1' })], nodes, 2);
  assert.deepEqual({ completed: p.completed, active: p.active, done: p.done }, { completed: 1, active: 1, done: false });
  const q = jobProgress([task('a', { state: 'complete', exitCode: 0, nodeId: 'w1' }), task('b', { slot: 1, state: 'complete', exitCode: 0, nodeId: 'm1' })], nodes, 2);
  assert.equal(q.done, true);
});

void test('job progress: a failed task is not replaced, so the job ends when nothing can run', () => {
  const p = jobProgress([task('a', { state: 'failed', exitCode: 3, nodeId: 'w1' })], nodes, 1);
  assert.deepEqual({ failed: p.failed, done: p.done }, { failed: 1, done: true });
});

void test('job progress: a pending task says why it waits', () => {
  const p = jobProgress([task('a', { state: 'pending', message: 'pending task scheduling', error: 'no suitable node (insufficient resources on 2 nodes)' })], nodes, 1);
  assert.equal(p.done, false);
  assert.equal(p.waiting[0].problem, 'no suitable node (insufficient resources on 2 nodes)');
});

void test('job progress: a task on a node that is down is lost, and the job is over when nothing else runs', () => {
  const down = [nodes[0], { ...nodes[1], state: 'down' }];
  const p = jobProgress([task('a', { nodeId: 'w1' })], down, 1);
  assert.deepEqual({ lost: p.lost, active: p.active, done: p.done }, { lost: 1, active: 0, done: true });
  assert.match(viewTask(task('a', { nodeId: 'w1' }), down).problem!, /node gpu-box is down: the task's outcome is unknown/);
  assert.deepEqual(taskOutcomes([task('a', { nodeId: 'w1' })], down), ['slot 0 on gpu-box: node down, outcome unknown']);
});

void test('task outcomes list every task by slot with its node and exit code', () => {
  assert.deepEqual(taskOutcomes([
    task('b', { slot: 1, state: 'failed', exitCode: 2, nodeId: 'm1' }),
    task('a', { slot: 0, state: 'complete', exitCode: 0, nodeId: 'w1' }),
    task('c', { slot: 2, state: 'pending', error: 'no suitable node' }),
  ], nodes), ['slot 0 on gpu-box: exit 0', 'slot 1 on lab-manager: exit 2 (failed)', 'slot 2 on no node: pending (no suitable node)']);
});

void test('service log lines: the details prefix is read and replaced by slot and hostname', () => {
  const line = 'com.docker.swarm.node.id=w1,com.docker.swarm.service.id=s1,com.docker.swarm.task.id=a epoch 1 loss=0.5';
  const parts = splitServiceLogLine(line);
  assert.deepEqual(parts, { taskId: 'a', nodeId: 'w1', text: 'epoch 1 loss=0.5' });
  assert.equal(logLinePrefix(parts, [task('a', { slot: 2 })], nodes), '[slot 2 @ gpu-box] ');
  assert.equal(logLinePrefix({ taskId: 'zzzzzzzzzzzzzzzz', nodeId: 'qqqqqqqqqqqqqqqq' }, [], nodes), '[task zzzzzzzzzzzz @ qqqqqqqqqqqq] ');
  assert.deepEqual(splitServiceLogLine('plain text = 3'), { text: 'plain text = 3' });
  assert.equal(logLinePrefix({}, [], nodes), '');
});

void test('node rows: role, availability, state, labels, GPUs and engine version; a down node is red', () => {
  const rows = swarmNodes([nodes[0], { ...nodes[1], state: 'down' }]);
  assert.equal(rows[0].description, 'manager (leader) · active · ready · Docker 20.10.24');
  assert.equal(rows[1].description, 'worker · active · down · gpu=true · NVIDIA-GPU gpu0 · Docker 20.10.24');
  assert.equal(rows[1].iconColor, 'charts.red');
  assert.equal(rows[1].contextValue, 'swarmNode;worker;down;');
});

void test('the tree: Nodes and Services, each service with its tasks and why one waits', () => {
  const tree = swarmTree(nodes, [{ id: 's1', name: 'train-1', mode: 'replicated-job', image: 'r/i@sha256:0123456789abcdef0123', labels: { 'org.mllab.created-by': 'ml-container-lab' }, totalCompletions: 2, maxConcurrent: 2, createdAt: '2026-01-01T00:00:00Z' }], [
    task('a', { state: 'complete', exitCode: 0, nodeId: 'w1' }),
    task('b', { slot: 1, state: 'pending', error: 'no suitable node (insufficient resources on 2 nodes)' }),
  ]);
  assert.deepEqual(tree.map((g) => g.label), ['Nodes', 'Services']);
  const svc = tree[1].children![0];
  assert.equal(svc.description, 'replicated-job · 1/2 complete · 1 waiting · r/i@sha256:0123456789ab…');
  assert.equal(svc.contextValue, 'swarmService;job;mllab;');
  assert.deepEqual(svc.children!.map((t) => `${t.label}: ${t.description}`), [
    'slot 0: gpu-box · complete · exit 0',
    'slot 1: no node yet · pending · no suitable node (insufficient resources on 2 nodes)',
  ]);
});

void test('after a push the job runs the repository at the pushed digest, without the tag', () => {
  assert.equal(pinnedReference('127.0.0.1:5000/course/iris-train:v1', 'sha256:ab12'), '127.0.0.1:5000/course/iris-train@sha256:ab12');
  assert.equal(pinnedReference('reg:5000/iris', 'sha256:cd'), 'reg:5000/iris@sha256:cd');
  assert.equal(pinnedReference('reg:5000/iris:v2', undefined), 'reg:5000/iris:v2');
});
