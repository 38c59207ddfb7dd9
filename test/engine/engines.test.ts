/**
 * Engine tier: ONE engine suite, run unchanged against every engine in `targets`:
 *  (a) the machine's local engine (unix socket);
 *  (b) a second dockerd in a network namespace made by the test, over TCP+TLS;
 *  (c) the same daemon over SSH (`docker system dial-stdio`, known_hosts checked);
 *  (d) Podman's Docker-compatible API (`podman system service`), for what it can do here: it
 *      cannot start containers on these machines (the sandbox refuses setrlimit), so the cases
 *      that need a running container run their `withoutContainers` variant, or are not run there.
 *
 * To add a case, append to `cases`: `run(t)` gets the target (its Engine, the tiny image as that
 * engine names it, where its published ports answer). Set `needsRunning: true` when it starts a
 * container, and give a `withoutContainers(t)` check for engines that cannot (else it is not
 * run there; README "Podman" lists what was run). Name everything with `t.run` and label it with
 * `labels`; each target's `after` removes what carries its label.
 * Traffic goes only to 127.0.0.1 and to addresses in the test's own namespace.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Engine, EngineError, type EngineEvent, type EngineProduct } from '../../src/engine/engine';
import type { ResolvedConnection } from '../../src/core/connection';
import { startRemoteEngine, type RemoteEngine } from '../support/remoteEngine';
import { havePodman, startPodman } from '../support/podmanEngine';
import { TEST_LABEL, httpText, runId, testEngine, waitFor } from '../support/fixtures';

const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';

/** One engine under test, as a case sees it. */
interface Target {
  readonly name: string;
  readonly engine: Engine;
  readonly product: EngineProduct;
  /** the tiny busybox image as this engine names it (Podman lists loaded images as localhost/<name>) */
  readonly image: string;
  /** host IP that published ports bind to, and the address they answer on from this machine */
  readonly bindAddress: string;
  readonly publishedAddress: string;
  /** a host port free on that engine's host for this target */
  readonly hostPort: number;
  /** this target's run id: the value of TEST_LABEL on everything it makes, and a name suffix */
  readonly run: string;
  /** false: the engine refuses to start containers here (Podman in this sandbox) */
  readonly startsContainers: boolean;
  /** how the engine's own reason for refusing a start reads, when it refuses */
  readonly startRefusal?: RegExp;
}

interface TargetSpec {
  name: string;
  /** false: the engine refuses to start containers here (Podman in this sandbox) */
  startsContainers: boolean;
  /** why the target cannot run on this machine (the whole target is then reported as skipped), or undefined */
  unavailable(): string | false;
  start(run: string): Promise<Omit<Target, 'name' | 'run' | 'startsContainers'> & { stop(): Promise<void> }>;
}

const isRoot = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

/** The namespace engine, shared by the TLS and SSH targets (started by the first, stopped after the last). */
let remote: Promise<RemoteEngine> | undefined;
let remoteUsers = 0;
const sshHome = mkdtempSync(path.join(tmpdir(), 'mllab-suite-home-'));
function useRemote(): Promise<RemoteEngine> {
  remoteUsers++;
  remote ??= startRemoteEngine('suite', { ssh: true, bridge: true }).then((r) => {
    r.loadImage(TINY);
    return r;
  });
  return remote;
}
async function releaseRemote(): Promise<void> {
  if (--remoteUsers > 0 || !remote) return;
  const r = await remote.catch(() => undefined);
  remote = undefined;
  await r?.stop();
  rmSync(sshHome, { recursive: true, force: true });
}
const remoteTarget = (r: RemoteEngine, engine: Engine, hostPort: number) => ({
  engine, product: 'docker' as const, image: TINY, bindAddress: '0.0.0.0', publishedAddress: r.address, hostPort,
  stop: async () => { engine.close(); await releaseRemote(); },
});

