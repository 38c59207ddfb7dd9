import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { dockerBuildCommand, dockerRunCommand, runCommandFromInspect, shellQuote } from '../../../src/core/run/cliText';
import type { RunRequest } from '../../../src/core/run/createOptions';
import type { Profile, ProfileRun } from '../../../src/core/run/profile';

const GiB = 1024 ** 3;
const quoteCases: Array<{ name: string; input: string; expected: string }> = [
  { name: 'leaves a safe word unquoted', input: 'iris-train:v1', expected: 'iris-train:v1' },
  { name: 'leaves K=V with a path unquoted', input: 'DATA=/data/iris.csv', expected: 'DATA=/data/iris.csv' },
  { name: 'single-quotes a word with a space', input: 'my file', expected: "'my file'" },
  { name: 'writes a single quote as \'\\\'\'', input: "it's", expected: "'it'\\''s'" },
  { name: 'single-quotes $ so the shell does not expand it', input: '$HOME', expected: "'$HOME'" },
  { name: 'single-quotes double quotes', input: '"device=0,1"', expected: `'"device=0,1"'` },
  { name: 'writes the empty word as two quotes', input: '', expected: "''" },
  { name: 'single-quotes a glob', input: '*.py', expected: "'*.py'" },
];
for (const c of quoteCases) {
  void test(`shellQuote ${c.name}`, () => assert.equal(shellQuote(c.input), c.expected));
}

const run = (over: Partial<ProfileRun> = {}): ProfileRun => ({ ports: [], mounts: [], env: {}, envFiles: [], autoRemove: false, detach: true, labels: {}, interactive: over.detach === false, ...over });
const profile = (over: Partial<ProfileRun> = {}): Profile => ({
  name: 'train',
  image: 'iris-train:v1',
  run: run(over),
  range: { line: 3, column: 3, endLine: 3, endColumn: 8 },
});

