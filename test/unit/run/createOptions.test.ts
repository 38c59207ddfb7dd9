import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { RunRequest, parseRestartPolicy, toCreateOptions } from '../../../src/core/run/createOptions';
import { UserError } from '../../../src/core/errors';

const base: RunRequest = { image: 'iris-train:v1', ports: [], mounts: [], bindAddress: '127.0.0.1' };
const GiB = 1024 ** 3;

/** Each case checks only the fields it names (top level, and `HostConfig` under `HostConfig`). */
const cases: Array<{ name: string; input: Partial<RunRequest>; expected: Record<string, unknown> }> = [
  { name: 'puts the entrypoint in Entrypoint', input: { entrypoint: ['python', '-u'] }, expected: { Entrypoint: ['python', '-u'] } },
  { name: "leaves an empty entrypoint out (the image's applies)", input: { entrypoint: [] }, expected: { Entrypoint: undefined } },
  { name: 'puts the working dir in WorkingDir', input: { workingDir: '/usr/local/app' }, expected: { WorkingDir: '/usr/local/app' } },
  { name: 'puts the user in User', input: { user: '1000:1000' }, expected: { User: '1000:1000' } },
  {
    name: 'opens stdin and a terminal for an interactive run, as docker run -it',
    input: { interactive: true },
    expected: { AttachStdin: true, AttachStdout: true, AttachStderr: true, OpenStdin: true, StdinOnce: true, Tty: true },
  },
  { name: 'leaves stdin closed for a detached run', input: { interactive: false }, expected: { OpenStdin: undefined, Tty: undefined } },
  {
    name: 'sends all GPUs as a device request with Count -1',
    input: { gpus: { kind: 'all' } },
    expected: { HostConfig: { DeviceRequests: [{ Driver: '', Count: -1, Capabilities: [['gpu']], Options: {} }] } },
  },
  { name: 'puts the shm size in bytes in HostConfig.ShmSize', input: { shmSize: 2 * GiB }, expected: { HostConfig: { ShmSize: 2 * GiB } } },
  { name: 'puts the IPC mode in HostConfig.IpcMode', input: { ipcMode: 'host' }, expected: { HostConfig: { IpcMode: 'host' } } },
  { name: 'accepts IPC mode container:<name>', input: { ipcMode: 'container:trainer' }, expected: { HostConfig: { IpcMode: 'container:trainer' } } },
  { name: 'puts the memory limit in bytes in HostConfig.Memory', input: { memory: 8 * GiB }, expected: { HostConfig: { Memory: 8 * GiB } } },
  { name: 'puts the CPU limit in HostConfig.NanoCpus', input: { nanoCpus: 1_500_000_000 }, expected: { HostConfig: { NanoCpus: 1_500_000_000 } } },
  { name: 'puts the network in HostConfig.NetworkMode', input: { network: 'bridge' }, expected: { HostConfig: { NetworkMode: 'bridge' } } },
  { name: 'allows network host without ports', input: { network: 'host' }, expected: { HostConfig: { NetworkMode: 'host' } } },
  { name: 'sets HostConfig.AutoRemove for --rm', input: { autoRemove: true }, expected: { HostConfig: { AutoRemove: true } } },
  { name: 'leaves AutoRemove out when false', input: { autoRemove: false }, expected: { HostConfig: { AutoRemove: undefined } } },
  { name: 'puts the restart policy in HostConfig.RestartPolicy', input: { restart: 'on-failure:3' }, expected: { HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } } } },
  { name: 'allows --rm with restart no', input: { restart: 'no', autoRemove: true }, expected: { HostConfig: { RestartPolicy: { Name: 'no' }, AutoRemove: true } } },
  {
    name: 'leaves every new field out when not given (engine defaults apply)',
    input: {},
    expected: { Entrypoint: undefined, WorkingDir: undefined, User: undefined, Tty: undefined, HostConfig: { DeviceRequests: undefined, ShmSize: undefined, IpcMode: undefined, Memory: undefined, NanoCpus: undefined, NetworkMode: undefined, RestartPolicy: undefined } },
  },
];

for (const c of cases) {
  void test(`toCreateOptions ${c.name}`, () => {
    const body = toCreateOptions({ ...base, ...c.input });
    for (const [key, value] of Object.entries(c.expected)) {
      if (key === 'HostConfig') {
        const hc = body.HostConfig as Record<string, unknown>;
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) assert.deepEqual(hc[k], v, `HostConfig.${k}`);
      } else {
        assert.deepEqual(body[key], value, key);
      }
    }
  });
}

const invalid: Array<{ name: string; input: Partial<RunRequest>; expected: RegExp }> = [
  { name: 'rejects a relative working dir', input: { workingDir: 'app' }, expected: /Working directory "app" must be an absolute path/ },
  { name: 'rejects a user with spaces', input: { user: 'my user' }, expected: /User "my user" is not valid/ },
  { name: 'rejects a memory limit under 6 MB', input: { memory: 1024 }, expected: /below Docker's minimum of 6 MB/ },
  { name: 'rejects a zero shm size', input: { shmSize: 0 }, expected: /Shared memory size .* 0 is not valid/ },
  { name: 'rejects fractional NanoCpus', input: { nanoCpus: 1.5 }, expected: /CPU limit .* 1.5 is not valid/ },
  { name: 'rejects an unknown IPC mode', input: { ipcMode: 'shared' }, expected: /IPC mode "shared" is not valid/ },
  { name: 'rejects an unknown restart policy', input: { restart: 'sometimes' }, expected: /Restart policy "sometimes" is not valid/ },
  { name: 'rejects --rm with restart always', input: { restart: 'always', autoRemove: true }, expected: /cannot be combined with restart policy "always"/ },
  {
    name: 'rejects published ports with network host',
    input: { network: 'host', ports: [{ containerPort: 8888, hostPort: 8888, protocol: 'tcp' }] },
    expected: /Ports cannot be published with network "host"/,
  },
];
for (const c of invalid) {
  void test(`toCreateOptions ${c.name}`, () => {
    assert.throws(() => toCreateOptions({ ...base, ...c.input }), (err: unknown) => err instanceof UserError && c.expected.test(err.message));
  });
}

const restartCases: Array<{ name: string; input: string; expected: unknown }> = [
  { name: 'reads no', input: 'no', expected: { Name: 'no' } },
  { name: 'reads unless-stopped', input: 'unless-stopped', expected: { Name: 'unless-stopped' } },
  { name: 'reads on-failure without a count', input: 'on-failure', expected: { Name: 'on-failure' } },
  { name: 'reads on-failure with a retry count', input: 'on-failure:5', expected: { Name: 'on-failure', MaximumRetryCount: 5 } },
];
for (const c of restartCases) {
  void test(`parseRestartPolicy ${c.name}`, () => assert.deepEqual(parseRestartPolicy(c.input), c.expected));
}