/** The engine targets: the same cases run against each. */
const targets: TargetSpec[] = [
  {
    name: 'local engine (unix socket)',
    startsContainers: true,
    unavailable: () => false,
    start: async () => ({
      engine: testEngine(), product: 'docker', image: TINY, bindAddress: '127.0.0.1', publishedAddress: '127.0.0.1', hostPort: 4031,
      stop: async () => undefined,
    }),
  },
  {
    name: 'namespace engine over TCP+TLS',
    startsContainers: true,
    unavailable: () => !isRoot && 'needs root and iproute2 (scripts/setup/remote.sh)',
    start: async () => {
      const r = await useRemote();
      const tls = { caPath: path.join(r.certDir, 'ca.pem'), certPath: path.join(r.certDir, 'cert.pem'), keyPath: path.join(r.certDir, 'key.pem'), verify: true };
      const connection: ResolvedConnection = { address: { kind: 'tcp', host: r.address, port: 2376, tls }, source: 'setting', describe: `${r.tlsHost} (TLS, test)` };
      return remoteTarget(r, new Engine(connection, 30_000), 4032);
    },
  },
  {
    name: 'namespace engine over SSH',
    startsContainers: true,
    unavailable: () => !isRoot && 'needs root, iproute2 and openssh-server (scripts/setup/remote.sh)',
    start: async () => {
      const r = await useRemote();
      const connection: ResolvedConnection = { address: { kind: 'ssh', host: r.address, user: 'root' }, source: 'setting', describe: `${r.ssh!.host} (test)` };
      const engine = new Engine(connection, 30_000, {
        home: sshHome, localUser: 'root', agentSocket: '', knownHostsText: r.ssh!.knownHostsLine,
      });
      // The client key through ~/.ssh/config, as a user names it.
      mkdirSync(path.join(sshHome, '.ssh'), { recursive: true });
      writeFileSync(path.join(sshHome, '.ssh', 'config'), `Host ${r.address}\n  IdentityFile ${r.ssh!.identityFile}\n`);
      return remoteTarget(r, engine, 4033);
    },
  },
  {
    name: 'Podman (podman system service)',
    startsContainers: false,
    unavailable: () => !havePodman() && 'podman is not installed (scripts/setup/remote.sh installs it)',
    start: async () => {
      const p = await startPodman();
      const image = p.loadImage(TINY);
      return {
        engine: new Engine({ address: { kind: 'socket', socketPath: p.socketPath }, source: 'setting', describe: `${p.unixHost} (Podman, test)` }, 30_000),
        product: 'podman', image, bindAddress: '127.0.0.1', publishedAddress: '127.0.0.1', hostPort: 4034,
        // Both runc and crun stop with "error setting rlimit type 7: operation not permitted" here.
        startRefusal: /rlimit/,
        stop: () => p.stop(),
      };
    },
  },
];

interface Case {
  name: string;
  /** the case starts a container */
  needsRunning?: boolean;
  run(t: Target): Promise<void>;
  /** for engines that cannot start containers: what must happen instead (e.g. our one clear message) */
  withoutContainers?(t: Target): Promise<void>;
}

const labelsOf = (t: Target) => ({ [TEST_LABEL]: t.run });
/** A busybox command that keeps running and stops at once on SIGTERM. */
const idle = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'];

