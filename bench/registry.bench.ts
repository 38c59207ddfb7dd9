/**
 * Registry benchmark (`npm run bench`; prints figures, asserts nothing): push and pull of a
 * ~1 GB image to/from a local registry (Debian's docker-registry on 127.0.0.1) through the
 * extension's Engine API path (Engine.pushImage/pullImage, with the progress aggregation the
 * UI uses) vs the Docker CLI (`docker push`/`docker pull`), as MB/s and a ratio.
 *
 * What is measured, honestly:
 *  - the image is a fresh single-layer copy of mllab-test/python-ml:bookworm (export + import),
 *    so no other local tag shares its layer: after removing it locally a pull really transfers;
 *  - every push goes to a fresh registry (no "Layer already exists", no cross-repo mount);
 *  - MB/s = uncompressed image size / wall time (dockerd gzips the layer on push and
 *    decompresses + extracts on pull: both paths do that same engine work).
 * Everything it makes (tag mllab-bench/registry-1g:<run>, registries, their storage) is removed.
 */
import { execFileSync, execSync } from 'node:child_process';
import { Engine } from '../src/engine/engine';
import { nodeConnectionInputs, resolveConnection } from '../src/core/connection';
import { encodeRegistryAuth } from '../src/core/registry/auth';
import { TransferProgress } from '../src/core/registry/progress';
import { startLocalRegistry, type LocalRegistry } from '../test/support/localRegistry';

const BASE = process.env.MLLAB_BASE_IMAGE ?? 'mllab-test/python-ml:bookworm';
const DOCKER = process.env.MLLAB_DOCKER_CLI ?? 'docker';
const RUN = `${process.pid}`;
const LOCAL = `mllab-bench/registry-1g:${RUN}`;
const engine = new Engine(resolveConnection(nodeConnectionInputs(process.env.MLLAB_DOCKER_HOST)), 60_000);
const docker = (...args: string[]) => execFileSync(DOCKER, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
/** Untags (removes when it was the last tag); a tag already gone is fine. Never the base image. */
function removeTag(t: string): void {
  try {
    execFileSync(DOCKER, ['rmi', '-f', t], { stdio: 'ignore' });
  } catch {
    /* already gone */
  }
}
const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = Date.now();
  await fn();
  return Date.now() - t;
}

async function main(): Promise<void> {
  const registries: LocalRegistry[] = [];
  const tags: string[] = [];
  try {
    console.log(`making a single-layer copy of ${BASE} as ${LOCAL} (export | import)...`);
    const cid = docker('create', '--label', 'org.mllab.bench=registry', BASE, 'true');
    try {
      execSync(`${DOCKER} export ${cid} | ${DOCKER} import - ${LOCAL}`, { stdio: ['ignore', 'ignore', 'inherit'], shell: '/bin/bash' });
    } finally {
      docker('rm', '-f', cid);
    }
    tags.push(LOCAL);
    const size = Number(docker('image', 'inspect', '--format', '{{.Size}}', LOCAL));
    console.log(`image size ${(size / 1e6).toFixed(0)} MB (uncompressed)`);

    const results: Record<string, number> = {};
    let source: { registry: LocalRegistry; ref: string } | undefined;
    for (const method of ['api', 'cli'] as const) {
      const registry = await startLocalRegistry(`bench-${method}-${RUN}`);
      registries.push(registry);
      const ref = `${registry.host}/mllab-bench/big:1`;
      docker('tag', LOCAL, ref);
      tags.push(ref);
      const ms = await timed(async () => {
        if (method === 'cli') return docker('push', '-q', ref);
        const p = new TransferProgress();
        return engine.pushImage(ref, { registryAuth: encodeRegistryAuth(undefined, registry.host), onMessage: (m) => p.add(m) });
      });
      results[`push-${method}`] = ms;
      console.log(`push ${method === 'api' ? 'Engine API (extension)' : 'docker push (CLI)   '}: ${(ms / 1000).toFixed(1)} s, ${mbps(size, ms).toFixed(1)} MB/s`);
      source ??= { registry, ref };
    }
    // Pull: no local tag may hold the layer, so remove every tag of the image first.
    const pullRef = source!.ref;
    for (const method of ['api', 'cli'] as const) {
      for (const t of tags) removeTag(t);
      const ms = await timed(async () => {
        if (method === 'cli') return docker('pull', '-q', pullRef);
        const p = new TransferProgress();
        return engine.pullImage(pullRef, { registryAuth: encodeRegistryAuth(undefined, source!.registry.host), onMessage: (m) => p.add(m) });
      });
      results[`pull-${method}`] = ms;
      console.log(`pull ${method === 'api' ? 'Engine API (extension)' : 'docker pull (CLI)   '}: ${(ms / 1000).toFixed(1)} s, ${mbps(size, ms).toFixed(1)} MB/s`);
    }
    console.log(
      `ratio (CLI time / extension time; >1 means the extension is faster): push ${(results['push-cli'] / results['push-api']).toFixed(2)}, pull ${(results['pull-cli'] / results['pull-api']).toFixed(2)}`,
    );
  } finally {
    for (const t of tags) removeTag(t);
    for (const r of registries) await r.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
