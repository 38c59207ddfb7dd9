import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { appendComposeService, profileToComposeService } from '../../../src/core/compose/exportProfile';
import { parseProfiles } from '../../../src/core/run/profile';
import { readComposeFile } from '../../../src/core/compose/files';

const PROFILES = `version: 1
profiles:
  train:
    build: { dockerfile: train.dockerfile, tag: iris-train:v1, args: { PY: "3.11" } }
    run:
      name: iris-train
      ports: ["127.0.0.1:4000:8080"]
      volumes: ["./artifacts:/usr/local/app/artifacts", "cache:/root/.cache:ro"]
      env: { EPOCHS: "20" }
      shmSize: 1g
      gpus: all
      network: lab-net
      labels: { course: ml101 }
      rm: true
`;

function trainProfile() {
  const { profiles, errors } = parseProfiles(PROFILES, { workspaceFolder: '/w/lab' });
  assert.deepEqual(errors, []);
  return profiles[0];
}

describe('profileToComposeService', () => {
  it('maps build, ports, mounts, env, shm, GPUs, network and labels to Compose fields', () => {
    const out = profileToComposeService(trainProfile(), '/w/lab');
    assert.deepEqual(out, {
      service: {
        build: { context: '.', dockerfile: 'train.dockerfile', args: { PY: '3.11' } },
        image: 'iris-train:v1',
        container_name: 'iris-train',
        ports: ['127.0.0.1:4000:8080'],
        volumes: ['./artifacts:/usr/local/app/artifacts', 'cache:/root/.cache:ro'],
        environment: { EPOCHS: '20' },
        deploy: { resources: { reservations: { devices: [{ driver: 'nvidia', count: 'all', capabilities: ['gpu'] }] } } },
        shm_size: '1g',
        networks: ['lab-net'],
        labels: { course: 'ml101' },
      },
      volumes: ['cache'],
      networks: ['lab-net'],
    });
  });
  it('writes paths relative to a Compose file in another folder', () => {
    const out = profileToComposeService(trainProfile(), '/w/lab/deploy');
    assert.deepEqual((out.service.build as { context: string }).context, '..');
    assert.equal((out.service.volumes as string[])[0], '../artifacts:/usr/local/app/artifacts');
  });
});

describe('appendComposeService', () => {
  const existing = `# The lab's services
services:
  # the web front end
  web:
    image: web:1 # pinned

volumes:
  data: {}
`;
  it('appends the service and the volumes and networks it needs, keeping comments', () => {
    const text = appendComposeService(existing, 'train', profileToComposeService(trainProfile(), '/w/lab'));
    assert.match(text, /^# The lab's services\n/);
    assert.match(text, /# the web front end\n {2}web:\n {4}image: web:1 # pinned\n/);
    assert.match(text, /\n {2}train:\n {4}build:\n {6}context: \.\n/);
    assert.match(text, /ports: \[ "127\.0\.0\.1:4000:8080" \]/);
    assert.match(text, /\nnetworks:\n {2}lab-net:\n {4}external: true\n/);
    const info = readComposeFile(text);
    assert.deepEqual(info.services, ['web', 'train']);
    assert.deepEqual(info.volumes.map((v) => v.key), ['data', 'cache']);
  });
  it('creates services: in an empty file', () => {
    const text = appendComposeService('', 'train', { service: { image: 'a:1' }, volumes: [], networks: [] });
    assert.equal(text, 'services:\n  train:\n    image: a:1\n');
  });
  it('refuses a service name that exists unless asked to replace it', () => {
    const svc = { service: { image: 'web:2' }, volumes: [], networks: [] };
    assert.throws(() => appendComposeService(existing, 'web', svc), /already has a service named web/);
    assert.match(appendComposeService(existing, 'web', svc, { replace: true }), /web:\n {4}image: web:2\n/);
  });
  it('refuses names Compose refuses and files with YAML errors', () => {
    assert.throws(() => appendComposeService(existing, 'my service', { service: {}, volumes: [], networks: [] }), /not a Compose service name/);
    assert.throws(() => appendComposeService('services: [\n', 'a', { service: {}, volumes: [], networks: [] }), /YAML errors/);
  });
});
