import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { isBuiltinNetwork, networkUsage, overlappingNetwork, parseSubnet, validateNetworkName } from '../../../src/core/network/networks';
import { networkNodes } from '../../../src/core/tree/networks';
import type { ContainerSummary, NetworkSummary } from '../../../src/core/engineTypes';

describe('parseSubnet', () => {
  const ok: Array<{ input: string; expected: string }> = [
    { input: '10.42.0.0/24', expected: '10.42.0.0/24' },
    { input: ' 172.30.0.0/16 ', expected: '172.30.0.0/16' },
    { input: '192.168.100.0/30', expected: '192.168.100.0/30' },
  ];
  for (const c of ok) it(`accepts ${c.input}`, () => assert.equal(parseSubnet(c.input).cidr, c.expected));
  const bad: Array<{ input: string; error: RegExp }> = [
    { input: '10.42.0.0', error: /CIDR form, e\.g\. 10\.42\.0\.0\/24/ },
    { input: '10.42.0.300/24', error: /CIDR form/ },
    { input: '10.42.0.0/31', error: /\/8 to \/30/ },
    { input: '10.0.0.0/4', error: /\/8 to \/30/ },
    { input: '10.42.0.7/24', error: /host bits set; the network address of that subnet is 10\.42\.0\.0\/24/ },
    { input: 'fd00::/64', error: /IPv6 subnets are not offered/ },
    { input: '', error: /CIDR form/ },
  ];
  for (const c of bad) it(`rejects ${JSON.stringify(c.input)}`, () => assert.throws(() => parseSubnet(c.input), c.error));
});

describe('validateNetworkName', () => {
  it('accepts lab-net', () => assert.equal(validateNetworkName(' lab-net '), 'lab-net'));
  it('rejects spaces and a leading dash', () => {
    assert.throws(() => validateNetworkName('lab net'), /letters, digits/);
    assert.throws(() => validateNetworkName('-x'), /letters, digits/);
  });
  it("rejects Docker's own names", () => assert.throws(() => validateNetworkName('bridge'), /Docker's own/));
  it('rejects an empty name', () => assert.throws(() => validateNetworkName('  '), /empty/));
});

const net = (name: string, subnets: string[], driver = 'bridge'): NetworkSummary => ({
  id: `${name}-id-0123456789`,
  name,
  driver,
  scope: 'local',
  subnets,
  gateways: [],
  internal: false,
  created: 0,
  labels: {},
});

describe('overlappingNetwork', () => {
  const nets = [net('bridge', ['172.17.0.0/16']), net('lab', ['10.42.0.0/24']), net('host', [], 'host')];
  it('finds a network whose subnet contains the new one', () => assert.equal(overlappingNetwork(parseSubnet('172.17.5.0/24'), nets)?.network.name, 'bridge'));
  it('finds a network inside the new one', () => assert.equal(overlappingNetwork(parseSubnet('10.0.0.0/8'), nets)?.network.name, 'lab'));
  it('is undefined for a free subnet', () => assert.equal(overlappingNetwork(parseSubnet('10.43.0.0/24'), nets), undefined));
});

describe('networkNodes', () => {
  const c = (name: string, networks: string[]) => ({ name, networks }) as unknown as ContainerSummary;
  const used = networkUsage([c('web', ['lab', 'bridge']), c('model', ['lab'])]);
  const nodes = networkNodes([net('bridge', ['172.17.0.0/16']), net('lab', ['10.42.0.0/24']), net('idle', [])], used, Date.now());
  it('lists user-defined networks first, then Docker’s own', () => assert.deepEqual(nodes.map((n) => n.label), ['idle', 'lab', 'bridge']));
  it('describes driver, scope, subnet and how many containers', () => {
    assert.equal(nodes[1].description, 'bridge · local · 10.42.0.0/24 · 2 containers');
    assert.equal(nodes[0].description, 'bridge · local · unused');
  });
  it('tags in-use and built-in networks so Remove is offered only on unused user-defined ones', () => {
    assert.deepEqual(nodes.map((n) => n.contextValue), ['network;', 'network;inUse;', 'network;builtin;inUse;']);
    assert.ok(isBuiltinNetwork({ name: 'host' }) && !isBuiltinNetwork({ name: 'lab' }));
  });
  it('shows the attached containers as children carrying network and container', () => {
    assert.deepEqual(nodes[1].children?.map((ch) => [ch.label, ch.ref, ch.contextValue]), [
      ['model', 'lab\nmodel', 'networkContainer;'],
      ['web', 'lab\nweb', 'networkContainer;'],
    ]);
  });
});
