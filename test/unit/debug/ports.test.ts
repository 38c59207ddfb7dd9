import assert from 'node:assert/strict';
import { test } from 'node:test';
import { debugBindAddress, listensOn } from '../../../src/core/debug/ports';
import { checkDebugConfiguration, launchConfiguration } from '../../../src/core/debug/config';

void test('the debug port is published on 127.0.0.1 for local and ssh:// engines', () => {
  assert.equal(debugBindAddress({ kind: 'socket', socketPath: '/var/run/docker.sock' }), '127.0.0.1');
  assert.equal(debugBindAddress({ kind: 'ssh', host: 'gpu-box' }), '127.0.0.1');
  assert.equal(debugBindAddress({ kind: 'tcp', host: 'localhost', port: 2375 }), '127.0.0.1');
});

void test('a tcp:// engine elsewhere: on its own address only; a host name is refused with what to do', () => {
  assert.equal(debugBindAddress({ kind: 'tcp', host: '10.231.0.2', port: 2376 }), '10.231.0.2');
  assert.throws(() => debugBindAddress({ kind: 'tcp', host: 'gpu-box', port: 2376 }), /by the name gpu-box/);
});

const procNetTcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:162E 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 123 1 0000000000000000 100 0 0 10 0
   1: 0100007F:8CA1 0100007F:162E 01 00000000:00000000 00:00000000 00000000  1000        0 124 1 0000000000000000 20 4 30 10 -1
`;

void test('listensOn: a LISTEN socket on the port, not a connection to it', () => {
  assert.equal(listensOn(procNetTcp, 5678), true);
  assert.equal(listensOn(procNetTcp, 36001), false, '0x8CA1 is an established client socket');
  assert.equal(listensOn(procNetTcp, 5679), false);
  assert.equal(listensOn('', 5678), false);
});

void test('debug configuration: launch needs a profile, attach a container; fields are checked', () => {
  assert.deepEqual(checkDebugConfiguration({ ...launchConfiguration('train') }), { type: 'mlLab', request: 'launch', name: 'ML Lab: Debug train', profile: 'train' });
  assert.throws(() => checkDebugConfiguration({ type: 'mlLab', request: 'launch', name: 'x' }), /"profile" must name a run profile/);
  assert.throws(() => checkDebugConfiguration({ type: 'mlLab', request: 'attach', name: 'x' }), /"container" must name/);
  assert.throws(() => checkDebugConfiguration({ type: 'mlLab', request: 'launch', name: 'x', profile: 'p', port: 0 }), /"port" must be/);
  assert.throws(() => checkDebugConfiguration({ type: 'mlLab', request: 'run', name: 'x' }), /request must be "launch"/);
});
