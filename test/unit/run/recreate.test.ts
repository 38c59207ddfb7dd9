/**
 * recreateOptions: the create body that reproduces a container, from `docker inspect` output
 * recorded on the real engine (Docker 20.10, API 1.41), trimmed to the fields that matter.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { extraNetworks, recreateOptions } from '../../../src/core/run/recreate';
import { UserError } from '../../../src/core/errors';

/**
 * Recorded from: docker run -d --name rec-demo --label course=ml101 -e EPOCHS=3 -e MODE=train
 *   -p 127.0.0.1:4030:8080 -v /tmp/rec-bind:/usr/local/app/artifacts -v rec-vol:/usr/local/app/checkpoints
 *   --mount type=volume,source=rec-vol,target=/ckpt2,readonly --shm-size 256m --ipc shareable -m 512m
 *   --cpus 1.5 --restart on-failure:3 -w /usr/local/app -u 1000:1000 -it mllab-test/busybox:1 sh -c 'sleep 1000'
 */
const TRAIN: Record<string, unknown> = {
  Id: 'e0ec5ff2b33fb2cf943f1f4650c8d4b51abd8539966564a7116f1ead5d009f7f',
  Name: '/rec-demo',
  State: { Status: 'running', Running: true, Paused: false },
  Image: 'sha256:dc17ec0c4a68f5b4b0f651b5425eefc09ed0168201bbee7b73e6a68fd5655148',
  HostConfig: {
    Binds: ['/tmp/rec-bind:/usr/local/app/artifacts', 'rec-vol:/usr/local/app/checkpoints'],
    ContainerIDFile: '',
    LogConfig: { Type: 'json-file', Config: {} },
    NetworkMode: 'default',
    PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '4030' }] },
    RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
    AutoRemove: false,
    CapAdd: null,
    IpcMode: 'shareable',
    ShmSize: 268435456,
    Runtime: 'runc',
    Memory: 536870912,
    NanoCpus: 1500000000,
    MemorySwap: 1073741824,
    DeviceRequests: null,
    Mounts: [{ Type: 'volume', Source: 'rec-vol', Target: '/ckpt2', ReadOnly: true }],
  },
  Mounts: [
    { Type: 'bind', Source: '/tmp/rec-bind', Destination: '/usr/local/app/artifacts', Mode: '', RW: true, Propagation: 'rprivate' },
    { Type: 'volume', Name: 'rec-vol', Source: '/var/lib/docker/volumes/rec-vol/_data', Destination: '/usr/local/app/checkpoints', Driver: 'local', Mode: 'z', RW: true, Propagation: '' },
    { Type: 'volume', Name: 'rec-vol', Source: '/var/lib/docker/volumes/rec-vol/_data', Destination: '/ckpt2', Driver: 'local', Mode: 'z', RW: false, Propagation: '' },
  ],
  Config: {
    Hostname: 'e0ec5ff2b33f',
    Domainname: '',
    User: '1000:1000',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ExposedPorts: { '8080/tcp': {} },
    Tty: true,
    OpenStdin: true,
    StdinOnce: false,
    Env: ['EPOCHS=3', 'MODE=train', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    Cmd: ['sh', '-c', 'sleep 1000'],
    Image: 'mllab-test/busybox:1',
    Volumes: null,
    WorkingDir: '/usr/local/app',
    Entrypoint: null,
    OnBuild: null,
    Labels: { course: 'ml101', 'org.mllab.test': 'record' },
  },
  NetworkSettings: {
    Ports: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '4030' }] },
    Networks: { bridge: { IPAMConfig: null, Links: null, Aliases: null, IPAddress: '172.17.0.3' } },
  },
};

/**
 * Recorded from: docker run -d --name rec-net-demo --network rec-net --network-alias trainer -v /scratch
 *   --tmpfs /cache --ipc host mllab-test/busybox:1 sleep 1000; docker network connect --alias metrics rec-net2 rec-net-demo
 */
