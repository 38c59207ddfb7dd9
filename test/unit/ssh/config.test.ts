import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expandTokens, parseJumpHop, resolveSshTarget } from '../../../src/core/ssh/config';

const env = { home: '/home/student', user: 'student', localHost: 'laptop.example', uid: 1000, vars: { AGENT_SOCK: '/run/agent.sock' } };
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
const resolve = (host: string, text: string, address: { port?: number; user?: string } = {}) => resolveSshTarget({ host, ...address }, text, env);

describe('ssh:// engines resolved through ~/.ssh/config (ssh_config(5))', () => {
  it('takes HostName, User, Port and IdentityFile from the matching Host, then Host *', () => {
    const t = resolve('gpu-box', config);
    assert.deepEqual([t.alias, t.hostName, t.port, t.user], ['gpu-box', '10.0.0.5', 2222, 'ml']);
    assert.deepEqual(t.identityFiles, ['/home/student/.ssh/gpu_ed25519', '/home/student/.ssh/id_work']);
  });
  it('the address\'s own user and port win, as with ssh user@host -p', () => {
    const t = resolve('gpu-box', config, { user: 'root', port: 22 });
    assert.equal(t.user, 'root');
    assert.equal(t.port, 22);
  });
  it('falls back to OpenSSH defaults (as ssh -G prints them): port 22, the local user, the default keys and known_hosts files, ask', () => {
    assert.deepEqual(resolve('other', ''), {
      alias: 'other', hostName: 'other', port: 22, user: 'student',
      identityFiles: ['/home/student/.ssh/id_rsa', '/home/student/.ssh/id_ecdsa', '/home/student/.ssh/id_ed25519'],
      identitiesOnly: false,
      userKnownHostsFiles: ['/home/student/.ssh/known_hosts', '/home/student/.ssh/known_hosts2'],
      globalKnownHostsFiles: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
      strictHostKeyChecking: 'ask',
      serverAliveCountMax: 3,
      proxyJump: [],
    });
  });
  it('Match blocks apply after HostName is known (Match host), first value wins', () => {
    const t = resolve('gpu-box', `Host gpu-box\n  HostName 10.0.0.5\nMatch host 10.0.0.5\n  User fromMatch\n  Port 2200\nHost *\n  User late\n`);
    assert.equal(t.user, 'fromMatch');
    assert.equal(t.port, 2200);
  });
  it('keywords are case-insensitive, as OpenSSH reads them', () => {
    assert.equal(resolve('a', 'Host a\n  hostname 10.1.1.1\n  USER x\n').hostName, '10.1.1.1');
  });

  it('UserKnownHostsFile: several files, ~ and tokens (%h %r %d %u %n %p) expanded; none drops a file', () => {
    const t = resolve('gpu-box', `Host gpu-box\n  HostName 10.0.0.5\n  User ml\n  UserKnownHostsFile ~/.ssh/kh_%h %d/kh2_%r_%u_%n_%p /etc/ssh/lab_hosts\n`);
    assert.deepEqual(t.userKnownHostsFiles, ['/home/student/.ssh/kh_10.0.0.5', '/home/student/kh2_ml_student_gpu-box_22', '/etc/ssh/lab_hosts']);
    assert.deepEqual(resolve('x', 'Host x\n  UserKnownHostsFile none\n').userKnownHostsFiles, []);
  });
  it('GlobalKnownHostsFile: default /etc/ssh/ssh_known_hosts and ssh_known_hosts2, or the files named', () => {
    assert.deepEqual(resolve('x', '').globalKnownHostsFiles, ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']);
    assert.deepEqual(resolve('x', 'Host x\n  GlobalKnownHostsFile /opt/site_hosts ~/team_hosts\n').globalKnownHostsFiles, ['/opt/site_hosts', '/home/student/team_hosts']);
  });
  const strict: Array<{ value: string; expected: string }> = [
    { value: 'yes', expected: 'yes' }, { value: 'accept-new', expected: 'accept-new' }, { value: 'ask', expected: 'ask' },
    { value: 'no', expected: 'no' }, { value: 'off', expected: 'no' }, { value: 'Yes', expected: 'yes' },
  ];
  for (const c of strict) {
    it(`StrictHostKeyChecking ${c.value} reads as ${c.expected}`, () => {
      assert.equal(resolve('x', `Host x\n  StrictHostKeyChecking ${c.value}\n`).strictHostKeyChecking, c.expected);
    });
  }
  it('StrictHostKeyChecking with another value is refused, naming the values allowed', () => {
    assert.throws(() => resolve('x', 'Host x\n  StrictHostKeyChecking maybe\n'), /StrictHostKeyChecking maybe for x: use yes, accept-new, no or ask/);
  });
  it('HostKeyAlias is kept as written (known_hosts is read and written under it)', () => {
    assert.equal(resolve('x', 'Host x\n  HostKeyAlias gpu-cluster\n').hostKeyAlias, 'gpu-cluster');
    assert.equal(resolve('x', '').hostKeyAlias, undefined);
  });
  it('IdentitiesOnly yes is read; IdentityFile tokens expand (%h %r)', () => {
    const t = resolve('gpu-box', `Host gpu-box\n  HostName 10.0.0.5\n  User ml\n  IdentitiesOnly yes\n  IdentityFile ~/.ssh/id_%h_%r\n`);
    assert.equal(t.identitiesOnly, true);
    assert.deepEqual(t.identityFiles, ['/home/student/.ssh/id_10.0.0.5_ml']);
    assert.equal(resolve('x', 'Host x\n  IdentitiesOnly no\n').identitiesOnly, false);
  });
  const agents: Array<{ value: string; expected: string | undefined }> = [
    { value: '~/.ssh/agent-%h.sock', expected: '/home/student/.ssh/agent-x.sock' },
    { value: 'none', expected: 'none' },
    { value: 'SSH_AUTH_SOCK', expected: undefined },
    { value: '$AGENT_SOCK', expected: '/run/agent.sock' },
  ];
  for (const c of agents) {
    it(`IdentityAgent ${c.value} gives ${c.expected ?? 'SSH_AUTH_SOCK (undefined)'}`, () => {
      assert.equal(resolve('x', `Host x\n  IdentityAgent ${c.value}\n`).identityAgent, c.expected);
    });
  }
  it('ConnectTimeout is read in seconds and given in ms; a non-number is refused', () => {
    assert.equal(resolve('x', 'Host x\n  ConnectTimeout 7\n').connectTimeoutMs, 7000);
    assert.equal(resolve('x', '').connectTimeoutMs, undefined);
    assert.throws(() => resolve('x', 'Host x\n  ConnectTimeout soon\n'), /ConnectTimeout soon for x: a number of seconds/);
  });
  it('ServerAliveInterval in ms, 0 kept (off), with ServerAliveCountMax', () => {
    const t = resolve('x', 'Host x\n  ServerAliveInterval 30\n  ServerAliveCountMax 5\n');
    assert.equal(t.serverAliveIntervalMs, 30_000);
    assert.equal(t.serverAliveCountMax, 5);
    assert.equal(resolve('x', 'Host x\n  ServerAliveInterval 0\n').serverAliveIntervalMs, 0);
  });
  it('ProxyJump: one hop, a chain, none', () => {
    assert.deepEqual(resolve('bastioned', config).proxyJump, ['jump.example']);
    assert.deepEqual(resolve('x', 'Host x\n  ProxyJump bob@login:2200, other\n').proxyJump, ['bob@login:2200', 'other']);
    assert.deepEqual(resolve('x', 'Host x\n  ProxyJump none\n').proxyJump, []);
  });
  it('ProxyCommand: %h %p %r %n %% expanded; none or a ProxyJump set first turns it off', () => {
    const t = resolve('gpu-box', 'Host gpu-box\n  HostName 10.0.0.5\n  User ml\n  ProxyCommand nc -X connect %h %p -- %r %n %%\n');
    assert.equal(t.proxyCommand, 'nc -X connect 10.0.0.5 22 -- ml gpu-box %');
    assert.equal(resolve('x', 'Host x\n  ProxyCommand none\n').proxyCommand, undefined);
    const first = resolve('x', 'Host x\n  ProxyJump j\n  ProxyCommand nc %h %p\n');
    assert.deepEqual([first.proxyJump, first.proxyCommand], [['j'], undefined]);
    const cmdFirst = resolve('x', 'Host x\n  ProxyCommand nc %h %p\n  ProxyJump j\n');
    assert.deepEqual([cmdFirst.proxyJump, cmdFirst.proxyCommand], [[], 'nc x 22']);
  });
  it('a token ProxyCommand does not allow is refused, naming it', () => {
    assert.throws(() => resolve('x', 'Host x\n  ProxyCommand nc %d %p\n'), /unknown token %d/);
  });
  it('expandTokens: %l %L %i %k %C %j and ${VAR}', () => {
    const t = { hostName: 'h', alias: 'a', port: 22, user: 'u', proxyJump: ['j1', 'j2'] };
    assert.equal(expandTokens('%l %L %i %k %j ${AGENT_SOCK}', t, env), 'laptop.example laptop 1000 a j1,j2 /run/agent.sock');
    assert.match(expandTokens('%C', t, env), /^[0-9a-f]{40}$/);
  });

  const hops: Array<{ hop: string; expected: { host: string; port?: number; user?: string } | RegExp }> = [
    { hop: 'login', expected: { host: 'login' } },
    { hop: 'bob@login:2200', expected: { host: 'login', port: 2200, user: 'bob' } },
    { hop: 'ssh://bob@10.0.0.1:22', expected: { host: '10.0.0.1', port: 22, user: 'bob' } },
    { hop: '[fe80::1]:2222', expected: { host: 'fe80::1', port: 2222 } },
    { hop: 'login:99999', expected: /port 99999 is not between 1 and 65535/ },
    { hop: 'a b', expected: /expected \[user@\]host\[:port\]/ },
  ];
  for (const c of hops) {
    it(`ProxyJump hop ${c.hop}`, () => {
      if (c.expected instanceof RegExp) assert.throws(() => parseJumpHop(c.hop), c.expected);
      else assert.deepEqual(parseJumpHop(c.hop), c.expected);
    });
  }
});

describe('the same resolution as OpenSSH\'s own `ssh -G`', { skip: spawnSync('ssh', ['-V']).status !== 0 && 'needs openssh-client (scripts/setup/remote.sh installs it)' }, () => {
  // ssh expands ~ with the passwd entry's home, not $HOME
  const me = os.userInfo();
  const text = [
    'Host gpu-box', '  HostName 10.1.2.3', '  User alice', '  Port 2222', '  UserKnownHostsFile ~/.ssh/kh_%h %d/.ssh/kh2_%r',
    '  IdentityAgent ~/.ssh/agent-%h.sock', '  HostKeyAlias gpu', '  ProxyJump bob@login:2200,other', '  StrictHostKeyChecking accept-new',
    '  ConnectTimeout 7', '  ServerAliveInterval 30', '  IdentitiesOnly yes',
    'Match host 10.1.2.3 user alice', '  GlobalKnownHostsFile /etc/ssh/gk_lab', '',
    'Host other', '  ProxyCommand nc %h %p', '',
  ].join('\n');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mllab-sshg-'));
  const file = path.join(dir, 'config');
  writeFileSync(file, text);
  const sshG = (host: string): Map<string, string> => {
    const out = spawnSync('ssh', ['-G', '-F', file, host], { encoding: 'utf8' }).stdout;
    return new Map(out.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)] as [string, string]));
  };
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const host of ['gpu-box', 'other']) {
    it(`${host}: hostname, user, port, known_hosts files, strict checking, alias, timeouts, agent, jumps as ssh -G prints them`, () => {
      const g = sshG(host);
      const t = resolveSshTarget({ host }, text, { home: me.homedir, user: me.username });
      assert.equal(t.hostName, g.get('hostname'));
      assert.equal(t.user, g.get('user'));
      assert.equal(String(t.port), g.get('port'));
      assert.equal(t.userKnownHostsFiles.join(' '), g.get('userknownhostsfile'));
      assert.equal(t.globalKnownHostsFiles.join(' '), g.get('globalknownhostsfile'));
      assert.equal(t.strictHostKeyChecking, g.get('stricthostkeychecking'));
      assert.equal(t.hostKeyAlias, g.get('hostkeyalias'));
      assert.equal(t.connectTimeoutMs === undefined ? 'none' : String(t.connectTimeoutMs / 1000), g.get('connecttimeout'));
      assert.equal(String((t.serverAliveIntervalMs ?? 0) / 1000), g.get('serveraliveinterval'));
      assert.equal(String(t.serverAliveCountMax), g.get('serveralivecountmax'));
      assert.equal(t.identitiesOnly ? 'yes' : 'no', g.get('identitiesonly'));
      assert.equal(t.identityAgent, g.get('identityagent'));
      assert.equal(t.proxyJump.join(',') || undefined, g.get('proxyjump'));
      // ssh -G prints ProxyCommand before its tokens are expanded
      assert.equal(t.proxyCommand, g.get('proxycommand')?.replace('%h', t.hostName).replace('%p', String(t.port)));
    });
  }
});
