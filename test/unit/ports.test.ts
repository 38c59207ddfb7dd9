import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { PortBinding, formatPortBinding, parsePortBinding, parsePortBindings, portsFromExposed, toEnginePortOptions } from '../../src/core/run/ports';
import { UserError } from '../../src/core/errors';

const validCases: Array<{ name: string; input: string; expected: PortBinding }> = [
  { name: 'reads a container port only (host port chosen by the engine)', input: '8080', expected: { containerPort: 8080, protocol: 'tcp' } },
  { name: 'reads host-port:container-port', input: '4000:8080', expected: { hostPort: 4000, containerPort: 8080, protocol: 'tcp' } },
  { name: 'reads an IPv4 host IP', input: '127.0.0.1:4000:8080', expected: { hostIp: '127.0.0.1', hostPort: 4000, containerPort: 8080, protocol: 'tcp' } },
  { name: 'reads a host IP with an empty host port', input: '127.0.0.1::8080', expected: { hostIp: '127.0.0.1', containerPort: 8080, protocol: 'tcp' } },
  { name: 'reads a bracketed IPv6 host IP', input: '[::1]:4000:8080', expected: { hostIp: '::1', hostPort: 4000, containerPort: 8080, protocol: 'tcp' } },
  { name: 'reads a bracketed IPv6 host IP with an empty host port', input: '[::1]::8080', expected: { hostIp: '::1', containerPort: 8080, protocol: 'tcp' } },
  { name: 'reads a /udp suffix', input: '5353:53/udp', expected: { hostPort: 5353, containerPort: 53, protocol: 'udp' } },
  { name: 'reads a /sctp suffix on a container port', input: '9000/sctp', expected: { containerPort: 9000, protocol: 'sctp' } },
  { name: 'accepts an upper-case protocol', input: '53/UDP', expected: { containerPort: 53, protocol: 'udp' } },
  { name: 'trims surrounding whitespace', input: '  6006:6006 ', expected: { hostPort: 6006, containerPort: 6006, protocol: 'tcp' } },
  { name: 'accepts the highest port 65535', input: '65535:1', expected: { hostPort: 65535, containerPort: 1, protocol: 'tcp' } },
];

for (const c of validCases) {
  void test(`parsePortBinding ${c.name}`, () => {
    assert.deepEqual(parsePortBinding(c.input), c.expected);
  });
}

const EXPECTED_FORM = '; expected [host-ip:][host-port:]container-port[/protocol], e.g. 4000:8080';
const invalidCases: Array<{ name: string; input: string; expected: string | RegExp }> = [
  { name: 'rejects a container port that is not a number', input: '80:abc', expected: `"80:abc": container port "abc" is not a number${EXPECTED_FORM}` },
  { name: 'rejects a host port that is not a number', input: 'web:80', expected: /host port "web" is not a number/ },
  { name: 'rejects a host port above 65535', input: '70000:80', expected: /host port 70000 is out of range 1-65535/ },
  { name: 'rejects a container port above 65535', input: '80:65536', expected: /container port 65536 is out of range/ },
  { name: 'rejects port 0', input: '0', expected: /container port 0 is out of range/ },
  { name: 'rejects an empty host port without a host IP', input: ':80', expected: /host port is empty; leave it out \(80\)/ },
  { name: 'rejects an empty container port', input: '4000:', expected: /container port is empty/ },
  { name: 'rejects an empty host IP', input: ':4000:8080', expected: /host IP is empty/ },
  { name: 'rejects empty text', input: '  ', expected: /the port binding is empty/ },
  { name: 'rejects an unknown protocol', input: '80/http', expected: /protocol "http" is not tcp, udp or sctp/ },
  { name: 'rejects an empty protocol', input: '80/', expected: /protocol after "\/" is empty/ },
  { name: 'rejects a port range as not supported yet', input: '8000-8010:8000-8010', expected: /range "8000-8010" is not supported yet/ },
  { name: 'rejects a host IP that is not an address', input: 'localhost:4000:8080', expected: /host IP "localhost" is not an IPv4 address/ },
  { name: 'rejects an unbracketed IPv6 host IP', input: '::1:4000:8080', expected: /write an IPv6 host IP in brackets/ },
  { name: 'rejects a bracketed host IP that is not IPv6', input: '[1.2.3.4]:4000:8080', expected: /is not an IPv6 address/ },
  { name: 'rejects a bracketed host IP without a container port', input: '[::1]:8080', expected: /after a host IP give host-port:container-port/ },
  { name: 'rejects a missing closing bracket', input: '[::1:4000:8080', expected: /missing its closing "\]"/ },
  { name: 'rejects a negative port', input: '-1', expected: /container port "-1" is not a number/ },
];

for (const c of invalidCases) {
  void test(`parsePortBinding ${c.name}`, () => {
    assert.throws(
      () => parsePortBinding(c.input),
      (err: unknown) => {
        assert.ok(err instanceof UserError);
        if (typeof c.expected === 'string') assert.equal(err.message, c.expected);
        else assert.match(err.message, c.expected);
        assert.ok(err.message.endsWith(EXPECTED_FORM), 'names the expected form');
        return true;
      },
    );
  });
}

const listCases: Array<{ name: string; input: string; expected: PortBinding[] }> = [
  { name: 'gives [] for empty text', input: '', expected: [] },
  { name: 'gives [] for blank text', input: ' \n ', expected: [] },
  {
    name: 'splits on commas and whitespace',
    input: '8888:8888, 6006:6006  53/udp',
    expected: [
      { hostPort: 8888, containerPort: 8888, protocol: 'tcp' },
      { hostPort: 6006, containerPort: 6006, protocol: 'tcp' },
      { containerPort: 53, protocol: 'udp' },
    ],
  },
];

