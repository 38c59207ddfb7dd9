/**
 * Unit: how engine failures read (src/engine/connection.ts `mapError`, `tlsProblem`, `productOf`),
 * from the error shapes Node and dockerode give (codes and messages as measured against the
 * namespace dockerd and Podman 4.3 in test/engine/faults.test.ts and engines.test.ts). No engine
 * is contacted: mapError is pure.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Engine, EngineError } from '../../src/engine/engine';
import { productOf, tlsProblem } from '../../src/engine/connection';
import type { ResolvedConnection } from '../../src/core/connection';

const local: ResolvedConnection = { address: { kind: 'socket', socketPath: '/var/run/docker.sock' }, source: 'default', describe: 'unix:///var/run/docker.sock' };
const remote: ResolvedConnection = { address: { kind: 'tcp', host: '10.0.0.2', port: 2376 }, source: 'setting', describe: 'tcp://10.0.0.2:2376' };

const cases: Array<{ name: string; connection: ResolvedConnection; err: object; kind: EngineError['kind']; message: RegExp; hint?: RegExp }> = [
  { name: 'a local socket that refuses says to start Docker', connection: local, err: { code: 'ECONNREFUSED' }, kind: 'unreachable', message: /Is Docker installed and running\?/, hint: /Start the Docker engine/ },
  { name: 'a remote host that does not answer says to check the host', connection: remote, err: { code: 'EHOSTUNREACH' }, kind: 'unreachable', message: /^Docker engine not reachable at tcp:\/\/10\.0\.0\.2:2376 \(EHOSTUNREACH\): the host did not answer\.$/, hint: /remote host is up .* Engines view/ },
  { name: 'a remote host with no route says to check the host', connection: remote, err: { code: 'ENETUNREACH' }, kind: 'unreachable', message: /the host did not answer/ },
  { name: 'a remote host with nothing on the port says so', connection: remote, err: { code: 'ECONNREFUSED' }, kind: 'unreachable', message: /the host answered, but nothing listens on the engine's port/ },
  { name: 'an expired server certificate names it', connection: remote, err: { code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, kind: 'tls', message: /server certificate has expired \(CERT_HAS_EXPIRED\)/, hint: /Renew the server certificate/ },
  { name: 'a server certificate of another CA names ca.pem', connection: remote, err: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, kind: 'tls', message: /not signed by the CA in your ca\.pem/ },
  { name: 'a refused client certificate says which certificate to use', connection: remote, err: { code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', message: 'sslv3 alert bad certificate' }, kind: 'tls', message: /did not accept your client certificate/, hint: /signed by the CA the engine trusts/ },
  {
    name: "Podman's runc refusing setrlimit gives the start message with the engine's reason",
    connection: local,
    err: { statusCode: 500, json: { message: 'runc: runc create failed: unable to start container process: error during container init: error setting rlimits for ready process: error setting rlimit type 7: operation not permitted: OCI permission denied' } },
    kind: 'startFailed',
    message: /^start container from x: the engine could not start the container\. The engine's reason: runc: .*rlimit type 7/,
    hint: /refuses to set resource limits .* run on another engine/,
  },
  {
    name: "dockerd's OCI runtime failure gives the same start message",
    connection: local,
    err: { statusCode: 400, json: { message: 'failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown' } },
    kind: 'startFailed',
    message: /the engine could not start the container\. The engine's reason: .*executable file not found/,
    hint: /command and entrypoint/,
  },
  { name: 'any other engine answer keeps its message', connection: local, err: { statusCode: 500, json: { message: 'something else' } }, kind: 'engine', message: /^start container from x: something else$/ },
];

for (const c of cases) {
  void test(`mapError: ${c.name}`, () => {
    const e = new Engine(c.connection).mapError('start container from x', c.err);
    assert.ok(e instanceof EngineError);
    assert.equal(e.kind, c.kind, e.message);
    assert.match(e.message, c.message);
    if (c.hint) assert.match(e.hint ?? '', c.hint);
  });
}

void test('tlsProblem: a plain socket error is not a TLS problem', () => {
  assert.equal(tlsProblem({ code: 'ECONNRESET', message: 'socket hang up' }), undefined);
});

void test('productOf: Podman names itself in the /version Components, Docker does not', () => {
  assert.equal(productOf({ Components: [{ Name: 'Podman Engine' }, { Name: 'Conmon' }] }), 'podman');
  assert.equal(productOf({ Components: [{ Name: 'Engine' }, { Name: 'containerd' }, { Name: 'runc' }] }), 'docker');
  assert.equal(productOf({}), 'docker');
});
