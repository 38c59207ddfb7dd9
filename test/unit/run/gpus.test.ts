import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { GpuRequest, formatGpuRequest, gpuRequestFromDeviceRequests, parseGpuRequest, toDeviceRequests } from '../../../src/core/run/gpus';
import { UserError } from '../../../src/core/errors';

const cases: Array<{ name: string; input: string | number; expected: GpuRequest }> = [
  { name: 'reads all', input: 'all', expected: { kind: 'all' } },
  { name: 'reads ALL case-insensitively', input: 'ALL', expected: { kind: 'all' } },
  { name: 'reads a count', input: '2', expected: { kind: 'count', count: 2 } },
  { name: 'reads a YAML number as a count', input: 1, expected: { kind: 'count', count: 1 } },
  { name: 'reads count=N', input: 'count=3', expected: { kind: 'count', count: 3 } },
  { name: 'reads count=all', input: 'count=all', expected: { kind: 'all' } },
  { name: 'reads device=0,1', input: 'device=0,1', expected: { kind: 'devices', deviceIds: ['0', '1'] } },
  { name: "reads the CLI's quoted form", input: '"device=0,1"', expected: { kind: 'devices', deviceIds: ['0', '1'] } },
  { name: 'reads a plain list of device ids', input: '0,1', expected: { kind: 'devices', deviceIds: ['0', '1'] } },
  { name: 'reads a single device', input: 'device=0', expected: { kind: 'devices', deviceIds: ['0'] } },
  { name: 'reads a GPU UUID', input: 'GPU-3a23c669-1f69-c64e-cf85-44e9b07e7a2a', expected: { kind: 'devices', deviceIds: ['GPU-3a23c669-1f69-c64e-cf85-44e9b07e7a2a'] } },
  { name: 'trims spaces around ids', input: 'device= 0 , 2', expected: { kind: 'devices', deviceIds: ['0', '2'] } },
];
for (const c of cases) {
  void test(`parseGpuRequest ${c.name}`, () => assert.deepEqual(parseGpuRequest(c.input), c.expected));
}

const bad: Array<{ name: string; input: string | number; expected: RegExp }> = [
  { name: 'rejects empty text', input: '', expected: /the request is empty/ },
  { name: 'rejects a count of 0 and points to device=0', input: 0, expected: /count of 0 requests no GPU \(for the first GPU write device=0\)/ },
  { name: 'rejects a negative count', input: '-1', expected: /cannot be negative/ },
  { name: 'rejects a count that is not a number', input: 'count=two', expected: /count "two" is not a number/ },
  { name: 'rejects an empty device id', input: 'device=0,,1', expected: /a device id is empty/ },
  { name: 'rejects a device listed twice', input: 'device=0,0', expected: /listed twice/ },
  { name: 'rejects driver=', input: 'driver=nvidia', expected: /"driver=" is not supported/ },
  { name: 'rejects junk ids', input: 'gpu zero', expected: /device id "gpu zero" is not valid/ },
];
for (const c of bad) {
  void test(`parseGpuRequest ${c.name}`, () => {
    assert.throws(() => parseGpuRequest(c.input), (err: unknown) => err instanceof UserError && c.expected.test(err.message) && /expected all, a count/.test(err.message));
  });
}

const engineCases: Array<{ name: string; input: GpuRequest; expected: unknown; cli: string }> = [
  {
    name: 'sends Count -1 for all, as docker run --gpus all',
    input: { kind: 'all' },
    expected: [{ Driver: '', Count: -1, Capabilities: [['gpu']], Options: {} }],
    cli: 'all',
  },
  { name: 'sends the count', input: { kind: 'count', count: 2 }, expected: [{ Driver: '', Count: 2, Capabilities: [['gpu']], Options: {} }], cli: '2' },
  {
    name: 'sends device ids with Count 0',
    input: { kind: 'devices', deviceIds: ['0', '1'] },
    expected: [{ Driver: '', Count: 0, DeviceIDs: ['0', '1'], Capabilities: [['gpu']], Options: {} }],
    cli: '"device=0,1"',
  },
  {
    name: 'sends one device id',
    input: { kind: 'devices', deviceIds: ['1'] },
    expected: [{ Driver: '', Count: 0, DeviceIDs: ['1'], Capabilities: [['gpu']], Options: {} }],
    cli: 'device=1',
  },
];
for (const c of engineCases) {
  void test(`toDeviceRequests ${c.name}`, () => {
    assert.deepEqual(toDeviceRequests(c.input), c.expected);
    assert.equal(formatGpuRequest(c.input), c.cli);
    assert.deepEqual(parseGpuRequest(c.cli), c.input, 'the --gpus text reads back');
    assert.deepEqual(gpuRequestFromDeviceRequests(c.expected), c.input, 'the engine shape reads back');
  });
}

void test('gpuRequestFromDeviceRequests ignores requests without the gpu capability', () => {
  assert.equal(gpuRequestFromDeviceRequests([{ Driver: 'cdi', Count: 0, DeviceIDs: ['x'], Capabilities: [['fpga']] }]), undefined);
  assert.equal(gpuRequestFromDeviceRequests(null), undefined);
});
