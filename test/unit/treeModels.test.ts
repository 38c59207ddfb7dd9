/** Tree node models from recorded Engine API rows (shapes as src/engine maps them). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { containerContextValue, containerNodes, formatPublishedPort, imageNodes, publishedPorts, unreachableNode } from '../../src/core/tree/models';
import type { ContainerSummary, ImageSummary } from '../../src/core/engineTypes';

const now = Date.UTC(2026, 10, 21, 12, 0, 0);

function container(over: Partial<ContainerSummary>): ContainerSummary {
  return {
    id: 'a'.repeat(64),
    name: 'iris-1a2b',
    image: 'iris-train:v1',
    imageId: 'sha256:' + 'b'.repeat(64),
    command: 'python train.py',
    created: now - 60_000,
    state: 'running',
    status: 'Up 1 minute',
    ports: [],
    labels: {},
    mounts: [],
    ...over,
  };
}

describe('container nodes', () => {
  it('shows a published port binding as docker ps does', () => {
    assert.equal(formatPublishedPort({ hostIp: '127.0.0.1', hostPort: 4000, containerPort: 8080, protocol: 'tcp' }), '127.0.0.1:4000->8080/tcp');
    assert.equal(formatPublishedPort({ containerPort: 8080, protocol: 'tcp' }), '8080/tcp');
    assert.equal(formatPublishedPort({ hostIp: '::', hostPort: 4000, containerPort: 8080, protocol: 'tcp' }), '[::]:4000->8080/tcp');
  });

  it('lists a binding to all interfaces once, though the engine reports it for IPv4 and IPv6', () => {
    const ports = publishedPorts([
      { hostIp: '0.0.0.0', hostPort: 4000, containerPort: 8080, protocol: 'tcp' },
      { hostIp: '::', hostPort: 4000, containerPort: 8080, protocol: 'tcp' },
    ]);
    assert.deepEqual(ports.map(formatPublishedPort), ['0.0.0.0:4000->8080/tcp']);
  });

  it('puts image, status and ports in the description', () => {
    const [n] = containerNodes([container({ ports: [{ hostIp: '127.0.0.1', hostPort: 4000, containerPort: 8080, protocol: 'tcp' }] })]);
    assert.equal(n.label, 'iris-1a2b');
    assert.equal(n.description, 'iris-train:v1 · Up 1 minute · 127.0.0.1:4000->8080/tcp');
    assert.equal(n.contextValue, 'container;running;hasPorts;');
    assert.equal(n.iconColor, 'charts.green');
  });

  it('tags a stopped container so only Start and Remove match it', () => {
    const c = container({ state: 'exited', status: 'Exited (0) 2 minutes ago' });
    assert.equal(containerContextValue(c), 'container;exited;');
    assert.doesNotMatch(containerContextValue(c), /running/);
  });

  it('sorts running containers first, then by name', () => {
    const nodes = containerNodes([
      container({ id: '1', name: 'b-stopped', state: 'exited' }),
      container({ id: '2', name: 'z-running' }),
      container({ id: '3', name: 'a-stopped', state: 'exited' }),
    ]);
    assert.deepEqual(nodes.map((n) => n.label), ['z-running', 'a-stopped', 'b-stopped']);
  });

  it('names bind mounts by host path and named volumes by name in the tooltip', () => {
    const [n] = containerNodes([
      container({
        mounts: [
          { type: 'bind', source: '/home/s/lab/artifacts', destination: '/usr/local/app/artifacts', readOnly: false },
          { type: 'volume', source: '/var/lib/docker/volumes/data/_data', name: 'data', destination: '/data', readOnly: true },
        ],
      }),
    ]);
    assert.match(n.tooltip ?? '', /Mount: \/home\/s\/lab\/artifacts -> \/usr\/local\/app\/artifacts\n/);
    assert.match(n.tooltip ?? '', /Mount: data -> \/data \(read-only\)/);
  });
});

describe('image nodes', () => {
  const img: ImageSummary = {
    id: 'sha256:' + 'c'.repeat(64),
    repoTags: ['iris-train:v2', 'iris-train:latest'],
    repoDigests: [],
    created: now - 3 * 60_000,
    size: 957_000_000,
    labels: {},
    containers: 0,
  };

  it('gives one row per tag, sorted, with size, age and short id', () => {
    const nodes = imageNodes([img, { ...img, id: 'sha256:' + 'd'.repeat(64), repoTags: [] }], now);
    assert.deepEqual(nodes.map((n) => n.label), ['iris-train:latest', 'iris-train:v2']);
    assert.match(nodes[0].description ?? '', /^957 ?MB · 3 minutes ago · cccccccccccc$/);
  });

  it('leaves out dangling images', () => {
    assert.deepEqual(imageNodes([{ ...img, repoTags: [] }], now), []);
  });
});

describe('message node', () => {
  it('says the engine is not reachable and retries on click', () => {
    const n = unreachableNode('Docker engine not reachable at unix:///var/run/docker.sock', 'mlLab.engine.retry');
    assert.match(n.label, /not reachable/);
    assert.equal(n.command?.id, 'mlLab.engine.retry');
    assert.match(n.tooltip ?? '', /unix:\/\/\/var\/run\/docker\.sock/);
  });
});