const NET: Record<string, unknown> = {
  Id: 'ad027cc94c0b2da3f02ca0f3a138a1c556c49a38f318d92d7ee05aca2e8b1fae',
  Name: '/rec-net-demo',
  State: { Status: 'running', Running: true, Paused: false },
  Mounts: [
    {
      Type: 'volume',
      Name: '5414e5e81d7e9fce2e82be2fb634de34b08e9bbca61cf668b0b36640f7946b7a',
      Source: '/var/lib/docker/volumes/5414e5e81d7e9fce2e82be2fb634de34b08e9bbca61cf668b0b36640f7946b7a/_data',
      Destination: '/scratch',
      Driver: 'local',
      Mode: '',
      RW: true,
      Propagation: '',
    },
  ],
  HostConfig: {
    Binds: null,
    NetworkMode: 'rec-net',
    PortBindings: {},
    IpcMode: 'host',
    ShmSize: 67108864,
    DeviceRequests: null,
    Mounts: null,
    Tmpfs: { '/cache': '' },
    AutoRemove: false,
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
  },
  Config: {
    Hostname: 'ad027cc94c0b',
    User: '',
    Tty: false,
    OpenStdin: false,
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    Cmd: ['sleep', '1000'],
    Image: 'mllab-test/busybox:1',
    Volumes: { '/scratch': {} },
    WorkingDir: '',
    Entrypoint: null,
    Labels: { 'org.mllab.test': 'record' },
  },
  NetworkSettings: {
    Networks: {
      'rec-net': { IPAMConfig: null, Links: null, Aliases: ['trainer', 'ad027cc94c0b'] },
      'rec-net2': { IPAMConfig: {}, Links: null, Aliases: ['metrics', 'ad027cc94c0b'] },
    },
  },
};

/** DeviceRequests as `docker create --gpus all` recorded them (the container could not start: no GPU runtime). */
const GPU_ALL = [{ Driver: '', Count: -1, DeviceIDs: null, Capabilities: [['gpu']], Options: {} }];

const host = (body: Record<string, unknown>) => body.HostConfig as Record<string, unknown>;
const ip = '127.0.0.1';

