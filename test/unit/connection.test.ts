import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ConnectionInputs, EngineAddress, ResolvedConnection, formatEngineAddress, nodeConnectionInputs, parseDockerHost, resolveConnection } from '../../src/core/connection';
import { UserError } from '../../src/core/errors';

const HOME = '/home/student';

/** Inputs over an in-memory file tree: `files` maps absolute paths to contents. */
function inputs(opts: { setting?: string; env?: Record<string, string>; files?: Record<string, string> }): ConnectionInputs {
  const files = opts.files ?? {};
  return {
    setting: opts.setting,
    env: opts.env ?? {},
    homeDir: HOME,
    readFile: (p) => files[p],
    listDir: (dir) => {
      const prefix = dir.endsWith('/') ? dir : `${dir}/`;
      const names = new Set<string>();
      for (const f of Object.keys(files)) if (f.startsWith(prefix)) names.add(f.slice(prefix.length).split('/')[0]);
      return [...names];
    },
  };
}

function meta(name: string, host: string, skipTlsVerify = false): string {
  return JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: skipTlsVerify } } });
}

const CFG = `${HOME}/.docker`;

const resolveCases: Array<{ name: string; input: ConnectionInputs; expected: Partial<ResolvedConnection> }> = [
  {
    name: 'uses the default socket when nothing is configured',
    input: inputs({}),
    expected: { source: 'default', address: { kind: 'socket', socketPath: '/var/run/docker.sock' }, describe: 'unix:///var/run/docker.sock (default)' },
  },
  {
    name: 'prefers the setting over DOCKER_HOST',
    input: inputs({ setting: 'unix:///tmp/a.sock', env: { DOCKER_HOST: 'tcp://10.0.0.1:2375' } }),
    expected: { source: 'setting', address: { kind: 'socket', socketPath: '/tmp/a.sock' }, describe: 'unix:///tmp/a.sock (setting mlLab.engine.dockerHost)' },
  },
  {
    name: 'ignores a blank setting',
    input: inputs({ setting: '  ', env: { DOCKER_HOST: 'tcp://10.0.0.1:2375' } }),
    expected: { source: 'DOCKER_HOST', address: { kind: 'tcp', host: '10.0.0.1', port: 2375 } },
  },
  {
    name: 'reads a tcp DOCKER_HOST without TLS',
    input: inputs({ env: { DOCKER_HOST: 'tcp://10.0.0.1:2375' } }),
    expected: { source: 'DOCKER_HOST', address: { kind: 'tcp', host: '10.0.0.1', port: 2375 }, describe: 'tcp://10.0.0.1:2375 (DOCKER_HOST)' },
  },
  {
    name: 'turns on verified TLS with DOCKER_TLS_VERIFY and takes the certs from DOCKER_CERT_PATH',
    input: inputs({
      env: { DOCKER_HOST: 'tcp://build.example.org', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' },
      files: { '/certs/ca.pem': 'ca', '/certs/cert.pem': 'cert', '/certs/key.pem': 'key' },
    }),
    expected: {
      source: 'DOCKER_HOST',
      address: { kind: 'tcp', host: 'build.example.org', port: 2376, tls: { caPath: '/certs/ca.pem', certPath: '/certs/cert.pem', keyPath: '/certs/key.pem', verify: true } },
      describe: 'tcp://build.example.org:2376 TLS (DOCKER_HOST)',
    },
  },
  {
    name: 'takes TLS certs from ~/.docker when DOCKER_CERT_PATH is unset and leaves out missing files',
    input: inputs({ env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1' }, files: { [`${CFG}/ca.pem`]: 'ca' } }),
    expected: { address: { kind: 'tcp', host: 'h', port: 2376, tls: { caPath: `${CFG}/ca.pem`, verify: true } } },
  },
  {
    name: 'applies DOCKER_TLS_VERIFY to a tcp setting too, like docker -H',
    input: inputs({ setting: 'tcp://h', env: { DOCKER_TLS_VERIFY: '1' } }),
    expected: { source: 'setting', address: { kind: 'tcp', host: 'h', port: 2376, tls: { verify: true } } },
  },
  {
    name: 'ignores DOCKER_TLS_VERIFY for a socket',
    input: inputs({ env: { DOCKER_HOST: 'unix:///run/user/1000/docker.sock', DOCKER_TLS_VERIFY: '1' } }),
    expected: { address: { kind: 'socket', socketPath: '/run/user/1000/docker.sock' } },
  },
  {
    name: 'prefers DOCKER_HOST over the current context',
    input: inputs({
      env: { DOCKER_HOST: 'unix:///tmp/x.sock', DOCKER_CONTEXT: 'remote' },
      files: { [`${CFG}/contexts/meta/abc/meta.json`]: meta('remote', 'tcp://r:2375') },
    }),
    expected: { source: 'DOCKER_HOST' },
  },
  {
    name: 'reads the context named by DOCKER_CONTEXT',
    input: inputs({
      env: { DOCKER_CONTEXT: 'remote' },
      files: {
        [`${CFG}/contexts/meta/aaa/meta.json`]: meta('other', 'tcp://other:2375'),
        [`${CFG}/contexts/meta/bbb/meta.json`]: meta('remote', 'tcp://r.example:2375'),
      },
    }),
    expected: {
      source: 'context',
      contextName: 'remote',
      address: { kind: 'tcp', host: 'r.example', port: 2375 },
      describe: 'tcp://r.example:2375 (Docker context "remote")',
    },
  },
  {
    name: 'reads currentContext from config.json in DOCKER_CONFIG',
    input: inputs({
      env: { DOCKER_CONFIG: '/cfg' },
      files: {
        '/cfg/config.json': JSON.stringify({ auths: {}, currentContext: 'rootless' }),
        '/cfg/contexts/meta/f00/meta.json': meta('rootless', 'unix:///run/user/1000/docker.sock'),
      },
    }),
    expected: { source: 'context', contextName: 'rootless', address: { kind: 'socket', socketPath: '/run/user/1000/docker.sock' } },
  },
  {
    name: 'treats the context "default" as no context',
    input: inputs({ files: { [`${CFG}/config.json`]: JSON.stringify({ currentContext: 'default' }) } }),
    expected: { source: 'default' },
  },
  {
    name: 'treats DOCKER_CONTEXT=default as no context even when config.json names another',
    input: inputs({ env: { DOCKER_CONTEXT: 'default' }, files: { [`${CFG}/config.json`]: JSON.stringify({ currentContext: 'remote' }) } }),
    expected: { source: 'default' },
  },
  {
    name: 'uses the default socket when config.json has no currentContext',
    input: inputs({ files: { [`${CFG}/config.json`]: JSON.stringify({ auths: {} }) } }),
    expected: { source: 'default' },
  },
  {
    name: 'uses a context\'s TLS files and verifies by default',
    input: inputs({
      env: { DOCKER_CONTEXT: 'secure' },
      files: {
        [`${CFG}/contexts/meta/d1/meta.json`]: meta('secure', 'tcp://s.example'),
        [`${CFG}/contexts/tls/d1/docker/ca.pem`]: 'ca',
        [`${CFG}/contexts/tls/d1/docker/cert.pem`]: 'c',
        [`${CFG}/contexts/tls/d1/docker/key.pem`]: 'k',
      },
    }),
    expected: {
      address: {
        kind: 'tcp',
        host: 's.example',
        port: 2376,
        tls: {
          caPath: `${CFG}/contexts/tls/d1/docker/ca.pem`,
          certPath: `${CFG}/contexts/tls/d1/docker/cert.pem`,
          keyPath: `${CFG}/contexts/tls/d1/docker/key.pem`,
          verify: true,
        },
      },
    },
  },
  {
    name: 'turns off verification for a context with SkipTLSVerify',
    input: inputs({ env: { DOCKER_CONTEXT: 'lab' }, files: { [`${CFG}/contexts/meta/e/meta.json`]: meta('lab', 'tcp://lab:2376', true) } }),
    expected: { address: { kind: 'tcp', host: 'lab', port: 2376, tls: { verify: false } }, describe: 'tcp://lab:2376 TLS without verification (Docker context "lab")' },
  },
  {
    name: 'skips another context\'s broken meta.json while looking for the current one',
    input: inputs({
      env: { DOCKER_CONTEXT: 'good' },
      files: { [`${CFG}/contexts/meta/a/meta.json`]: '{broken', [`${CFG}/contexts/meta/b/meta.json`]: meta('good', 'unix:///good.sock') },
    }),
    expected: { address: { kind: 'socket', socketPath: '/good.sock' } },
  },
];

for (const c of resolveCases) {
  void test(`resolveConnection ${c.name}`, () => {
    const actual = resolveConnection(c.input);
    for (const [key, value] of Object.entries(c.expected)) {
      assert.deepEqual(actual[key as keyof ResolvedConnection], value, key);
    }
  });
}

const resolveErrorCases: Array<{ name: string; input: ConnectionInputs; expected: RegExp }> = [
  { name: 'rejects a setting with a bad port and names the setting', input: inputs({ setting: 'tcp://h:abc' }), expected: /^The setting mlLab\.engine\.dockerHost: "tcp:\/\/h:abc": port "abc" is not a number/ },
  { name: 'rejects a DOCKER_HOST with an unknown scheme and names DOCKER_HOST', input: inputs({ env: { DOCKER_HOST: 'http://h:2375' } }), expected: /^DOCKER_HOST: .*"http:\/\/" is not a Docker host scheme/ },
  { name: 'rejects an ssh:// DOCKER_HOST with a path and names DOCKER_HOST', input: inputs({ env: { DOCKER_HOST: 'ssh://me@server/x' } }), expected: /^DOCKER_HOST: .*an ssh:\/\/ address takes no path/ },
  {
    name: 'rejects a DOCKER_CONTEXT that does not exist and says how to list contexts',
    input: inputs({ env: { DOCKER_CONTEXT: 'gone' } }),
    expected: /^Docker context "gone" \(from DOCKER_CONTEXT\) was not found in \/home\/student\/\.docker\/contexts\/meta/,
  },
  {
    name: 'rejects a currentContext that does not exist and names config.json',
    input: inputs({ files: { [`${CFG}/config.json`]: JSON.stringify({ currentContext: 'gone' }) } }),
    expected: /^Docker context "gone" \(from currentContext in \/home\/student\/\.docker\/config\.json\) was not found/,
  },
  { name: 'rejects an unparsable config.json and names its path', input: inputs({ files: { [`${CFG}/config.json`]: '{"currentContext": ' } }), expected: /^\/home\/student\/\.docker\/config\.json is not valid JSON/ },
  {
    name: 'rejects a context without a docker endpoint host',
    input: inputs({ env: { DOCKER_CONTEXT: 'empty' }, files: { [`${CFG}/contexts/meta/x/meta.json`]: JSON.stringify({ Name: 'empty', Endpoints: {} }) } }),
    expected: /^Docker context "empty" .* has no docker endpoint Host/,
  },
  {
    name: 'rejects a context with a malformed host and names the context',
    input: inputs({ env: { DOCKER_CONTEXT: 'bad' }, files: { [`${CFG}/contexts/meta/x/meta.json`]: meta('bad', 'tcp://h:99999') } }),
    expected: /^Docker context "bad": "tcp:\/\/h:99999": port 99999 is out of range/,
  },
];

for (const c of resolveErrorCases) {
  void test(`resolveConnection ${c.name}`, () => {
    assert.throws(
      () => resolveConnection(c.input),
      (err: unknown) => {
        assert.ok(err instanceof UserError, 'a UserError');
        assert.match(err.message, c.expected);
        assert.ok(err.hint, 'has a hint');
        return true;
      },
    );
  });
}

const parseCases: Array<{ name: string; input: string; tls?: boolean; expected: EngineAddress }> = [
  { name: 'reads a unix socket path', input: 'unix:///var/run/docker.sock', expected: { kind: 'socket', socketPath: '/var/run/docker.sock' } },
  { name: 'reads a tcp host and port', input: 'tcp://127.0.0.1:2375', expected: { kind: 'tcp', host: '127.0.0.1', port: 2375 } },
  { name: 'defaults a tcp port to 2375 without TLS', input: 'tcp://docker.lab', expected: { kind: 'tcp', host: 'docker.lab', port: 2375 } },
  { name: 'defaults a tcp port to 2376 with TLS', input: 'tcp://docker.lab', tls: true, expected: { kind: 'tcp', host: 'docker.lab', port: 2376 } },
  { name: 'accepts a trailing slash', input: 'tcp://h:2375/', expected: { kind: 'tcp', host: 'h', port: 2375 } },
  { name: 'reads a bracketed IPv6 host', input: 'tcp://[::1]:2375', expected: { kind: 'tcp', host: '::1', port: 2375 } },
  { name: 'reads text without a scheme as tcp, like the Docker CLI', input: 'h:2380', expected: { kind: 'tcp', host: 'h', port: 2380 } },
  { name: 'accepts an upper-case scheme', input: 'TCP://h:1', expected: { kind: 'tcp', host: 'h', port: 1 } },
];

for (const c of parseCases) {
  void test(`parseDockerHost ${c.name}`, () => {
    assert.deepEqual(parseDockerHost(c.input, { tls: c.tls }), c.expected);
  });
}

void test('parseDockerHost reads a named pipe on Windows', () => {
  assert.deepEqual(parseDockerHost('npipe:////./pipe/docker_engine', { platform: 'win32' }), { kind: 'socket', socketPath: '\\\\.\\pipe\\docker_engine' });
});

const parseErrorCases: Array<{ name: string; input: string; expected: RegExp }> = [
  { name: 'rejects an empty value', input: '', expected: /is empty/ },
  { name: 'rejects a relative unix socket path and suggests three slashes', input: 'unix://var/run/docker.sock', expected: /must be absolute; write three slashes/ },
  { name: 'rejects unix:// without a path', input: 'unix://', expected: /names no socket path/ },
  { name: 'rejects a bare socket path and suggests unix://', input: '/var/run/docker.sock', expected: /write a socket path as unix:\/\/\/var\/run\/docker\.sock/ },
  { name: 'rejects a non-numeric port', input: 'tcp://h:port', expected: /port "port" is not a number/ },
  { name: 'rejects port 0', input: 'tcp://h:0', expected: /port 0 is out of range; ports are 1-65535/ },
  { name: 'rejects a port above 65535', input: 'tcp://h:65536', expected: /port 65536 is out of range/ },
  { name: 'rejects a tcp address without a host', input: 'tcp://:2375', expected: /names no host/ },
  { name: 'rejects a tcp address with a path', input: 'tcp://h:2375/v1.41', expected: /takes no path/ },
  { name: 'rejects an unbracketed IPv6 host', input: 'tcp://::1:2375', expected: /put an IPv6 host in brackets/ },
  { name: 'rejects an ssh address with a path', input: 'ssh://me@h/var/run', expected: /an ssh:\/\/ address takes no path/ },
  { name: 'rejects an ssh user with spaces', input: 'ssh://me you@h', expected: /is not a user name/ },
  { name: 'rejects npipe:// off Windows', input: 'npipe:////./pipe/docker_engine', expected: /Windows named pipe/ },
];

const sshCases: Array<{ input: string; expected: unknown; formatted: string }> = [
  { input: 'ssh://gpu-box', expected: { kind: 'ssh', host: 'gpu-box' }, formatted: 'ssh://gpu-box' },
  { input: 'ssh://me@gpu-box', expected: { kind: 'ssh', host: 'gpu-box', user: 'me' }, formatted: 'ssh://me@gpu-box' },
  { input: 'ssh://me@10.0.0.5:2222', expected: { kind: 'ssh', host: '10.0.0.5', port: 2222, user: 'me' }, formatted: 'ssh://me@10.0.0.5:2222' },
  { input: 'ssh://[::1]:22/', expected: { kind: 'ssh', host: '::1', port: 22 }, formatted: 'ssh://[::1]:22' },
];
for (const c of sshCases) {
  void test(`parses ${c.input} as the Docker CLI does (user and port optional)`, () => {
    const a = parseDockerHost(c.input);
    assert.deepEqual(a, c.expected);
    assert.equal(formatEngineAddress(a), c.formatted);
  });
}

for (const c of parseErrorCases) {
  void test(`parseDockerHost ${c.name}`, () => {
    assert.throws(() => parseDockerHost(c.input, { platform: 'linux' }), (err: unknown) => err instanceof UserError && c.expected.test(err.message));
  });
}

void test('nodeConnectionInputs reads the real environment and tolerates missing files', () => {
  const real = nodeConnectionInputs('unix:///x.sock');
  assert.equal(real.setting, 'unix:///x.sock');
  assert.equal(real.env, process.env);
  assert.equal(real.readFile(path.join('/nonexistent', 'config.json')), undefined);
  assert.deepEqual(real.listDir('/nonexistent/contexts/meta'), []);
  assert.match(real.readFile(__filename) ?? '', /nodeConnectionInputs/);
});
