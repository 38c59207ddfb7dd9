/**
 * Engine tier: the guided run's defaults for an image built outside the extension
 * ("the ./artifacts mount is prefilled only for images this extension built"). The image
 * is built with the docker CLI's classic builder (no org.mllab.dockerfile label, so no Dockerfile
 * to read), labelled org.mllab.test=<run id>; its WORKDIR, VOLUME and CMD come from inspect alone.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { guidedDefaults } from '../../src/core/run/guided';
import { DOCKERFILE_LABEL } from '../../src/core/ids';
import { TEST_LABEL, cleanup, runId, testEngine } from '../support/fixtures';

const RUN = runId('guided');
const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';

/** `docker build` with the classic builder (DOCKER_BUILDKIT=0), as a lab's instructions would run it. */
function cliBuild(tag: string, dockerfile: string): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'mllab-guided-'));
  writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  const r = spawnSync('docker', ['build', '-q', '--label', `${TEST_LABEL}=${RUN}`, '-t', tag, dir], { encoding: 'utf8', env: { ...process.env, DOCKER_BUILDKIT: '0' }, timeout: 120_000 });
  assert.equal(r.status, 0, `docker build failed: ${r.stderr}`);
}

describe('guided run defaults for a CLI-built image, from inspect', () => {
  const engine = testEngine();
  const train = `mllab-enginetest/guided-train:${RUN}`;
  const serve = `mllab-enginetest/guided-serve:${RUN}`;
  after(async () => cleanup(engine, RUN, [train, serve]));
  /** What the guided run does: inspect, then the defaults from the image config. */
  const defaultsFor = async (image: string) => {
    const d = await engine.inspectImage(image);
    return { d, g: guidedDefaults({ image, exposedPorts: d.exposedPorts, volumes: d.volumes, workingDir: d.workingDir, imageLabels: d.labels, hasGpuRuntime: false, imageCmd: [...d.entrypoint, ...d.cmd] }) };
  };

  it('a training image gets its VOLUME and ./artifacts under its WORKDIR', async () => {
    cliBuild(train, [`FROM ${TINY}`, 'WORKDIR /usr/local/app', 'VOLUME ["/data"]', 'CMD ["python", "train.py", "--epochs", "3"]', ''].join('\n'));
    const { d, g } = await defaultsFor(train);
    assert.equal(d.labels[DOCKERFILE_LABEL], undefined, 'built outside the extension: no Dockerfile to read');
    assert.deepEqual(d.cmd, ['python', 'train.py', '--epochs', '3']);
    assert.equal(g.isTraining, true);
    assert.equal(g.mounts, './data:/data, ./artifacts:/usr/local/app/artifacts');
  });

  it('an image with an ENTRYPOINT and no train word gets its VOLUME only', async () => {
    cliBuild(serve, [`FROM ${TINY}`, 'WORKDIR /srv', 'VOLUME /models', 'EXPOSE 8080', 'ENTRYPOINT ["python", "-m", "http.server"]', 'CMD ["8080"]', ''].join('\n'));
    const { d, g } = await defaultsFor(serve);
    assert.deepEqual(d.entrypoint, ['python', '-m', 'http.server']);
    assert.equal(g.isTraining, false);
    assert.equal(g.mounts, './models:/models');
    assert.equal(g.ports, '8080:8080');
  });
});