/** Each run option alone: the text between "docker run -d" and the image. */
const runCases: Array<{ name: string; input: Partial<ProfileRun>; expected: string }> = [
  { name: 'writes -d for a detached run', input: {}, expected: 'docker run -d iris-train:v1' },
  { name: 'writes -it for an interactive run', input: { detach: false }, expected: 'docker run -it iris-train:v1' },
  { name: 'writes -dit for an interactive run in the background', input: { detach: true, interactive: true }, expected: 'docker run -dit iris-train:v1' },
  { name: 'writes --name', input: { name: 'iris-train' }, expected: 'docker run -d --name iris-train iris-train:v1' },
  {
    name: 'writes -p with the default bind address 127.0.0.1',
    input: { ports: [{ hostPort: 4000, containerPort: 8080, protocol: 'tcp' }] },
    expected: 'docker run -d -p 127.0.0.1:4000:8080 iris-train:v1',
  },
  {
    name: 'keeps a host IP the binding names',
    input: { ports: [{ hostIp: '0.0.0.0', hostPort: 8888, containerPort: 8888, protocol: 'tcp' }] },
    expected: 'docker run -d -p 0.0.0.0:8888:8888 iris-train:v1',
  },
  {
    name: 'writes -p for an engine-chosen host port and udp',
    input: { ports: [{ containerPort: 53, protocol: 'udp' }] },
    expected: 'docker run -d -p 127.0.0.1::53/udp iris-train:v1',
  },
  {
    name: 'writes -v for a bind mount with an absolute host path',
    input: { mounts: [{ type: 'bind', source: '/home/me/iris/artifacts', target: '/usr/local/app/artifacts', readOnly: false }] },
    expected: 'docker run -d -v /home/me/iris/artifacts:/usr/local/app/artifacts iris-train:v1',
  },
  {
    name: 'writes -v for a read-only named volume',
    input: { mounts: [{ type: 'volume', source: 'datasets', target: '/data', readOnly: true }] },
    expected: 'docker run -d -v datasets:/data:ro iris-train:v1',
  },
  {
    name: 'quotes a host path with a space',
    input: { mounts: [{ type: 'bind', source: '/home/me/My Labs/data', target: '/data', readOnly: false }] },
    expected: "docker run -d -v '/home/me/My Labs/data:/data' iris-train:v1",
  },
  { name: 'writes --gpus all', input: { gpus: { kind: 'all' } }, expected: 'docker run -d --gpus all iris-train:v1' },
  { name: 'writes --gpus with a count', input: { gpus: { kind: 'count', count: 2 } }, expected: 'docker run -d --gpus 2 iris-train:v1' },
  { name: 'writes --gpus device ids in the quotes the CLI needs', input: { gpus: { kind: 'devices', deviceIds: ['0', '1'] } }, expected: `docker run -d --gpus '"device=0,1"' iris-train:v1` },
  { name: 'writes --shm-size in g', input: { shmSize: 2 * GiB }, expected: 'docker run -d --shm-size 2g iris-train:v1' },
  { name: 'writes --ipc', input: { ipcMode: 'host' }, expected: 'docker run -d --ipc host iris-train:v1' },
  { name: 'writes -m for memory', input: { memory: 8 * GiB }, expected: 'docker run -d -m 8g iris-train:v1' },
  { name: 'writes --cpus from NanoCpus', input: { nanoCpus: 1_500_000_000 }, expected: 'docker run -d --cpus 1.5 iris-train:v1' },
  { name: 'writes --network', input: { network: 'bridge' }, expected: 'docker run -d --network bridge iris-train:v1' },
  { name: 'writes --restart', input: { restart: 'on-failure:3' }, expected: 'docker run -d --restart on-failure:3 iris-train:v1' },
  { name: 'writes --rm', input: { autoRemove: true }, expected: 'docker run -d --rm iris-train:v1' },
  { name: 'writes --env-file', input: { envFiles: ['/w/iris/.env'] }, expected: 'docker run -d --env-file /w/iris/.env iris-train:v1' },
  { name: 'writes -e K=V', input: { env: { EPOCHS: '20' } }, expected: 'docker run -d -e EPOCHS=20 iris-train:v1' },
  { name: 'quotes an env value with spaces', input: { env: { MSG: 'hello world' } }, expected: "docker run -d -e 'MSG=hello world' iris-train:v1" },
  { name: 'writes --label K=V', input: { labels: { course: 'ml101' } }, expected: 'docker run -d --label course=ml101 iris-train:v1' },
  { name: 'writes --workdir', input: { workingDir: '/usr/local/app' }, expected: 'docker run -d --workdir /usr/local/app iris-train:v1' },
  { name: 'writes --user', input: { user: '1000:1000' }, expected: 'docker run -d --user 1000:1000 iris-train:v1' },
  { name: 'writes the command after the image', input: { cmd: ['python', 'train.py', '--epochs', '20'] }, expected: 'docker run -d iris-train:v1 python train.py --epochs 20' },
  { name: 'writes a one-word entrypoint', input: { entrypoint: ['python'] }, expected: 'docker run -d --entrypoint python iris-train:v1' },
  {
    name: 'splits a longer entrypoint: first word to --entrypoint, the rest before the command',
    input: { entrypoint: ['python', '-u'], cmd: ['train.py'] },
    expected: 'docker run -d --entrypoint python iris-train:v1 -u train.py',
  },
  { name: "writes an empty entrypoint as ''", input: { entrypoint: [''] }, expected: "docker run -d --entrypoint '' iris-train:v1" },
  { name: 'quotes command words with shell characters', input: { cmd: ['sh', '-c', 'echo $EPOCHS && python train.py'] }, expected: "docker run -d iris-train:v1 sh -c 'echo $EPOCHS && python train.py'" },
];
for (const c of runCases) {
  void test(`dockerRunCommand ${c.name}`, () => assert.equal(dockerRunCommand(profile(c.input)), c.expected));
}

void test('dockerRunCommand writes every option of the iris profile in the documented order', () => {
  const p = profile({
    name: 'iris-train',
    ports: [{ hostPort: 4000, containerPort: 8080, protocol: 'tcp' }],
    mounts: [{ type: 'bind', source: '/w/iris/artifacts', target: '/usr/local/app/artifacts', readOnly: false }],
    gpus: { kind: 'all' },
    shmSize: 2 * GiB,
    ipcMode: 'host',
    memory: 8 * GiB,
    nanoCpus: 2e9,
    network: 'bridge',
    autoRemove: true,
    env: { EPOCHS: '20' },
    labels: { course: 'ml101' },
    workingDir: '/usr/local/app',
    user: '1000:1000',
    cmd: ['python', 'train.py'],
  });
  assert.equal(
    dockerRunCommand(p),
    'docker run -d --name iris-train -p 127.0.0.1:4000:8080 -v /w/iris/artifacts:/usr/local/app/artifacts --gpus all --shm-size 2g --ipc host -m 8g --cpus 2 --network bridge --rm -e EPOCHS=20 --label course=ml101 --workdir /usr/local/app --user 1000:1000 iris-train:v1 python train.py',
  );
});

