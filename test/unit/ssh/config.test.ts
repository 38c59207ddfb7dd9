import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSshTarget } from '../../../src/core/ssh/config';

const env = { home: '/home/student', user: 'student' };
const config = `
Host gpu-box
  HostName 10.0.0.5
  User ml
  Port 2222
  IdentityFile ~/.ssh/gpu_ed25519

Host bastioned
  HostName 10.0.0.9
  ProxyJump jump.example

Host *
  IdentityFile ~/.ssh/id_work
`;

describe('ssh:// engines resolved through ~/.ssh/config (ssh_config(5))', () => {
  it('takes HostName, User, Port and IdentityFile from the matching Host, then Host *', () => {
    assert.deepEqual(resolveSshTarget({ host: 'gpu-box' }, config, env), {
      alias: 'gpu-box', hostName: '10.0.0.5', port: 2222, user: 'ml',
      identityFiles: ['/home/student/.ssh/gpu_ed25519', '/home/student/.ssh/id_work'], proxyJump: undefined,
    });
  });
  it('the address\'s own user and port win, as with ssh user@host -p', () => {
    const t = resolveSshTarget({ host: 'gpu-box', user: 'root', port: 22 }, config, env);
    assert.equal(t.user, 'root');
    assert.equal(t.port, 22);
  });
  it('falls back to OpenSSH defaults: port 22, the local user, the default keys', () => {
    assert.deepEqual(resolveSshTarget({ host: 'other' }, '', env), {
      alias: 'other', hostName: 'other', port: 22, user: 'student',
      identityFiles: ['/home/student/.ssh/id_ecdsa', '/home/student/.ssh/id_ed25519', '/home/student/.ssh/id_rsa'], proxyJump: undefined,
    });
  });
  it('reports ProxyJump so the caller can say it is not supported', () => {
    assert.equal(resolveSshTarget({ host: 'bastioned' }, config, env).proxyJump, 'jump.example');
  });
});
