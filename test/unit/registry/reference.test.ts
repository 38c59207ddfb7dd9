/** Reference parsing and normalisation (src/core/registry/reference.ts), as tables. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalReference,
  familiarReference,
  isLoopbackRegistry,
  normalizeRegistryHost,
  parseImageReference,
  parseReference,
  registryApiBase,
  retargetReference,
  validateRegistry,
} from '../../../src/core/registry/reference';

const D = 'sha256:' + 'a'.repeat(64);

const valid: Array<{ input: string; registry: string; path: string; tag?: string; digest?: string; canonical: string; familiar: string }> = [
  { input: 'ubuntu', registry: 'docker.io', path: 'library/ubuntu', tag: 'latest', canonical: 'docker.io/library/ubuntu:latest', familiar: 'ubuntu:latest' },
  { input: 'library/ubuntu', registry: 'docker.io', path: 'library/ubuntu', tag: 'latest', canonical: 'docker.io/library/ubuntu:latest', familiar: 'ubuntu:latest' },
  { input: 'docker.io/library/ubuntu:22.04', registry: 'docker.io', path: 'library/ubuntu', tag: '22.04', canonical: 'docker.io/library/ubuntu:22.04', familiar: 'ubuntu:22.04' },
  { input: 'docker.io/ubuntu', registry: 'docker.io', path: 'library/ubuntu', tag: 'latest', canonical: 'docker.io/library/ubuntu:latest', familiar: 'ubuntu:latest' },
  { input: 'index.docker.io/jupyter/scipy-notebook', registry: 'docker.io', path: 'jupyter/scipy-notebook', tag: 'latest', canonical: 'docker.io/jupyter/scipy-notebook:latest', familiar: 'jupyter/scipy-notebook:latest' },
  { input: 'registry-1.docker.io/library/python:3.11', registry: 'docker.io', path: 'library/python', tag: '3.11', canonical: 'docker.io/library/python:3.11', familiar: 'python:3.11' },
  { input: '127.0.0.1:5000/a/b:c', registry: '127.0.0.1:5000', path: 'a/b', tag: 'c', canonical: '127.0.0.1:5000/a/b:c', familiar: '127.0.0.1:5000/a/b:c' },
  { input: 'localhost:5000/x', registry: 'localhost:5000', path: 'x', tag: 'latest', canonical: 'localhost:5000/x:latest', familiar: 'localhost:5000/x:latest' },
  { input: 'localhost/x', registry: 'localhost', path: 'x', tag: 'latest', canonical: 'localhost/x:latest', familiar: 'localhost/x:latest' },
  { input: 'ghcr.io/org/model', registry: 'ghcr.io', path: 'org/model', tag: 'latest', canonical: 'ghcr.io/org/model:latest', familiar: 'ghcr.io/org/model:latest' },
  { input: `ubuntu@${D}`, registry: 'docker.io', path: 'library/ubuntu', digest: D, canonical: `docker.io/library/ubuntu@${D}`, familiar: `ubuntu@${D}` },
  { input: `127.0.0.1:5000/a:v1@${D}`, registry: '127.0.0.1:5000', path: 'a', tag: 'v1', digest: D, canonical: `127.0.0.1:5000/a:v1@${D}`, familiar: `127.0.0.1:5000/a:v1@${D}` },
  { input: '[::1]:5000/x:y', registry: '[::1]:5000', path: 'x', tag: 'y', canonical: '[::1]:5000/x:y', familiar: '[::1]:5000/x:y' },
];

describe('parseReference', () => {
  for (const c of valid) {
    it(`normalises ${c.input}`, () => {
      const r = parseReference(c.input);
      assert.equal(r.registry, c.registry);
      assert.equal(r.path, c.path);
      assert.equal(r.tag, c.tag);
      assert.equal(r.digest, c.digest);
      assert.equal(canonicalReference(r), c.canonical);
      assert.equal(familiarReference(r), c.familiar);
    });
  }
  it('records whether the registry was written', () => {
    assert.equal(parseReference('ubuntu').explicitRegistry, false);
    assert.equal(parseReference('docker.io/ubuntu').explicitRegistry, true);
    assert.equal(parseReference('127.0.0.1:5000/x').explicitRegistry, true);
  });
});

const invalid: Array<{ input: string; message: RegExp }> = [
  { input: '', message: /the image name is empty/ },
  { input: 'Ubuntu', message: /repository "Ubuntu" must be lower-case, e\.g\. "ubuntu"/ },
  { input: '127.0.0.1:5000/Team/x', message: /repository "Team" must be lower-case/ },
  { input: 'ubuntu:', message: /the tag after ":" is empty/ },
  { input: 'ubuntu:-x', message: /tag "-x" may contain only/ },
  { input: 'ubuntu:' + 'a'.repeat(129), message: /tag is 129 characters; the limit is 128/ },
  { input: 'ubuntu@sha256:abc', message: /digest "sha256:abc" is not valid/ },
  { input: 'ubuntu@sha256:' + 'g'.repeat(64), message: /digest "sha256:g+" is not valid/ },
  { input: 'ubuntu@sha256:' + 'A'.repeat(64), message: /digest .* is not valid/ },
  { input: 'my_host.local/x', message: /registry host "my_host\.local" is not a valid host name/ },
  { input: 'localhost:port/x', message: /registry port "port" is not a number/ },
  { input: 'localhost:70000/x', message: /registry port 70000 is out of range/ },
  { input: 'a//b', message: /empty path component/ },
  { input: 'a b', message: /contains whitespace/ },
  { input: ':v1', message: /the repository name is empty/ },
  { input: 'a___b', message: /repository "a___b" may contain only/ },
];

describe('parseImageReference rejects', () => {
  for (const c of invalid) {
    it(`${c.input.length > 30 ? c.input.slice(0, 30) + '...' : JSON.stringify(c.input)} with a message naming the bad part`, () => {
      const r = parseImageReference(c.input);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.message, c.message);
    });
  }
  it('throws a ReferenceError quoting the input from parseReference', () => {
    assert.throws(() => parseReference('Bad/Name'), (e: Error) => e.name === 'ReferenceError' && /Image reference "Bad\/Name"/.test(e.message));
  });
});

describe('registry hosts', () => {
  const hosts: Array<[string, string]> = [
    ['https://index.docker.io/v1/', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['docker.io', 'docker.io'],
    ['http://127.0.0.1:5000/', '127.0.0.1:5000'],
    ['Registry.Example.org', 'registry.example.org'],
    ['https://ghcr.io/v2/', 'ghcr.io'],
  ];
  for (const [input, expected] of hosts) it(`normalises ${input} to ${expected}`, () => assert.equal(normalizeRegistryHost(input), expected));
  it('speaks HTTP to loopback registries and HTTPS elsewhere', () => {
    assert.equal(registryApiBase('127.0.0.1:5000'), 'http://127.0.0.1:5000');
    assert.equal(registryApiBase('localhost:5000'), 'http://localhost:5000');
    assert.equal(registryApiBase('ghcr.io'), 'https://ghcr.io');
    assert.equal(registryApiBase('docker.io'), 'https://registry-1.docker.io');
    assert.equal(isLoopbackRegistry('127.1.2.3:80'), true);
    assert.equal(isLoopbackRegistry('10.0.0.1:5000'), false);
  });
  it('validates a registry typed by the user', () => {
    assert.equal(validateRegistry('127.0.0.1:5000'), undefined);
    assert.equal(validateRegistry('http://127.0.0.1:5000/'), undefined);
    assert.match(validateRegistry('') ?? '', /empty/);
    assert.match(validateRegistry('host/path') ?? '', /has a path/);
    assert.match(validateRegistry('bad_host') ?? '', /not a valid host name/);
  });
  it('retargets an official image to another registry without library/', () => {
    assert.equal(familiarReference(retargetReference(parseReference('iris:v1'), '127.0.0.1:5000')), '127.0.0.1:5000/iris:v1');
    assert.equal(familiarReference(retargetReference(parseReference('course/iris'), '127.0.0.1:5000')), '127.0.0.1:5000/course/iris:latest');
  });
});
