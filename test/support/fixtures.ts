/**
 * What engine and host tests share: the run's label, lab copies, the local base image, and
 * cleanup that removes only what this run created (by label), never prunes.
 */
import { cpSync, mkdtempSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as http from 'node:http';
import { spawnSync } from 'node:child_process';
import { Engine } from '../../src/engine/engine';
import { nodeConnectionInputs, resolveConnection } from '../../src/core/connection';

/** repository root (tests run from out/test/...) */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');
/** the local Python + scikit-learn + Flask image made by scripts/setup/base-images.sh */
export const BASE_IMAGE = process.env.MLLAB_BASE_IMAGE ?? 'mllab-test/python-ml:bookworm';
/** label key every test object carries; its value names the run */
export const TEST_LABEL = 'org.mllab.test';

/**
 * A run's label value, `<tier>-<pid>-<time>`. What carries it is also removed when the test
 * process is interrupted (SIGINT, SIGTERM: Ctrl-C, the runner's timeout), where `after` hooks
 * do not run: see {@link removeOnInterrupt}.
 */
export function runId(tier: string): string {
  const id = `${tier}-${process.pid}-${Date.now().toString(36)}`;
  removeOnInterrupt(id);
  return id;
}

const interruptLabels = new Set<string>();

/**
 * On SIGINT or SIGTERM, removes with the docker CLI (synchronously: nothing asynchronous runs
 * once the process is going) the containers, images, volumes and networks labelled
 * `org.mllab.test=<labelValue>` on the test engine, then exits 130/143 unless another handler
 * (the Swarm test's) is there to finish and exit.
 */
export function removeOnInterrupt(labelValue: string): void {
  if (!interruptLabels.size) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const onSignal = (): void => {
        sweepLabelled([...interruptLabels]);
        if (process.listenerCount(signal) === 1) process.exit(signal === 'SIGINT' ? 130 : 143);
      };
      process.on(signal, onSignal);
    }
  }
  interruptLabels.add(labelValue);
}

function sweepLabelled(values: readonly string[]): void {
  const env = { ...process.env, ...(process.env.MLLAB_DOCKER_HOST ? { DOCKER_HOST: process.env.MLLAB_DOCKER_HOST } : {}) };
  const docker = (args: string[]) => spawnSync('docker', args, { encoding: 'utf8', env, timeout: 60_000 }).stdout?.split('\n').filter(Boolean) ?? [];
  for (const v of values) {
    const filter = ['--filter', `label=${TEST_LABEL}=${v}`];
    const containers = docker(['ps', '-aq', ...filter]);
    if (containers.length) docker(['rm', '-f', ...containers]);
    const images = docker(['images', '-q', '--no-trunc', ...filter]);
    if (images.length) docker(['rmi', '-f', ...new Set(images)]); // untagged parents go unless another image or container uses them
    const volumes = docker(['volume', 'ls', '-q', ...filter]);
    if (volumes.length) docker(['volume', 'rm', ...volumes]);
    const networks = docker(['network', 'ls', '-q', ...filter]);
    if (networks.length) docker(['network', 'rm', ...networks]);
  }
}

export function testEngine(): Engine {
  return new Engine(resolveConnection(nodeConnectionInputs(process.env.MLLAB_DOCKER_HOST)), 30_000);
}

/** Copies test/fixtures/labs/<name> to a fresh temp folder so a test never dirties the repository. */
export function copyLab(name: 'iris-train' | 'flask-app'): string {
  const dir = mkdtempSync(path.join(tmpdir(), `mllab-${name}-`));
  cpSync(path.join(repoRoot, 'test', 'fixtures', 'labs', name), dir, { recursive: true });
  return dir;
}

/**
 * An artifacts folder the lab's non-root container user (uid 1000) can write to even when the
 * tests run as root (CI): mode 0777 on a throw-away temp folder.
 */
export function writableFolder(dir: string): string {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
  return dir;
}

/**
 * Removes images a test made: each reference (tag or id), with the untagged parent images only
 * it uses (the classic builder's intermediate images; the engine keeps any parent that is tagged,
 * has another child or is used by a container, see Engine.removeImage). Missing ones are skipped.
 */
export async function removeTestImages(engine: Engine, refs: readonly string[]): Promise<void> {
  for (const ref of refs) await engine.removeImage(ref, { force: true, untaggedParents: 'remove' }).catch(() => undefined);
}

/**
 * Removes what this run made, found by its label `org.mllab.test=<labelValue>`: containers,
 * images (also those a rebuild of the same tag left untagged), volumes and networks; then the
 * image references in `tags` (builds that carry no label). Image parents go as in
 * {@link removeTestImages}. Never prunes.
 */
export async function cleanup(engine: Engine, labelValue: string, tags: string[]): Promise<void> {
  const label = [`${TEST_LABEL}=${labelValue}`];
  for (const c of await engine.listContainers({ label }).catch(() => [])) {
    await engine.removeContainer(c.id, { force: true }).catch(() => undefined);
  }
  const labelled = (await engine.listImages().catch(() => [])).filter((i) => i.labels[TEST_LABEL] === labelValue);
  // Tags first: an image whose tag moved to a newer build is untagged and labelled, and goes second.
  await removeTestImages(engine, [...tags, ...labelled.filter((i) => i.repoTags.length).map((i) => i.id), ...labelled.filter((i) => !i.repoTags.length).map((i) => i.id)]);
  for (const v of await engine.listVolumes({ label }).catch(() => [])) await engine.removeVolume(v.name).catch(() => undefined);
  for (const n of await engine.listNetworks({ label }).catch(() => [])) await engine.removeNetwork(n.name).catch(() => undefined);
}

/** Polls `check` every `intervalMs` until it returns a value, or throws after `timeoutMs` with `what`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/**
 * GET `url` and return the body text (undefined while nothing answers). Uses node:http with a
 * timer that keeps the process alive: fetch's AbortSignal.timeout does not, and a request to a
 * just-published port that is not listening yet can hang with nothing else holding Node open.
 */
export function httpText(url: string, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        clearTimeout(timer);
        resolve(res.statusCode === 200 ? body : undefined);
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve(undefined);
    }, timeoutMs);
    req.on('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}
