import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { RunRequest, suggestContainerName, toCreateOptions } from '../../src/core/run/createOptions';
import { UserError } from '../../src/core/errors';

const base: RunRequest = { image: 'iris-train:v1', ports: [], mounts: [], bindAddress: '127.0.0.1' };

const cases: Array<{ name: string; input: RunRequest; expected: Record<string, unknown> }> = [
  {
    name: 'builds the minimal body with the created-by label and empty maps',
    input: base,
    expected: {
      Image: 'iris-train:v1',
      Env: [],
      Labels: { 'org.mllab.created-by': 'ml-container-lab' },
      ExposedPorts: {},
      HostConfig: { PortBindings: {}, Mounts: [] },
    },
  },
  {
    name: 'puts ports, mounts, env, labels, name and cmd where the Engine API wants them',
    input: {
      image: 'flask-app:v2',
      name: 'flask-app-1a2b',
      ports: [{ hostPort: 4000, containerPort: 8080, protocol: 'tcp' }],
      mounts: [{ type: 'bind', source: '/w/artifacts', target: '/usr/local/app/artifacts', readOnly: false }],
      env: { EPOCHS: '10', FLASK_DEBUG: '0' },
      labels: { 'org.mllab.lab': 'week3' },
      cmd: ['python', 'train.py', '--epochs', '3'],
      bindAddress: '127.0.0.1',
    },
    expected: {
      name: 'flask-app-1a2b',
      Image: 'flask-app:v2',
      Cmd: ['python', 'train.py', '--epochs', '3'],
      Env: ['EPOCHS=10', 'FLASK_DEBUG=0'],
      Labels: { 'org.mllab.lab': 'week3', 'org.mllab.created-by': 'ml-container-lab' },
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: {
        PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '4000' }] },
        Mounts: [{ Type: 'bind', Source: '/w/artifacts', Target: '/usr/local/app/artifacts', ReadOnly: false }],
      },
    },
  },
  {
    name: 'uses the bind address for ports without a host IP',
    input: { ...base, ports: [{ containerPort: 8888, protocol: 'tcp' }], bindAddress: '0.0.0.0' },
    expected: {
      Image: 'iris-train:v1',
      Env: [],
      Labels: { 'org.mllab.created-by': 'ml-container-lab' },
      ExposedPorts: { '8888/tcp': {} },
      HostConfig: { PortBindings: { '8888/tcp': [{ HostIp: '0.0.0.0', HostPort: '' }] }, Mounts: [] },
    },
  },
  {
    name: 'keeps the created-by label even when a caller label tries to override it',
    input: { ...base, labels: { 'org.mllab.created-by': 'someone-else' } },
    expected: {
      Image: 'iris-train:v1',
      Env: [],
      Labels: { 'org.mllab.created-by': 'ml-container-lab' },
      ExposedPorts: {},
      HostConfig: { PortBindings: {}, Mounts: [] },
    },
  },
  {
    name: 'leaves out an empty name and an empty cmd',
    input: { ...base, name: '', cmd: [] },
    expected: {
      Image: 'iris-train:v1',
      Env: [],
      Labels: { 'org.mllab.created-by': 'ml-container-lab' },
      ExposedPorts: {},
      HostConfig: { PortBindings: {}, Mounts: [] },
    },
  },
  {
    name: 'keeps "=" inside an env value',
    input: { ...base, env: { OPTS: 'a=b' } },
    expected: {
      Image: 'iris-train:v1',
      Env: ['OPTS=a=b'],
      Labels: { 'org.mllab.created-by': 'ml-container-lab' },
      ExposedPorts: {},
      HostConfig: { PortBindings: {}, Mounts: [] },
    },
  },
];

for (const c of cases) {
  void test(`toCreateOptions ${c.name}`, () => {
    assert.deepEqual(toCreateOptions(c.input), c.expected);
  });
}

const invalidCases: Array<{ name: string; input: RunRequest; expected: RegExp }> = [
  { name: 'rejects an empty image', input: { ...base, image: ' ' }, expected: /No image given to run/ },
  { name: 'rejects a container name with a space', input: { ...base, name: 'my run' }, expected: /Container name "my run" is not valid/ },
  { name: 'rejects a one-character container name', input: { ...base, name: 'a' }, expected: /Container name "a" is not valid/ },
  { name: 'rejects an env name with "="', input: { ...base, env: { 'A=B': '1' } }, expected: /Environment variable name "A=B" is not valid/ },
  { name: 'rejects an env name starting with a digit', input: { ...base, env: { '1X': '1' } }, expected: /Environment variable name "1X"/ },
  {
    name: 'rejects two bindings of one host port',
    input: {
      ...base,
      ports: [
        { hostPort: 4000, containerPort: 8080, protocol: 'tcp' },
        { hostPort: 4000, containerPort: 8081, protocol: 'tcp' },
      ],
    },
    expected: /Host port 4000\/tcp is used twice/,
  },
];

for (const c of invalidCases) {
  void test(`toCreateOptions ${c.name}`, () => {
    assert.throws(() => toCreateOptions(c.input), (err: unknown) => err instanceof UserError && c.expected.test(err.message));
  });
}

const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const nameCases: Array<{ name: string; input: string; random: number; expected: string }> = [
  { name: 'uses the repository and 4 hex digits', input: 'iris-train:v1', random: 0.5, expected: 'iris-train-8000' },
  { name: 'takes the last path segment of a registry reference', input: 'localhost:5000/course/iris-train:v2', random: 0, expected: 'iris-train-0000' },
  { name: 'ignores a digest', input: 'flask-app@sha256:' + 'a'.repeat(64), random: 0.25, expected: 'flask-app-4000' },
  { name: 'works without a tag', input: 'python', random: 0.9999, expected: 'python-fff9' },
  { name: 'uses "container" for an image id', input: 'sha256:' + 'c2ce58fbf46c'.repeat(5) + 'abcd', random: 0, expected: 'container-0000' },
  { name: 'uses "container" for a short image id', input: 'c2ce58fbf46c', random: 0, expected: 'container-0000' },
  { name: 'replaces characters Docker does not allow in names', input: 'weird+repo:v1', random: 0, expected: 'weird-repo-0000' },
  { name: 'never exceeds ffff when random returns 1', input: 'x1', random: 1, expected: 'x1-ffff' },
];

for (const c of nameCases) {
  void test(`suggestContainerName ${c.name}`, () => {
    const name = suggestContainerName(c.input, () => c.random);
    assert.equal(name, c.expected);
    assert.match(name, DOCKER_NAME);
  });
}

void test('suggestContainerName gives different names for different random values', () => {
  assert.notEqual(suggestContainerName('iris-train:v1', () => 0.1), suggestContainerName('iris-train:v1', () => 0.2));
});