void test('dockerRunCommand uses options.bindAddress for a profile', () => {
  assert.equal(dockerRunCommand(profile({ ports: [{ hostPort: 8888, containerPort: 8888, protocol: 'tcp' }] }), { bindAddress: '0.0.0.0' }), 'docker run -d -p 0.0.0.0:8888:8888 iris-train:v1');
});

void test('dockerRunCommand writes env files relative to cwd', () => {
  assert.equal(dockerRunCommand(profile({ envFiles: ['/w/iris/.env'] }), { cwd: '/w/iris' }), 'docker run -d --env-file .env iris-train:v1');
});

void test('dockerRunCommand takes a run request: its bind address, interactive flag, and no created-by label', () => {
  const r: RunRequest = {
    image: 'flask-app:v2',
    name: 'flask-1',
    ports: [{ containerPort: 8080, hostPort: 4000, protocol: 'tcp' }],
    mounts: [],
    bindAddress: '127.0.0.1',
    labels: { 'org.mllab.created-by': 'ml-container-lab', lab: 'w3' },
    interactive: true,
  };
  assert.equal(dockerRunCommand(r), 'docker run -it --name flask-1 -p 127.0.0.1:4000:8080 --label lab=w3 flask-app:v2');
});

void test('dockerRunCommand writes -it for an interactive profile (interactive: true, command bash)', () => {
  assert.equal(dockerRunCommand(profile({ detach: false, interactive: true, autoRemove: true, cmd: ['bash'] })), 'docker run -it --rm iris-train:v1 bash');
});

const buildCases: Array<{ name: string; cwd?: string; expected: string }> = [
  { name: 'writes -f, -t, --build-arg, --target, --platform and the context with absolute paths', expected: 'docker build -f /w/iris/train.dockerfile -t iris-train:v1 --build-arg BASE_IMAGE=python:3.11-slim --target runtime --platform linux/amd64 /w/iris' },
  { name: 'writes paths relative to cwd', cwd: '/w/iris', expected: 'docker build -f train.dockerfile -t iris-train:v1 --build-arg BASE_IMAGE=python:3.11-slim --target runtime --platform linux/amd64 .' },
  { name: 'keeps paths outside cwd absolute', cwd: '/elsewhere', expected: 'docker build -f /w/iris/train.dockerfile -t iris-train:v1 --build-arg BASE_IMAGE=python:3.11-slim --target runtime --platform linux/amd64 /w/iris' },
];
for (const c of buildCases) {
  void test(`dockerBuildCommand ${c.name}`, () => {
    const p = {
      build: { dockerfile: '/w/iris/train.dockerfile', context: '/w/iris', tag: 'iris-train:v1', args: { BASE_IMAGE: 'python:3.11-slim' }, target: 'runtime', platform: 'linux/amd64' },
    };
    assert.equal(dockerBuildCommand(p, { cwd: c.cwd }), c.expected);
  });
}

void test('dockerBuildCommand writes only what is set and quotes args with spaces', () => {
  assert.equal(
    dockerBuildCommand({ build: { dockerfile: '/w/Dockerfile', context: '/w', tag: 'x:v1', args: { NOTE: 'a b' } } }),
    "docker build -f /w/Dockerfile -t x:v1 --build-arg 'NOTE=a b' /w",
  );
  assert.equal(dockerBuildCommand({}), '');
});