for (const c of listCases) {
  void test(`parsePortBindings ${c.name}`, () => {
    assert.deepEqual(parsePortBindings(c.input), c.expected);
  });
}

void test('parsePortBindings rejects the list when one binding is bad', () => {
  assert.throws(() => parsePortBindings('8080:8080, 80:abc'), /"80:abc": container port "abc" is not a number/);
});

const formatCases: Array<{ name: string; input: PortBinding; expected: string }> = [
  { name: 'formats a container port only', input: { containerPort: 8080, protocol: 'tcp' }, expected: '8080' },
  { name: 'formats host and container port', input: { hostPort: 4000, containerPort: 8080, protocol: 'tcp' }, expected: '4000:8080' },
  { name: 'formats a host IP', input: { hostIp: '127.0.0.1', hostPort: 4000, containerPort: 8080, protocol: 'tcp' }, expected: '127.0.0.1:4000:8080' },
  { name: 'formats a host IP with an engine-chosen host port', input: { hostIp: '127.0.0.1', containerPort: 8080, protocol: 'tcp' }, expected: '127.0.0.1::8080' },
  { name: 'brackets an IPv6 host IP', input: { hostIp: '::1', hostPort: 4000, containerPort: 8080, protocol: 'tcp' }, expected: '[::1]:4000:8080' },
  { name: 'writes a non-tcp protocol', input: { hostPort: 5353, containerPort: 53, protocol: 'udp' }, expected: '5353:53/udp' },
];

for (const c of formatCases) {
  void test(`formatPortBinding ${c.name}`, () => {
    assert.equal(formatPortBinding(c.input), c.expected);
  });
}

void test('formatPortBinding output parses back to the same binding', () => {
  for (const c of validCases) assert.deepEqual(parsePortBinding(formatPortBinding(c.expected)), c.expected, c.input);
});

const engineCases: Array<{ name: string; input: PortBinding[]; expected: ReturnType<typeof toEnginePortOptions> }> = [
  { name: 'gives empty maps for no bindings', input: [], expected: { ExposedPorts: {}, PortBindings: {} } },
  {
    name: 'uses the default host IP and an empty HostPort when none is given',
    input: [{ containerPort: 8080, protocol: 'tcp' }],
    expected: { ExposedPorts: { '8080/tcp': {} }, PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  },
  {
    name: 'keeps an explicit host IP and port',
    input: [{ hostIp: '0.0.0.0', hostPort: 4000, containerPort: 8080, protocol: 'tcp' }],
    expected: { ExposedPorts: { '8080/tcp': {} }, PortBindings: { '8080/tcp': [{ HostIp: '0.0.0.0', HostPort: '4000' }] } },
  },
  {
    name: 'groups two host ports of one container port and keys by protocol',
    input: [
      { hostPort: 4000, containerPort: 8080, protocol: 'tcp' },
      { hostPort: 4001, containerPort: 8080, protocol: 'tcp' },
      { hostPort: 5353, containerPort: 53, protocol: 'udp' },
    ],
    expected: {
      ExposedPorts: { '8080/tcp': {}, '53/udp': {} },
      PortBindings: {
        '8080/tcp': [
          { HostIp: '127.0.0.1', HostPort: '4000' },
          { HostIp: '127.0.0.1', HostPort: '4001' },
        ],
        '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
      },
    },
  },
  {
    name: 'allows one host port for tcp and udp',
    input: [
      { hostPort: 53, containerPort: 53, protocol: 'tcp' },
      { hostPort: 53, containerPort: 53, protocol: 'udp' },
    ],
    expected: {
      ExposedPorts: { '53/tcp': {}, '53/udp': {} },
      PortBindings: { '53/tcp': [{ HostIp: '127.0.0.1', HostPort: '53' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '53' }] },
    },
  },
];

for (const c of engineCases) {
  void test(`toEnginePortOptions ${c.name}`, () => {
    assert.deepEqual(toEnginePortOptions(c.input, '127.0.0.1'), c.expected);
  });
}

void test('toEnginePortOptions rejects one host port used twice on the same host IP', () => {
  assert.throws(
    () =>
      toEnginePortOptions(
        [
          { hostPort: 4000, containerPort: 8080, protocol: 'tcp' },
          { hostIp: '127.0.0.1', hostPort: 4000, containerPort: 9090, protocol: 'tcp' },
        ],
        '127.0.0.1',
      ),
    (err: unknown) => err instanceof UserError && /Host port 4000\/tcp is used twice \("4000:8080" and "127\.0\.0\.1:4000:9090"\)/.test(err.message),
  );
});

const exposedCases: Array<{ name: string; input: Record<string, unknown> | undefined; expected: PortBinding[] }> = [
  { name: 'gives [] for an image without ExposedPorts', input: undefined, expected: [] },
  { name: 'publishes an exposed port on the same host port', input: { '8080/tcp': {} }, expected: [{ hostPort: 8080, containerPort: 8080, protocol: 'tcp' }] },
  {
    name: 'sorts by port, reads udp and a key without protocol',
    input: { '8888/tcp': {}, '53/udp': {}, '6006': {} },
    expected: [
      { hostPort: 53, containerPort: 53, protocol: 'udp' },
      { hostPort: 6006, containerPort: 6006, protocol: 'tcp' },
      { hostPort: 8888, containerPort: 8888, protocol: 'tcp' },
    ],
  },
  { name: 'skips malformed keys', input: { 'abc/tcp': {}, '0/tcp': {}, '70000/tcp': {}, '80/http': {} }, expected: [] },
];

for (const c of exposedCases) {
  void test(`portsFromExposed ${c.name}`, () => {
    assert.deepEqual(portsFromExposed(c.input), c.expected);
  });
}
