/**
 * Engine tier: run profiles, the recreate flow and GPU requests against the real Docker engine.
 * Both labs are run from `.vscode/mllab.yaml` text through parseProfiles -> engine.build ->
 * toRunRequest -> engine.runContainer, and checked from inside the running container.
 * Everything created carries the label org.mllab.test=<run id> and is removed at the end.
 * Host ports used: 4020 (flask), 4021 (recreate), 4022 (a blocker) - other suites use 4000.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Engine, EngineError } from '../../src/engine/engine';
import { parseProfiles, toRunRequest, type Profile } from '../../src/core/run/profile';
import { BASE_IMAGE, TEST_LABEL, cleanup, copyLab, runId, testEngine, waitFor, writableFolder } from '../support/fixtures';

const RUN = runId('run');
const labels = { [TEST_LABEL]: RUN };
const BUSYBOX = 'mllab-test/busybox:1';
const irisTag = `mllab-runtest/iris:${RUN}`;
const flaskTag = `mllab-runtest/flask:${RUN}`;
const snapshotRepo = 'mllab-runtest/snapshot';
const ckptVolume = `mllab-runtest-ckpt-${RUN}`;
const dataVolume = `mllab-runtest-data-${RUN}`;
const flaskPort = 4020;
const recreatePort = 4021;
const blockerPort = 4022;

/** Parses profile text written into `<folder>/.vscode/mllab.yaml` and returns the one named `name`; fails on any error. */
function loadProfile(folder: string, text: string, name: string): Profile {
  mkdirSync(path.join(folder, '.vscode'), { recursive: true });
  const file = path.join(folder, '.vscode', 'mllab.yaml');
  writeFileSync(file, text);
  const { profiles, errors } = parseProfiles(readFileSync(file, 'utf8'), { workspaceFolder: folder });
  assert.deepEqual(errors, [], 'the profile file parses without errors');
  const profile = profiles.find((p) => p.name === name);
  assert.ok(profile, `profile ${name} is there`);
  return profile;
}

/** Runs `cmd` in a running container; asserts exit code 0 and returns the trimmed output. */
async function sh(engine: Engine, id: string, cmd: string): Promise<string> {
  const r = await engine.execCollect(id, ['sh', '-c', cmd]);
  assert.equal(r.exitCode, 0, `"${cmd}" failed:\n${r.output}`);
  return r.output.trim();
}

/**
 * GET `url`, body text when it answers 200, else undefined. Not the fixtures' `httpText`: its
 * fetch waits on an unref'd AbortSignal.timeout, and while docker-proxy holds a just-published
 * port open before the app listens, nothing else keeps the event loop alive, so node:test ends
 * the suite with "Promise resolution is still pending". A node:http socket keeps it alive.
 */
