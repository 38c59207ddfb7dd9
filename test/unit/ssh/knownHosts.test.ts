import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { checkHostKey, fingerprint, keyType, knownHostsLine, knownHostsName } from '../../../src/core/ssh/knownHosts';

/** An SSH public key blob: string type, then string key data (RFC 4253 6.6). */
function blob(type: string, data: string): Buffer {
  const t = Buffer.from(type);
  const d = Buffer.from(data);
  const out = Buffer.alloc(8 + t.length + d.length);
  out.writeUInt32BE(t.length, 0);
  t.copy(out, 4);
  out.writeUInt32BE(d.length, 4 + t.length);
  d.copy(out, 8 + t.length);
  return out;
}
const ed = blob('ssh-ed25519', 'key-one-32-bytes-long-xxxxxxxxxx');
const edOther = blob('ssh-ed25519', 'key-two-32-bytes-long-xxxxxxxxxx');
const rsa = blob('ssh-rsa', 'an-rsa-key');
const b64 = (b: Buffer) => b.toString('base64');
const hashed = (name: string, salt = Buffer.from('0123456789abcdefghij')) =>
  `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;

describe('known_hosts host-key checks (sshd(8) SSH_KNOWN_HOSTS FILE FORMAT)', () => {
  const cases: Array<{ name: string; text: string; host: string; port?: number; key: Buffer; expected: string }> = [
    { name: 'plain host, same key', text: `gpu-box ssh-ed25519 ${b64(ed)}`, host: 'gpu-box', key: ed, expected: 'known' },
    { name: 'comma list with an address', text: `gpu-box,10.0.0.5 ssh-ed25519 ${b64(ed)} me@laptop`, host: '10.0.0.5', key: ed, expected: 'known' },
    { name: 'wildcard', text: `*.lab.example ssh-ed25519 ${b64(ed)}`, host: 'node1.lab.example', key: ed, expected: 'known' },
    { name: 'negated pattern wins', text: `*.lab.example,!bad.lab.example ssh-ed25519 ${b64(ed)}`, host: 'bad.lab.example', key: ed, expected: 'unknown' },
    { name: 'non-default port needs [host]:port', text: `gpu-box ssh-ed25519 ${b64(ed)}`, host: 'gpu-box', port: 2222, key: ed, expected: 'unknown' },
    { name: '[host]:port entry', text: `[gpu-box]:2222 ssh-ed25519 ${b64(ed)}`, host: 'gpu-box', port: 2222, key: ed, expected: 'known' },
    { name: 'hashed entry (HashKnownHosts yes)', text: `${hashed('gpu-box')} ssh-ed25519 ${b64(ed)}`, host: 'gpu-box', key: ed, expected: 'known' },
    { name: 'hashed entry of another host', text: `${hashed('other')} ssh-ed25519 ${b64(ed)}`, host: 'gpu-box', key: ed, expected: 'unknown' },
    { name: 'same type, other key: mismatch', text: `# comment\n\ngpu-box ssh-ed25519 ${b64(edOther)}`, host: 'gpu-box', key: ed, expected: 'mismatch' },
    { name: 'only another key type listed: unknown, as ssh asks', text: `gpu-box ssh-rsa ${b64(rsa)}`, host: 'gpu-box', key: ed, expected: 'unknown' },
    { name: 'one matching line among a stale one of the same type', text: `gpu-box ssh-ed25519 ${b64(edOther)}\ngpu-box ssh-ed25519 ${b64(ed)}`, host: 'gpu-box', key: ed, expected: 'known' },
    { name: '@revoked key', text: `@revoked * ssh-ed25519 ${b64(ed)}\ngpu-box ssh-ed25519 ${b64(ed)}`, host: 'gpu-box', key: ed, expected: 'mismatch' },
    { name: '@cert-authority lines are not host keys', text: `@cert-authority gpu-box ssh-ed25519 ${b64(edOther)}`, host: 'gpu-box', key: ed, expected: 'unknown' },
    { name: 'host names compare case-insensitively', text: `GPU-Box ssh-ed25519 ${b64(ed)}`, host: 'gpu-box', key: ed, expected: 'known' },
    { name: 'empty file', text: '', host: 'gpu-box', key: ed, expected: 'unknown' },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(checkHostKey(c.text, c.host, c.port ?? 22, c.key).status, c.expected));
  }

  it('a mismatch names the line, the fingerprint and what to do', () => {
    const r = checkHostKey(`x ssh-ed25519 ${b64(ed)}\ngpu-box ssh-ed25519 ${b64(edOther)}`, 'gpu-box', 22, ed);
    assert.equal(r.status, 'mismatch');
    assert.ok(r.status === 'mismatch' && r.line === 2);
    assert.match(r.status === 'mismatch' ? r.reason : '', /line 2.*ssh-keygen -R gpu-box/s);
    assert.match(r.status === 'mismatch' ? r.reason : '', new RegExp(fingerprint(ed).replace(/[+/]/g, '\\$&')));
  });

  it('key type, fingerprint and the line to append', () => {
    assert.equal(keyType(ed), 'ssh-ed25519');
    assert.match(fingerprint(ed), /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.equal(knownHostsName('10.0.0.5', 2222), '[10.0.0.5]:2222');
    const line = knownHostsLine('gpu-box', 22, ed);
    assert.equal(checkHostKey(line, 'gpu-box', 22, ed).status, 'known');
  });
});
