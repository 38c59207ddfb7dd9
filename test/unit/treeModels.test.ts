/** Tree node models from recorded Engine API rows (shapes as src/engine maps them). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { containerContextValue, containerNodes, formatPublishedPort, imageNodes, portUrl, publishedPorts, splitReference, unreachableNode, usage, volumeNodes } from '../../src/core/tree/models';
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
    assert.deepEqual(ports.map((p) => formatPublishedPort(p)), ['0.0.0.0:4000->8080/tcp']);
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
    repoTags: ['iris-train:v2', 'iris-train:latest', '127.0.0.1:5000/lab/iris:v2'],
    repoDigests: ['iris-train@sha256:' + 'e'.repeat(64)],
    created: now - 3 * 60_000,
    size: 957_000_000,
    labels: { 'org.opencontainers.image.title': 'iris' },
    containers: -1,
  };
  const dangling: ImageSummary = { ...img, id: 'sha256:' + 'd'.repeat(64), repoTags: [], repoDigests: [] };

  it('groups tags under their repository, with size, age and short id on each tag row', () => {
    const repos = imageNodes([img, dangling], now);
    assert.deepEqual(repos.map((r) => r.label), ['127.0.0.1:5000/lab/iris', 'iris-train']);
    const iris = repos[1];
    assert.equal(iris.description, '2 tags');
    assert.deepEqual(iris.children?.map((t) => t.label), ['latest', 'v2']);
    assert.equal(iris.children?.[0].ref, 'iris-train:latest');
    assert.match(iris.children?.[0].description ?? '', /^957 MB · 3 minutes ago · cccccccccccc$/);
  });

  it('puts id, digest, created time and labels in the tooltip', () => {
    const tag = imageNodes([img], now)[1].children![0];
    assert.match(tag.tooltip ?? '', /Id: sha256:c{64}/);
    assert.match(tag.tooltip ?? '', /Digest: sha256:e{64}/);
    assert.match(tag.tooltip ?? '', /Created: 2026-11-21T11:57:00.000Z/);
    assert.match(tag.tooltip ?? '', /Label: org.opencontainers.image.title=iris/);
  });

  it('hides dangling images unless asked, then groups them under <none> last', () => {
    assert.equal(imageNodes([dangling], now).length, 0);
    const shown = imageNodes([dangling, img], now, { showDangling: true });
    assert.equal(shown.at(-1)?.label, '<none>');
    assert.equal(shown.at(-1)?.children?.[0].ref, dangling.id);
    assert.match(shown.at(-1)?.children?.[0].contextValue ?? '', /dangling;/);
  });

  it('marks a tag whose image a container uses, and names the container', () => {
    const tag = imageNodes([img], now, { usedBy: new Map([[img.id, ['iris-1a2b']]]) })[1].children![0];
    assert.equal(tag.contextValue, 'image;inUse;');
    assert.match(tag.tooltip ?? '', /Used by: iris-1a2b/);
  });

  it('splits a reference with a registry port correctly', () => {
    assert.deepEqual(splitReference('127.0.0.1:5000/a/b:c'), { repository: '127.0.0.1:5000/a/b', tag: 'c' });
    assert.deepEqual(splitReference('127.0.0.1:5000/a/b'), { repository: '127.0.0.1:5000/a/b', tag: 'latest' });
  });
});

describe('container children and compose groups', () => {
  it('gives a running container its port bindings (clicking opens the URL), mounts and image', () => {
    const [n] = containerNodes([
      container({
        ports: [{ hostIp: '127.0.0.1', hostPort: 4000, containerPort: 8080, protocol: 'tcp' }],
        mounts: [{ type: 'bind', source: '/lab/artifacts', destination: '/usr/local/app/artifacts', readOnly: false }],
      }),
    ]);
    assert.deepEqual(n.children?.map((c) => c.kind), ['port', 'mount', 'containerFiles', 'containerImage']);
    assert.equal(n.children?.[0].label, '127.0.0.1:4000 -> 8080/tcp');
    assert.deepEqual(n.children?.[0].command?.args, ['http://127.0.0.1:4000']);
    assert.equal(n.children?.[1].label, '/lab/artifacts -> /usr/local/app/artifacts');
    assert.equal(n.children?.[1].description, 'bind mount');
  });

  it('opens a binding to all interfaces on localhost, and never a UDP port', () => {
    assert.equal(portUrl({ hostIp: '0.0.0.0', hostPort: 8888, containerPort: 8888, protocol: 'tcp' }), 'http://localhost:8888');
    assert.equal(portUrl({ hostIp: '0.0.0.0', hostPort: 53, containerPort: 53, protocol: 'udp' }), undefined);
  });

  it('groups the containers of a Compose project under the project', () => {
    const nodes = containerNodes([
      container({ id: '1', name: 'web-1', labels: { 'com.docker.compose.project': 'mlapp' } }),
      container({ id: '2', name: 'db-1', state: 'exited', labels: { 'com.docker.compose.project': 'mlapp' } }),
      container({ id: '3', name: 'solo' }),
    ]);
    assert.deepEqual(nodes.map((n) => n.label), ['mlapp', 'solo']);
    assert.equal(nodes[0].description, 'Compose project · 1/2 running');
    assert.deepEqual(nodes[0].children?.map((c) => c.label), ['web-1', 'db-1']);
    // the Compose commands on the project row read the project name from ref
    assert.equal(nodes[0].ref, 'mlapp');
    assert.equal(nodes[0].contextValue, 'composeProject;');
  });
});

describe('volume nodes', () => {
  it('shows driver, size when reported and the containers using it', () => {
    const { volumes } = usage([
      container({ name: 'trainer', mounts: [{ type: 'volume', name: 'datasets', source: '/var/lib/docker/volumes/datasets/_data', destination: '/data', readOnly: true }] }),
    ]);
    const nodes = volumeNodes(
      [
        { name: 'datasets', driver: 'local', mountpoint: '/var/lib/docker/volumes/datasets/_data', created: now, labels: {}, size: 2_500_000 },
        { name: 'cache', driver: 'local', mountpoint: '/var/lib/docker/volumes/cache/_data', created: now, labels: {} },
      ],
      volumes,
      now,
    );
    assert.deepEqual(nodes.map((n) => n.label), ['cache', 'datasets']);
    assert.equal(nodes[0].description, 'local · unused');
    assert.equal(nodes[1].description, 'local · 2.5 MB · used by trainer');
    assert.equal(nodes[1].contextValue, 'volume;inUse;');
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