const inspect = {
  Name: '/iris-train',
  Image: 'sha256:abc',
  Config: {
    Image: 'iris-train:v1',
    Env: ['PATH=/usr/local/bin:/usr/bin', 'PYTHONUNBUFFERED=1', 'EPOCHS=20'],
    Labels: { 'org.mllab.created-by': 'ml-container-lab', course: 'ml101', maintainer: 'lab' },
    Cmd: ['python', 'train.py'],
    Entrypoint: null,
    WorkingDir: '/usr/local/app',
    User: '',
    Tty: false,
    OpenStdin: false,
  },
  HostConfig: {
    PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '4000' }] },
    Binds: null,
    Mounts: [
      { Type: 'bind', Source: '/w/iris/artifacts', Target: '/usr/local/app/artifacts', ReadOnly: false },
      { Type: 'volume', Source: 'datasets', Target: '/data', ReadOnly: true },
    ],
    DeviceRequests: [{ Driver: '', Count: -1, DeviceIDs: null, Capabilities: [['gpu']], Options: {} }],
    ShmSize: 2 * GiB,
    IpcMode: 'private',
    Memory: 0,
    NanoCpus: 2e9,
    NetworkMode: 'bridge',
    AutoRemove: true,
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
  },
};

void test('runCommandFromInspect leaves out image env, image labels, defaults and the created-by label', () => {
  assert.equal(
    runCommandFromInspect(inspect, ['PATH=/usr/local/bin:/usr/bin', 'PYTHONUNBUFFERED=1'], { Labels: { maintainer: 'lab' }, Cmd: ['python', 'train.py'], Entrypoint: null, WorkingDir: '/usr/local/app' }),
    'docker run -d --name iris-train -p 127.0.0.1:4000:8080 -v /w/iris/artifacts:/usr/local/app/artifacts -v datasets:/data:ro --gpus all --shm-size 2g --cpus 2 --rm -e EPOCHS=20 --label course=ml101 iris-train:v1',
  );
});

void test('runCommandFromInspect writes the working dir and command when the image defaults are not given', () => {
  assert.equal(
    runCommandFromInspect(inspect, ['PATH=/usr/local/bin:/usr/bin', 'PYTHONUNBUFFERED=1']),
    'docker run -d --name iris-train -p 127.0.0.1:4000:8080 -v /w/iris/artifacts:/usr/local/app/artifacts -v datasets:/data:ro --gpus all --shm-size 2g --cpus 2 --rm -e EPOCHS=20 --label course=ml101 --label maintainer=lab --workdir /usr/local/app iris-train:v1 python train.py',
  );
});

const inspectCases: Array<{ name: string; config?: Record<string, unknown>; host?: Record<string, unknown>; expected: string }> = [
  { name: 'writes -it for a container with a terminal and open stdin', config: { Tty: true, OpenStdin: true }, expected: 'docker run -it x:v1' },
  { name: 'reads HostConfig.Binds', host: { Binds: ['/w/data:/data:ro', 'ckpts:/ckpts'] }, expected: 'docker run -d -v /w/data:/data:ro -v ckpts:/ckpts x:v1' },
  { name: 'writes a port bound on all interfaces without a host IP', host: { PortBindings: { '8888/tcp': [{ HostIp: '', HostPort: '8888' }] } }, expected: 'docker run -d -p 8888:8888 x:v1' },
  { name: "leaves out Docker's default 64 MB shm size", host: { ShmSize: 67108864 }, expected: 'docker run -d x:v1' },
  { name: 'writes a memory limit, IPC host and a custom network', host: { Memory: 8 * GiB, IpcMode: 'host', NetworkMode: 'lab-net' }, expected: 'docker run -d --ipc host -m 8g --network lab-net x:v1' },
  { name: 'writes on-failure with its retry count', host: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } }, expected: 'docker run -d --restart on-failure:3 x:v1' },
  { name: 'writes a changed entrypoint and then always the command', config: { Entrypoint: ['python', '-u'], Cmd: ['train.py'] }, expected: 'docker run -d --entrypoint python x:v1 -u train.py' },
  { name: 'writes the user', config: { User: '1000:1000' }, expected: 'docker run -d --user 1000:1000 x:v1' },
];
for (const c of inspectCases) {
  void test(`runCommandFromInspect ${c.name}`, () => {
    assert.equal(runCommandFromInspect({ Name: '', Config: { Image: 'x:v1', ...c.config }, HostConfig: { ...c.host } }, [], { Entrypoint: null, Cmd: null }), c.expected);
  });
}