void test('reproduces the container config: name, image, command, env, workdir, user, labels, ports, tty', () => {
  const body = recreateOptions(TRAIN, { defaultHostIp: ip });
  assert.equal(body.name, 'rec-demo');
  assert.equal(body.Image, 'mllab-test/busybox:1');
  assert.deepEqual(body.Cmd, ['sh', '-c', 'sleep 1000']);
  assert.equal(body.Entrypoint, null);
  assert.deepEqual(body.Env, ['EPOCHS=3', 'MODE=train', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
  assert.equal(body.WorkingDir, '/usr/local/app');
  assert.equal(body.User, '1000:1000');
  assert.deepEqual(body.Labels, { course: 'ml101', 'org.mllab.test': 'record' });
  assert.deepEqual(body.ExposedPorts, { '8080/tcp': {} });
  assert.equal(body.Tty, true);
  assert.equal(body.OpenStdin, true);
});

void test("leaves out the engine's default hostname (the old container's short id)", () => {
  assert.equal('Hostname' in recreateOptions(TRAIN, { defaultHostIp: ip }), false);
  const custom = { ...TRAIN, Config: { ...(TRAIN.Config as object), Hostname: 'trainer' } };
  assert.equal(recreateOptions(custom, { defaultHostIp: ip }).Hostname, 'trainer');
});

void test('reproduces the host config: ports, binds, mounts, shm, ipc, memory, cpus, restart, network, log driver', () => {
  const h = host(recreateOptions(TRAIN, { defaultHostIp: ip }));
  assert.deepEqual(h.PortBindings, { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '4030' }] });
  assert.deepEqual(h.Binds, ['/tmp/rec-bind:/usr/local/app/artifacts', 'rec-vol:/usr/local/app/checkpoints']);
  assert.deepEqual(h.Mounts, [{ Type: 'volume', Source: 'rec-vol', Target: '/ckpt2', ReadOnly: true }]);
  assert.equal(h.ShmSize, 268435456);
  assert.equal(h.IpcMode, 'shareable');
  assert.equal(h.Memory, 536870912);
  assert.equal(h.MemorySwap, 1073741824);
  assert.equal(h.NanoCpus, 1500000000);
  assert.deepEqual(h.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.equal(h.AutoRemove, false);
  assert.equal(h.NetworkMode, 'default');
  assert.deepEqual(h.LogConfig, { Type: 'json-file', Config: {} });
  assert.equal('ContainerIDFile' in h, false);
});

void test('keeps a GPU device request', () => {
  const gpu = { ...NET, HostConfig: { ...(NET.HostConfig as object), DeviceRequests: GPU_ALL } };
  assert.deepEqual(host(recreateOptions(gpu, { defaultHostIp: ip })).DeviceRequests, GPU_ALL);
});

void test('does not modify the inspect data it reads', () => {
  const before = structuredClone(TRAIN);
  recreateOptions(TRAIN, { defaultHostIp: ip, addPorts: [{ hostPort: 4031, containerPort: 9090, protocol: 'tcp' }], addMounts: [{ type: 'volume', source: 'more', target: '/more', readOnly: false }] });
  assert.deepEqual(TRAIN, before);
});

void test('uses the committed snapshot image when given', () => {
  assert.equal(recreateOptions(TRAIN, { defaultHostIp: ip, image: 'mllab-snapshot/rec-demo:1' }).Image, 'mllab-snapshot/rec-demo:1');
});

void test('adds a port binding on the default host IP and exposes its container port', () => {
  const body = recreateOptions(TRAIN, { defaultHostIp: ip, addPorts: [{ hostPort: 4031, containerPort: 9090, protocol: 'tcp' }] });
  assert.deepEqual(host(body).PortBindings, {
    '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '4030' }],
    '9090/tcp': [{ HostIp: '127.0.0.1', HostPort: '4031' }],
  });
  assert.deepEqual(body.ExposedPorts, { '8080/tcp': {}, '9090/tcp': {} });
});

void test('adds a binding with its own host IP, and one where the engine picks the host port', () => {
  const body = recreateOptions(NET, { defaultHostIp: ip, addPorts: [{ hostIp: '0.0.0.0', hostPort: 6006, containerPort: 6006, protocol: 'tcp' }, { containerPort: 53, protocol: 'udp' }] });
  // NET runs on a user-defined network; publishing works there.
  assert.deepEqual(host(body).PortBindings, { '6006/tcp': [{ HostIp: '0.0.0.0', HostPort: '6006' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
});

const badPorts: Array<{ name: string; inspect: Record<string, unknown>; add: Parameters<typeof recreateOptions>[1]['addPorts']; expected: RegExp }> = [
  {
    name: 'rejects a container port that is already published, naming it and its binding',
    inspect: TRAIN,
    add: [{ hostPort: 4040, containerPort: 8080, protocol: 'tcp' }],
    expected: /Container port 8080\/tcp of rec-demo is already published \(on 127\.0\.0\.1:4030\)/,
  },
  {
    name: 'rejects a host port the container already binds',
    inspect: TRAIN,
    add: [{ hostPort: 4030, containerPort: 9090, protocol: 'tcp' }],
    expected: /Host port 4030\/tcp is already bound by rec-demo \(for container port 8080\/tcp\)/,
  },
  {
    name: 'rejects two added bindings on one host port',
    inspect: TRAIN,
    add: [{ hostPort: 4050, containerPort: 9090, protocol: 'tcp' }, { hostPort: 4050, containerPort: 9091, protocol: 'tcp' }],
    expected: /Host port 4050\/tcp is used twice/,
  },
  {
    name: 'rejects publishing on network host',
    inspect: { ...NET, HostConfig: { ...(NET.HostConfig as object), NetworkMode: 'host' } },
    add: [{ hostPort: 4050, containerPort: 9090, protocol: 'tcp' }],
    expected: /Cannot publish 4050:9090 on rec-net-demo: it uses network "host"/,
  },
];
for (const c of badPorts) {
  void test(`recreateOptions ${c.name}`, () => {
    assert.throws(() => recreateOptions(c.inspect, { defaultHostIp: ip, addPorts: c.add }), (err: unknown) => err instanceof UserError && c.expected.test(err.message));
  });
}

void test('a udp binding does not clash with a tcp binding on the same host port', () => {
  const body = recreateOptions(TRAIN, { defaultHostIp: ip, addPorts: [{ hostPort: 4030, containerPort: 9090, protocol: 'udp' }] });
  assert.deepEqual((host(body).PortBindings as Record<string, unknown>)['9090/udp'], [{ HostIp: '127.0.0.1', HostPort: '4030' }]);
});

void test('adds a named volume and a bind mount after the existing mounts', () => {
  const body = recreateOptions(TRAIN, {
    defaultHostIp: ip,
    addMounts: [
      { type: 'volume', source: 'datasets', target: '/data', readOnly: true },
      { type: 'bind', source: '/home/me/notebooks', target: '/usr/local/app/notebooks', readOnly: false },
    ],
  });
  assert.deepEqual(host(body).Mounts, [
    { Type: 'volume', Source: 'rec-vol', Target: '/ckpt2', ReadOnly: true },
    { Type: 'volume', Source: 'datasets', Target: '/data', ReadOnly: true },
    { Type: 'bind', Source: '/home/me/notebooks', Target: '/usr/local/app/notebooks', ReadOnly: false },
  ]);
  assert.deepEqual(host(body).Binds, (TRAIN.HostConfig as Record<string, unknown>).Binds);
});

const badMounts: Array<{ name: string; inspect: Record<string, unknown>; target: string; expected: RegExp }> = [
  { name: 'a bind mount target (-v host:path)', inspect: TRAIN, target: '/usr/local/app/artifacts', expected: /\/usr\/local\/app\/artifacts in rec-demo is already mounted from \/tmp\/rec-bind \(bind\)/ },
  { name: 'a named volume target given by -v', inspect: TRAIN, target: '/usr/local/app/checkpoints', expected: /\/usr\/local\/app\/checkpoints in rec-demo is already mounted from rec-vol/ },
  { name: 'a --mount target', inspect: TRAIN, target: '/ckpt2', expected: /\/ckpt2 in rec-demo is already mounted from rec-vol \(volume\)/ },
  { name: 'a target written with a trailing slash', inspect: TRAIN, target: '/ckpt2/', expected: /\/ckpt2 in rec-demo is already mounted/ },
  { name: 'a tmpfs target', inspect: NET, target: '/cache', expected: /\/cache in rec-net-demo is already mounted from tmpfs/ },
];
for (const c of badMounts) {
  void test(`recreateOptions rejects a mount on ${c.name}`, () => {
    assert.throws(
      () => recreateOptions(c.inspect, { defaultHostIp: ip, addMounts: [{ type: 'volume', source: 'other', target: c.target, readOnly: false }] }),
      (err: unknown) => err instanceof UserError && c.expected.test(err.message),
    );
  });
}

void test('rejects the same target twice among the added mounts', () => {
  assert.throws(
    () => recreateOptions(NET, { defaultHostIp: ip, addMounts: [{ type: 'volume', source: 'a1', target: '/x', readOnly: false }, { type: 'volume', source: 'a2', target: '/x', readOnly: false }] }),
    /\/x is given twice/,
  );
});

void test('re-attaches an anonymous volume by name so its data stays', () => {
  const h = host(recreateOptions(NET, { defaultHostIp: ip }));
  assert.deepEqual(h.Mounts, [{ Type: 'volume', Source: '5414e5e81d7e9fce2e82be2fb634de34b08e9bbca61cf668b0b36640f7946b7a', Target: '/scratch', ReadOnly: false }]);
  assert.deepEqual(h.Tmpfs, { '/cache': '' });
});

void test('an added mount on an anonymous volume path replaces the anonymous volume', () => {
  const h = host(recreateOptions(NET, { defaultHostIp: ip, addMounts: [{ type: 'bind', source: '/srv/scratch', target: '/scratch', readOnly: false }] }));
  assert.deepEqual(h.Mounts, [{ Type: 'bind', Source: '/srv/scratch', Target: '/scratch', ReadOnly: false }]);
});

void test('keeps the user-defined network with its aliases, without the old short id', () => {
  const body = recreateOptions(NET, { defaultHostIp: ip });
  assert.equal(host(body).NetworkMode, 'rec-net');
  assert.equal(host(body).IpcMode, 'host');
  assert.deepEqual(body.NetworkingConfig, { EndpointsConfig: { 'rec-net': { Aliases: ['trainer'] } } });
});

void test('lists the further networks to connect, and none for a bridge container', () => {
  assert.deepEqual(extraNetworks(NET), [{ network: 'rec-net2', endpointConfig: { Aliases: ['metrics'] } }]);
  assert.deepEqual(extraNetworks(TRAIN), []);
  assert.equal('NetworkingConfig' in recreateOptions(TRAIN, { defaultHostIp: ip }), false);
});

void test('says so when the inspect data names no image', () => {
  assert.throws(() => recreateOptions({ Name: '/x1', Config: {} }, { defaultHostIp: ip }), /Cannot recreate x1: its inspect data names no image/);
});
