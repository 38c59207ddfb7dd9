/**
 * Explorer benchmark (`npm run bench`; prints figures, asserts nothing). On the real engine:
 *  (a) list + build tree models through the Engine API vs spawning `docker ps -a --format json`
 *      / `docker images --format json` and parsing, with 300 containers and 1,000 image tags;
 *  (b) latency from `docker run -d` returning to the tree model containing the new container,
 *      with the views' refresh policy (engine events, REFRESH_DEBOUNCE_MS), over 20 runs.
 * Everything it creates carries org.mllab.bench=<run> (tags: mllab-bench/...), removed afterwards.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { containerNodes, imageNodes } from '../src/core/tree/models';
import { REFRESH_DEBOUNCE_MS } from '../src/core/tree/refreshPolicy';
import { nodeConnectionInputs, resolveConnection } from '../src/core/connection';
import { Engine } from '../src/engine/engine';

const run = promisify(execFile);
const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const RUN = `bench-${process.pid}`;
const LABEL = 'org.mllab.bench';
const CONTAINERS = Number(process.env.MLLAB_BENCH_CONTAINERS ?? 300);
const TAGS = Number(process.env.MLLAB_BENCH_TAGS ?? 1000);
const DOCKER = process.env.MLLAB_DOCKER_CLI ?? 'docker';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.9) - 1)];
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

async function timeIt(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  await fn(); // warm-up
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

async function main(): Promise<void> {
  const engine = new Engine(resolveConnection(nodeConnectionInputs()), 60_000);
  const version = await engine.version();
  const labels = { [LABEL]: RUN };
  const tags = Array.from({ length: TAGS }, (_, i) => `mllab-bench/img-${RUN}-${i}`);
  console.log(`engine ${version.version} (API ${version.apiVersion}); creating ${CONTAINERS} containers and ${TAGS} image tags...`);
  try {
    const t0 = performance.now();
    await inBatches(Array.from({ length: CONTAINERS }, (_, i) => i), 8, (i) =>
      engine.createContainer({ image: TINY, name: `mllab-bench-${RUN}-${i}`, cmd: ['true'], ports: [], mounts: [], labels, bindAddress: '127.0.0.1' }),
    );
    await inBatches(tags, 8, (t) => engine.tagImage(TINY, t, 'v1'));
    console.log(`setup ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const containers = (await engine.listContainers()).length;
    const images = (await engine.listImages()).reduce((s, i) => s + i.repoTags.length, 0);
    console.log(`engine now holds ${containers} containers and ${images} image tags`);

    // (a) list and build tree models
    const n = 15;
    const oursC = await timeIt(n, async () => containerNodes(await engine.listContainers()));
    const cliC = await timeIt(n, async () => {
      const { stdout } = await run(DOCKER, ['ps', '-a', '--no-trunc', '--format', 'json'], { maxBuffer: 64 << 20 });
      return stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
    });
    const oursI = await timeIt(n, async () => imageNodes(await engine.listImages(), Date.now()));
    const cliI = await timeIt(n, async () => {
      const { stdout } = await run(DOCKER, ['images', '--no-trunc', '--format', 'json'], { maxBuffer: 64 << 20 });
      return stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
    });
    console.log(`\n(a) list + tree models, median of ${n} (Engine API vs Docker CLI spawn + parse):`);
    console.log(`  containers (${containers}): ours ${ms(median(oursC))}, CLI ${ms(median(cliC))} -> ${(median(cliC) / median(oursC)).toFixed(2)}x faster`);
    console.log(`  images (${images} tags):   ours ${ms(median(oursI))}, CLI ${ms(median(cliI))} -> ${(median(cliI) / median(oursI)).toFixed(2)}x faster`);
    const both = median(oursC) + median(oursI);
    const bothCli = median(cliC) + median(cliI);
    const listOnly = median(await timeIt(n, () => engine.listContainers()));
    console.log(`  of which the containers Engine API call alone: ${ms(listOnly)}`);
    console.log(`  both views:            ours ${ms(both)}, CLI ${ms(bothCli)} -> ${(bothCli / both).toFixed(2)}x faster (goal >= 2x)`);

    // (b) docker run -d -> tree model contains the container
    const latencies: number[] = [];
    const fromStartEvent: number[] = [];
    const startEvents = new Map<string, number>();
    const abort = new AbortController();
    let waiting: { name: string; resolve: (t: number) => void } | undefined;
    let timer: NodeJS.Timeout | undefined;
    const refresh = async () => {
      const nodes = containerNodes(await engine.listContainers());
      if (waiting && nodes.some((nd) => nd.label === waiting!.name)) {
        const w = waiting;
        waiting = undefined;
        const now = performance.now();
        const started = startEvents.get(w.name);
        if (started !== undefined) fromStartEvent.push(now - started);
        w.resolve(now);
      }
    };
    void engine.events((e) => {
      if (e.type === 'container' && e.attributes.name && !startEvents.has(e.attributes.name)) startEvents.set(e.attributes.name, performance.now());
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void refresh(), REFRESH_DEBOUNCE_MS);
    }, abort.signal);
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 20; i++) {
      const name = `mllab-bench-${RUN}-live-${i}`;
      const seen = new Promise<number>((resolve) => (waiting = { name, resolve }));
      await run(DOCKER, ['run', '-d', '--name', name, '--label', `${LABEL}=${RUN}`, TINY, 'true']);
      const returned = performance.now();
      latencies.push((await seen) - returned);
    }
    abort.abort();
    console.log(`\n(b) docker run -d returned -> tree model has the container (debounce ${REFRESH_DEBOUNCE_MS} ms, ${containers + 20} containers):`);
    console.log(`  median ${ms(median(latencies))}, p90 ${ms(p90(latencies))} over ${latencies.length} runs (goal: median < 300 ms;`);
    console.log(`  negative: the tree had the container before the docker CLI process returned)`);
    console.log(`  from the engine's first event for the container (create): median ${ms(median(fromStartEvent))}, p90 ${ms(p90(fromStartEvent))}`);
  } finally {
    const t = performance.now();
    for (const c of await engine.listContainers({ label: [`${LABEL}=${RUN}`] })) await engine.removeContainer(c.id, { force: true }).catch(() => undefined);
    await inBatches(tags, 8, (tag) => engine.removeImage(`${tag}:v1`).catch(() => undefined));
    console.log(`\ncleanup ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
