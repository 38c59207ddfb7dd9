/**
 * Engine tier: the Kubernetes Job export names the image the engine really has. An image of
 * this run's own (a container of the local busybox image, labelled and committed, so no other
 * test's push can give it a RepoDigest) gives its image ID while it is only local; pushed to a
 * throw-away local registry, its RepoDigests entry, and the Job pulls it by that digest. The
 * container, the tags and the registry are removed after, also after a failure.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { Job as JobModel } from 'kubernetes-models/batch/v1';
import type { Engine } from '../../src/engine/engine';
import { encodeRegistryAuth } from '../../src/core/registry/auth';
import { parseProfiles } from '../../src/core/run/profile';
import { profileToJob, resolveImageDigest } from '../../src/core/kubernetes/job';
import { TEST_LABEL, cleanup, runId, testEngine } from '../support/fixtures';
import { startLocalRegistry, type LocalRegistry } from '../support/localRegistry';

const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const RUN = runId('k8s');

describe('Kubernetes export: the image digest from the engine', () => {
  let engine: Engine;
  let registry: LocalRegistry | undefined;
  const tags: string[] = [];
  const local = `mllab-enginetest/k8s-${RUN}:v1`;
  const tag = async (reference: string) => {
    const i = reference.lastIndexOf(':');
    await engine.tagImage(local, reference.slice(0, i), reference.slice(i + 1));
    tags.push(reference);
  };
  const inspect = async (ref: string) => (await engine.inspectImageRaw(ref)) as { Id?: string; RepoDigests?: string[] };

  before(async () => {
    engine = testEngine();
    await engine.ping();
    registry = await startLocalRegistry(`k8s-${process.pid}`);
    const c = await engine.createContainer({ image: TINY, name: `mllab-enginetest-k8s-${RUN}`, ports: [], mounts: [], bindAddress: '127.0.0.1', labels: { [TEST_LABEL]: RUN } });
    await engine.commitContainer(c.id, local.split(':')[0], 'v1', { [TEST_LABEL]: RUN });
    tags.push(local);
  });
  after(async () => {
    await cleanup(engine, RUN, tags.reverse());
    await registry?.stop();
  });

  it('names the image ID while the image was never pushed', async () => {
    const raw = await inspect(local);
    assert.match(raw.Id ?? '', /^sha256:[a-f0-9]{64}$/);
    assert.deepEqual(resolveImageDigest(local, raw), { kind: 'imageId', id: raw.Id });
  });

  it('names the registry digest once pushed, and the Job pulls the image by it', async () => {
    const ref = `${registry!.host}/mllab-enginetest/k8s-${RUN}:v1`;
    await tag(ref);
    const pushed = await engine.pushImage(ref, { registryAuth: encodeRegistryAuth(undefined, registry!.host) });
    assert.match(pushed.digest ?? '', /^sha256:[a-f0-9]{64}$/);
    const digest = resolveImageDigest(ref, await inspect(ref));
    assert.deepEqual(digest, { kind: 'repoDigest', reference: `${registry!.host}/mllab-enginetest/k8s-${RUN}@${pushed.digest}`, digest: pushed.digest });
    const { profiles, errors } = parseProfiles(`profiles:\n  train:\n    image: ${ref}\n    run: { command: [sh, -c, "echo trained"], shmSize: 256m }\n`, { workspaceFolder: '/w' });
    assert.deepEqual(errors, []);
    const { job } = profileToJob(profiles[0], { image: digest });
    assert.equal(job.spec!.template.spec!.containers[0].image, `${registry!.host}/mllab-enginetest/k8s-${RUN}@${pushed.digest}`);
    new JobModel(job as ConstructorParameters<typeof JobModel>[0]).validate();
    // The same image under its local-only tag: pushed under another name, so that digest is named.
    const other = resolveImageDigest(local, await inspect(local));
    assert.equal(other.kind === 'repoDigest' && other.digest, pushed.digest);
  });
});