function httpGet(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** A busybox command that keeps running and stops at once on SIGTERM (PID 1 ignores it otherwise). */
const idle = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'];

describe('run profiles, recreate and GPUs on the real engine', () => {
  let engine: Engine;
  before(async () => {
    engine = testEngine();
    await engine.ping();
    await engine.createVolume(ckptVolume, labels);
    await engine.createVolume(dataVolume, labels);
  });
  after(async () => {
    await cleanup(engine, RUN, [irisTag, flaskTag, `${snapshotRepo}:${RUN}`]);
    for (const v of [ckptVolume, dataVolume]) await engine.removeVolume(v).catch(() => undefined);
  });

  it('runs the iris lab from a profile: bind mount, named volume, env, shm size and user, checked inside the container', async () => {
    const lab = copyLab('iris-train');
    const artifacts = writableFolder(path.join(lab, 'artifacts'));
    writeFileSync(path.join(artifacts, 'notes.txt'), 'written on the host\n');
    const profile = loadProfile(
      lab,
      `# iris lab: train, keep metrics in ./artifacts and checkpoints in a named volume
version: 1
profiles:
  train:
    description: Train the iris classifier for 3 epochs
    build:
      dockerfile: train.dockerfile
      context: .
      tag: ${irisTag}
      args:
        BASE_IMAGE: ${BASE_IMAGE}
    run:
      name: mllab-runtest-train-${RUN}
      volumes:
        - ./artifacts:/usr/local/app/artifacts
        - ${ckptVolume}:/usr/local/app/checkpoints
      env:
        EPOCHS: 3
      shmSize: 256m
      user: "1000:1000"
      labels:
        ${TEST_LABEL}: ${RUN}
        course: ml101
`,
      'train',
    );
    assert.ok(profile.build);
    const b = profile.build;
    await engine.build({ contextDir: b.context, dockerfile: b.dockerfile, tag: b.tag, buildArgs: b.args, labels }, () => undefined);

    // Put a checkpoint into the named volume (as root: a fresh volume's root folder belongs to root).
    const seed = await engine.runContainer({
      image: BUSYBOX,
      cmd: ['sh', '-c', 'echo seeded-checkpoint > /ckpt/seed.txt'],
      mounts: [{ type: 'volume', source: ckptVolume, target: '/ckpt', readOnly: false }],
      ports: [],
      labels,
      bindAddress: '127.0.0.1',
    });
    assert.equal((await engine.waitContainer(seed.id)).exitCode, 0);

    // The profile as written: training runs and writes metrics.json into the bind mount.
    const req = toRunRequest(profile, { bindAddress: '127.0.0.1' });
    const train = await engine.runContainer(req);
    assert.equal(train.name, `mllab-runtest-train-${RUN}`);
    const { exitCode } = await engine.waitContainer(train.id);
    let log = '';
    await engine.logs(train.id, (t) => (log += t), { follow: false });
    assert.equal(exitCode, 0, `training failed:\n${log}`);
    assert.match(log, /^epoch 3\/3 loss \d+\.\d+$/m, 'EPOCHS=3 reached the training script');
    const metrics = JSON.parse(readFileSync(path.join(artifacts, 'metrics.json'), 'utf8')) as { epochs: number; accuracy: number };
    assert.equal(metrics.epochs, 3);
    assert.ok(metrics.accuracy > 0.5, `accuracy ${metrics.accuracy}`);

    // The same profile with the command overridden so it stays up, to look inside.
    const probe = await engine.runContainer({ ...req, name: `mllab-runtest-probe-${RUN}`, cmd: ['sleep', 'infinity'] });
    const df = (await sh(engine, probe.id, 'df -k /dev/shm')).split('\n');
    assert.equal(df[1].trim().split(/\s+/)[1], String(256 * 1024), `/dev/shm is 256m:\n${df.join('\n')}`);
    assert.equal(await sh(engine, probe.id, 'printenv EPOCHS'), '3');
    assert.equal(await sh(engine, probe.id, 'id -u'), '1000');
    assert.equal(await sh(engine, probe.id, 'id -g'), '1000');
    assert.equal(await sh(engine, probe.id, 'cat /usr/local/app/checkpoints/seed.txt'), 'seeded-checkpoint');
    assert.equal(await sh(engine, probe.id, 'cat /usr/local/app/artifacts/notes.txt'), 'written on the host');
    assert.equal((JSON.parse(await sh(engine, probe.id, 'cat /usr/local/app/artifacts/metrics.json')) as { epochs: number }).epochs, 3);
    const inspect = await engine.inspectContainer(probe.id);
    assert.equal((inspect.HostConfig as { ShmSize: number }).ShmSize, 256 * 1024 * 1024);
    assert.equal((inspect.Config as { Labels: Record<string, string> }).Labels.course, 'ml101');
    await engine.removeContainer(probe.id, { force: true });
  });

  it(`runs the flask lab from a profile with port ${flaskPort}:8080, and the app answers on 127.0.0.1`, async () => {
    const lab = copyLab('flask-app');
    const profile = loadProfile(
      lab,
      `version: 1
profiles:
  serve:
    build:
      tag: ${flaskTag}
      args: { BASE_IMAGE: ${BASE_IMAGE} }
    run:
      name: mllab-runtest-flask-${RUN}
      ports: ["${flaskPort}:8080"]
      labels: { ${TEST_LABEL}: ${RUN} }
`,
      'serve',
    );
    assert.ok(profile.build);
    assert.equal(profile.build.dockerfile, path.join(lab, 'Dockerfile'));
    await engine.build({ contextDir: profile.build.context, dockerfile: profile.build.dockerfile, tag: flaskTag, buildArgs: profile.build.args, labels }, () => undefined);
    const { id } = await engine.runContainer(toRunRequest(profile, { bindAddress: '127.0.0.1' }));
    const body = await waitFor(`the flask app on 127.0.0.1:${flaskPort}`, () => httpGet(`http://127.0.0.1:${flaskPort}/`), 30_000);
    assert.match(body, /Welcome/);
    const bindings = (await engine.inspectContainer(id)).HostConfig as { PortBindings: Record<string, unknown> };
    assert.deepEqual(bindings.PortBindings, { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(flaskPort) }] });
    await engine.removeContainer(id, { force: true });
  });

  it('recreates a container with a new port: name, env, mounts and committed files kept, old container gone; a failed recreate leaves it as it was', async () => {
    const name = `mllab-runtest-recreate-${RUN}`;
    const original = await engine.runContainer({
      image: BUSYBOX,
      name,
      cmd: idle,
      env: { GREETING: 'hello from the original' },
      mounts: [{ type: 'volume', source: dataVolume, target: '/data', readOnly: false }],
      ports: [],
      labels,
      bindAddress: '127.0.0.1',
    });
    await sh(engine, original.id, 'echo in-the-volume > /data/v.txt && echo outside-volumes > /notes.txt');

    const result = await engine.recreateContainer(
      original.id,
      { addPorts: [{ hostPort: recreatePort, containerPort: 8080, protocol: 'tcp' }], defaultHostIp: '127.0.0.1' },
      { commitAs: { repo: snapshotRepo, tag: RUN, labels }, graceSeconds: 5 },
    );
    assert.equal(result.name, name);
    assert.notEqual(result.id, original.id);
    assert.equal(result.snapshotImage, `${snapshotRepo}:${RUN}`);
    assert.equal(result.leftOver, undefined);

    const inspect = await engine.inspectContainer(result.id);
    const config = inspect.Config as { Env: string[]; Image: string; Cmd: string[]; Labels: Record<string, string> };
    const hostConfig = inspect.HostConfig as { PortBindings: Record<string, unknown> };
    assert.equal(inspect.Name, `/${name}`);
    assert.equal((inspect.State as { Running: boolean }).Running, true);
    assert.equal(config.Image, `${snapshotRepo}:${RUN}`);
    assert.deepEqual(config.Cmd, idle);
    assert.ok(config.Env.includes('GREETING=hello from the original'), config.Env.join(', '));
    assert.equal(config.Labels[TEST_LABEL], RUN);
    const mounts = inspect.Mounts as Array<{ Type: string; Name?: string; Destination: string }>;
    assert.ok(mounts.some((m) => m.Type === 'volume' && m.Name === dataVolume && m.Destination === '/data'), JSON.stringify(mounts));
    assert.deepEqual(hostConfig.PortBindings, { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(recreatePort) }] });
    assert.equal(await sh(engine, result.id, 'cat /notes.txt'), 'outside-volumes', 'the committed filesystem change is there');
    assert.equal(await sh(engine, result.id, 'cat /data/v.txt'), 'in-the-volume');
    assert.equal(await sh(engine, result.id, 'echo "$GREETING"'), 'hello from the original');
    await assert.rejects(engine.inspectContainer(original.id), (err: unknown) => err instanceof EngineError && err.kind === 'notFound');
    const mine = await engine.listContainers({ label: [`${TEST_LABEL}=${RUN}`] });
    assert.deepEqual(mine.filter((c) => c.name.includes('-replaced-')), [], 'no renamed original is left');

    // Now a recreate that must fail: another container holds the host port the change asks for.
    const blocker = await engine.runContainer({
      image: BUSYBOX,
      name: `mllab-runtest-blocker-${RUN}`,
      cmd: idle,
      ports: [{ hostPort: blockerPort, containerPort: 8080, protocol: 'tcp' }],
      mounts: [],
      labels,
      bindAddress: '127.0.0.1',
    });
    const countBefore = (await engine.listContainers({ label: [`${TEST_LABEL}=${RUN}`] })).length;
    await assert.rejects(
      engine.recreateContainer(result.id, { addPorts: [{ hostPort: blockerPort, containerPort: 9090, protocol: 'tcp' }], defaultHostIp: '127.0.0.1' }, { graceSeconds: 5 }),
      (err: unknown) => err instanceof EngineError && err.kind === 'portInUse' && err.message.includes(String(blockerPort)),
    );
    const after = await engine.inspectContainer(result.id);
    assert.equal(after.Name, `/${name}`, 'the original has its name back');
    assert.equal((after.State as { Running: boolean }).Running, true, 'and runs again');
    assert.deepEqual((after.HostConfig as { PortBindings: unknown }).PortBindings, hostConfig.PortBindings);
    assert.equal(await sh(engine, result.id, 'cat /notes.txt'), 'outside-volumes');
    const listed = await engine.listContainers({ label: [`${TEST_LABEL}=${RUN}`] });
    assert.equal(listed.length, countBefore, 'the half-made container was removed');
    assert.deepEqual(listed.filter((c) => c.name.includes('-replaced-')), []);
    await engine.removeContainer(blocker.id, { force: true });
  });

  it('refuses to publish a container port that is already published, before touching the container', async () => {
    const name = `mllab-runtest-published-${RUN}`;
    const c = await engine.runContainer({ image: BUSYBOX, name, cmd: idle, ports: [{ hostPort: 4023, containerPort: 8080, protocol: 'tcp' }], mounts: [], labels, bindAddress: '127.0.0.1' });
    await assert.rejects(
      engine.recreateContainer(c.id, { addPorts: [{ hostPort: 4024, containerPort: 8080, protocol: 'tcp' }], defaultHostIp: '127.0.0.1' }),
      /Container port 8080\/tcp of mllab-runtest-published-.* is already published \(on 127\.0\.0\.1:4023\)/,
    );
    const inspect = await engine.inspectContainer(c.id);
    assert.equal((inspect.State as { Running: boolean }).Running, true);
    await engine.removeContainer(c.id, { force: true });
  });

  it('a GPU request from a profile fails with our message on this engine, and leaves no container behind', async () => {
    assert.equal(await engine.hasGpuRuntime(), false, 'this test machine has no GPU runtime');
    const profile = loadProfile(
      copyLab('iris-train'),
      `version: 1
profiles:
  gpu:
    image: ${BUSYBOX}
    run:
      name: mllab-runtest-gpu-${RUN}
      command: ["true"]
      gpus: all
      labels: { ${TEST_LABEL}: ${RUN} }
`,
      'gpu',
    );
    const before = await engine.listContainers({ label: [`${TEST_LABEL}=${RUN}`] });
    await assert.rejects(engine.runContainer(toRunRequest(profile, { bindAddress: '127.0.0.1' })), (err: unknown) => {
      assert.ok(err instanceof EngineError, String(err));
      assert.equal(err.kind, 'noGpuRuntime');
      assert.match(err.message, /this Docker engine has no GPU runtime, so the container cannot get a GPU/);
      assert.doesNotMatch(err.message, /could not select device driver/);
      assert.match(err.hint ?? '', /NVIDIA Container Toolkit/);
      return true;
    });
    const afterList = await engine.listContainers({ label: [`${TEST_LABEL}=${RUN}`] });
    assert.equal(afterList.length, before.length);
    assert.ok(!afterList.some((c) => c.name === `mllab-runtest-gpu-${RUN}`));
  });
});