/** The suite: each case once per target. */
const cases: Case[] = [
  {
    name: 'version and info name the engine and its product',
    run: async (t) => {
      await t.engine.ping();
      const v = await t.engine.version();
      assert.match(v.version, /^\d+\.\d+/);
      assert.equal(v.product, t.product);
      const info = await t.engine.info();
      assert.equal(info.product, t.product);
      assert.ok(info.cpus > 0 && info.memoryBytes > 0, `CPUs ${info.cpus}, memory ${info.memoryBytes}`);
      assert.equal(info.platform.split('/')[0], 'linux');
    },
  },
  {
    name: 'lists images and containers: the image, and a created container with our label',
    run: async (t) => {
      const images = await t.engine.listImages();
      assert.ok(images.some((i) => i.repoTags.includes(t.image)), `${t.image} in ${images.flatMap((i) => i.repoTags).join(', ')}`);
      // Created, not started: every engine can do this.
      const { id } = await t.engine.createContainer({ image: t.image, name: `mllab-suite-list-${t.run}`, cmd: ['true'], ports: [], mounts: [], labels: labelsOf(t), bindAddress: t.bindAddress });
      try {
        const listed = await t.engine.listContainers({ label: [`${TEST_LABEL}=${t.run}`] });
        assert.deepEqual(listed.map((c) => [c.id, c.name, c.state]), [[id, `mllab-suite-list-${t.run}`, 'created']]);
      } finally {
        await t.engine.removeContainer(id, { force: true });
      }
      assert.deepEqual(await t.engine.listContainers({ label: [`${TEST_LABEL}=${t.run}`] }), []);
    },
  },
  {
    name: 'inspects, tags and removes an image tag',
    run: async (t) => {
      const details = await t.engine.inspectImage(t.image);
      assert.deepEqual(details.cmd, ['sh']);
      assert.equal(details.os, 'linux');
      const repo = 'mllab-suite/tagged';
      await t.engine.tagImage(t.image, repo, t.run);
      const tagged = (await t.engine.listImages()).find((i) => i.id === details.id);
      assert.ok(tagged?.repoTags.some((r) => r.endsWith(`${repo}:${t.run}`)), `${repo}:${t.run} in ${tagged?.repoTags.join(', ')}`);
      await t.engine.removeImage(`${repo}:${t.run}`);
      const after = (await t.engine.listImages()).find((i) => i.id === details.id);
      assert.ok(after, 'the image itself stays (only the tag went)');
      assert.ok(!after.repoTags.some((r) => r.endsWith(`${repo}:${t.run}`)));
    },
  },
  {
    name: 'creates, lists and removes a named volume and a network, by label',
    run: async (t) => {
      const volume = `mllab-suite-vol-${t.run}`;
      await t.engine.createVolume(volume, labelsOf(t));
      assert.deepEqual((await t.engine.listVolumes({ label: [`${TEST_LABEL}=${t.run}`] })).map((v) => v.name), [volume]);
      await t.engine.removeVolume(volume);
      assert.deepEqual(await t.engine.listVolumes({ label: [`${TEST_LABEL}=${t.run}`] }), []);
      const network = `mllab-suite-net-${t.run}`;
      const id = await t.engine.createNetwork({ name: network, labels: labelsOf(t) });
      assert.deepEqual((await t.engine.listNetworks({ label: [`${TEST_LABEL}=${t.run}`] })).map((n) => [n.id, n.name]), [[id, network]]);
      await t.engine.removeNetwork(id);
      assert.deepEqual(await t.engine.listNetworks({ label: [`${TEST_LABEL}=${t.run}`] }), []);
    },
  },
  {
    name: 'events: creating and removing a volume arrive as events naming it (Docker says destroy, Podman remove)',
    run: async (t) => {
      const volume = `mllab-suite-ev-${t.run}`;
      const seen: EngineEvent[] = [];
      const stop = new AbortController();
      const subscribed = t.engine.events((e) => seen.push(e), stop.signal);
      try {
        // The subscription is open once an event made after it arrives: retry the create until one does.
        await waitFor('the volume create event', async () => {
          await t.engine.createVolume(volume, labelsOf(t)).catch(() => undefined);
          return seen.some((e) => e.type === 'volume' && e.action === 'create' && e.id === volume) || undefined;
        }, 20_000, 300);
        await t.engine.removeVolume(volume);
        await waitFor('the volume remove event', async () => seen.some((e) => e.type === 'volume' && /^(destroy|remove)$/.test(e.action) && e.id === volume) || undefined, 20_000, 100);
      } finally {
        stop.abort();
        await subscribed;
        await t.engine.removeVolume(volume).catch(() => undefined);
      }
    },
  },
  {
    name: 'events: once onOpen is called the subscription is open: the first change made after it arrives',
    run: async (t) => {
      const volume = `mllab-suite-open-${t.run}`;
      const seen: EngineEvent[] = [];
      const stop = new AbortController();
      let opened!: () => void;
      const open = new Promise<void>((r) => (opened = r));
      const subscribed = t.engine.events((e) => seen.push(e), stop.signal, () => opened());
      try {
        await open;
        await t.engine.createVolume(volume, labelsOf(t)); // once, no retry: it must be in the stream
        await waitFor('the volume create event', async () => seen.some((e) => e.type === 'volume' && e.action === 'create' && e.id === volume) || undefined, 20_000, 100);
      } finally {
        stop.abort();
        await subscribed;
        await t.engine.removeVolume(volume).catch(() => undefined);
      }
    },
  },
  {
    name: 'builds an image from a build context with a RUN step; the build context is uploaded over the connection',
    run: async (t) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'mllab-suite-build-'));
      const tag = `mllab-suite/built:${t.run}`;
      try {
        writeFileSync(path.join(dir, 'payload.txt'), `payload-${t.run}\n`);
        writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${t.image}\nCOPY payload.txt /payload.txt\nRUN cat /payload.txt > /copied.txt\n`);
        const log: string[] = [];
        const r = await t.engine.build({ contextDir: dir, dockerfile: path.join(dir, 'Dockerfile'), tag, labels: labelsOf(t) }, (e) => {
          if (e.kind === 'log') log.push(e.text);
        });
        assert.equal(r.context.files, 2);
        // Podman takes BuildKit's `version=2` but builds with Buildah: 'auto' uses the classic API there.
        assert.equal(r.builder, t.product === 'podman' ? 'classic' : 'buildkit');
        const details = await t.engine.inspectImage(tag);
        assert.equal(details.id, r.imageId);
        assert.equal(details.labels[TEST_LABEL], t.run);
        if (t.product === 'podman') {
          await assert.rejects(
            t.engine.build({ contextDir: dir, dockerfile: path.join(dir, 'Dockerfile'), tag, builder: 'buildkit' }, () => undefined),
            (err: unknown) => err instanceof EngineError && err.kind === 'unsupported' && /Podman, which has no BuildKit/.test(err.message) && /classic builder/.test(err.hint ?? ''),
          );
        }
      } finally {
        await t.engine.removeImage(tag, { force: true }).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'runs a container with a port binding and a named volume: HTTP answers on the host port, the file is in the volume',
    needsRunning: true,
    run: async (t) => {
      const volume = `mllab-suite-data-${t.run}`;
      const name = `mllab-suite-web-${t.run}`;
      await t.engine.createVolume(volume, labelsOf(t));
      const { id } = await t.engine.runContainer({
        image: t.image, name, labels: labelsOf(t), bindAddress: t.bindAddress,
        cmd: ['sh', '-c', `echo served-${t.run} > /data/index.html; exec httpd -f -p 8080 -h /data`],
        ports: [{ hostPort: t.hostPort, containerPort: 8080, protocol: 'tcp' }],
        mounts: [{ type: 'volume', source: volume, target: '/data', readOnly: false }],
      });
      try {
        const row = (await t.engine.listContainers({ label: [`${TEST_LABEL}=${t.run}`] })).find((c) => c.id === id);
        assert.equal(row?.state, 'running');
        assert.ok(row?.ports.some((p) => p.hostPort === t.hostPort && p.containerPort === 8080), JSON.stringify(row?.ports));
        assert.ok(row?.mounts.some((m) => m.type === 'volume' && m.name === volume && m.destination === '/data'), JSON.stringify(row?.mounts));
        const body = await waitFor('the published port to answer', () => httpText(`http://${t.publishedAddress}:${t.hostPort}/`), 20_000);
        assert.equal(body.trim(), `served-${t.run}`);
      } finally {
        await t.engine.removeContainer(id, { force: true });
        await t.engine.removeVolume(volume);
      }
    },
    withoutContainers: async (t) => {
      const volume = `mllab-suite-data-${t.run}`;
      await t.engine.createVolume(volume, labelsOf(t));
      try {
        await assert.rejects(
          t.engine.runContainer({
            image: t.image, name: `mllab-suite-web-${t.run}`, labels: labelsOf(t), bindAddress: t.bindAddress, cmd: idle,
            ports: [{ hostPort: t.hostPort, containerPort: 8080, protocol: 'tcp' }],
            mounts: [{ type: 'volume', source: volume, target: '/data', readOnly: false }],
          }),
          (err: unknown) => {
            assert.ok(err instanceof EngineError, String(err));
            assert.equal(err.kind, 'startFailed');
            assert.match(err.message, /^start container from .*: the engine could not start the container\. The engine's reason: /);
            assert.match(err.message, t.startRefusal ?? /./);
            assert.match(err.hint ?? '', /run on another engine/);
            return true;
          },
        );
        // The half-made container was removed again.
        assert.deepEqual(await t.engine.listContainers({ label: [`${TEST_LABEL}=${t.run}`] }), []);
      } finally {
        await t.engine.removeVolume(volume);
      }
    },
  },
  {
    name: 'logs: a follow gets the lines as printed and ends when the container stops',
    needsRunning: true,
    run: async (t) => {
      const { id } = await t.engine.runContainer({
        image: t.image, name: `mllab-suite-logs-${t.run}`, labels: labelsOf(t), bindAddress: t.bindAddress, ports: [], mounts: [],
        cmd: ['sh', '-c', 'for i in 1 2 3; do echo line-$i; sleep 0.3; done; echo oops >&2'],
      });
      try {
        let out = '';
        let err = '';
        await t.engine.logs(id, (text, stream) => (stream === 'stderr' ? (err += text) : (out += text)), { follow: true });
        assert.equal(out, 'line-1\nline-2\nline-3\n');
        assert.equal(err, 'oops\n');
      } finally {
        await t.engine.removeContainer(id, { force: true });
      }
    },
  },
  {
    name: 'exec: runs a command inside the running container and returns its output and exit code',
    needsRunning: true,
    run: async (t) => {
      const { id } = await t.engine.runContainer({ image: t.image, name: `mllab-suite-exec-${t.run}`, labels: labelsOf(t), bindAddress: t.bindAddress, ports: [], mounts: [], cmd: idle });
      try {
        const ok = await t.engine.execCollect(id, ['sh', '-c', 'echo exec-$((6*7))']);
        assert.deepEqual(ok, { exitCode: 0, output: 'exec-42\n' });
        const failed = await t.engine.execCollect(id, ['sh', '-c', 'exit 3']);
        assert.equal(failed.exitCode, 3);
      } finally {
        await t.engine.removeContainer(id, { force: true });
      }
    },
  },
];

for (const spec of targets) {
  describe(`engine suite: ${spec.name}`, { skip: spec.unavailable() || false }, () => {
    let target: Target;
    let stop: (() => Promise<void>) | undefined;
    before(async () => {
      const run = runId('suite');
      const started = await spec.start(run);
      stop = started.stop;
      target = { ...started, name: spec.name, run, startsContainers: spec.startsContainers };
    });
    after(async () => {
      if (target) {
        for (const c of await target.engine.listContainers({ label: [`${TEST_LABEL}=${target.run}`] }).catch(() => [])) {
          await target.engine.removeContainer(c.id, { force: true }).catch(() => undefined);
        }
        for (const v of await target.engine.listVolumes({ label: [`${TEST_LABEL}=${target.run}`] }).catch(() => [])) {
          await target.engine.removeVolume(v.name).catch(() => undefined);
        }
      }
      await stop?.();
    });
    for (const c of cases) {
      if (c.needsRunning && !spec.startsContainers) {
        if (c.withoutContainers) it(`${c.name} — this engine cannot start containers here: our one clear message with its reason`, () => c.withoutContainers!(target));
        continue;
      }
      it(c.name, () => c.run(target));
    }
  });
}
