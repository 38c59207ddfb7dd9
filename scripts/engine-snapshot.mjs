// Lists the Docker engine's images (intermediate ones too), containers, volumes and networks,
// and says what a test run left behind:
//
//   node scripts/engine-snapshot.mjs save <file>    write the listing to <file> (JSON)
//   node scripts/engine-snapshot.mjs check <file>   list again; print each object that is new since
//                                                   <file> and not in scripts/setup/engine-baseline.json,
//                                                   exit 1 when there is any
//
// The engine is DOCKER_HOST when it is a unix:// address, else /var/run/docker.sock. The
// comparison is src/core/engineSnapshot.ts (built into out/ by scripts/build.mjs, run here when
// out/ is missing). .ci/run uses it around `npm test`; on a shared engine the comparison also
// names what other users made meanwhile, so it is for a machine of one's own.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(repo, 'out', 'src', 'core', 'engineSnapshot.js');

const host = process.env.DOCKER_HOST ?? '';
const socketPath = host.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';

/** GET <path> of the Engine API; the parsed JSON body. */
function get(path) {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path, headers: { Host: 'docker' }, timeout: 60_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${path}: HTTP ${res.statusCode} ${body.trim()}`));
        else resolve(JSON.parse(body));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer in 60 s`)));
    req.on('error', (e) => reject(new Error(`the Docker engine at ${socketPath} does not answer (${e.message}): start it with 'bash scripts/setup/engine.sh'`)));
  });
}

/** @returns {Promise<import('../src/core/engineSnapshot').EngineSnapshot>} */
async function listEngine() {
  const [images, containers, volumes, networks] = await Promise.all([
    get('/images/json?all=1'),
    get('/containers/json?all=1'),
    get('/volumes'),
    get('/networks'),
  ]);
  return {
    images: images.map((i) => ({ id: i.Id, tags: i.RepoTags ?? [], parent: i.ParentId ?? '', labels: i.Labels ?? {} })),
    containers: containers.map((c) => ({ id: c.Id, name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''), image: c.Image, labels: c.Labels ?? {} })),
    volumes: (volumes.Volumes ?? []).map((v) => ({ name: v.Name, labels: v.Labels ?? {} })),
    networks: networks.map((n) => ({ id: n.Id, name: n.Name, driver: n.Driver, labels: n.Labels ?? {} })),
  };
}

/** The baseline's references, each replaced by its environment override when set (as base-images.sh does). */
function baseline() {
  const file = join(repo, 'scripts', 'setup', 'engine-baseline.json');
  const b = JSON.parse(readFileSync(file, 'utf8'));
  return { images: b.images.map((i) => (i.env && process.env[i.env]) || i.ref) };
}

const counts = (s) => `${s.images.length} images, ${s.containers.length} containers, ${s.volumes.length} volumes, ${s.networks.length} networks`;

const [verb, file] = process.argv.slice(2);
if (!['save', 'check'].includes(verb) || !file) {
  console.error('usage: node scripts/engine-snapshot.mjs save|check <file>');
  process.exit(2);
}
try {
  const now = await listEngine();
  if (verb === 'save') {
    writeFileSync(file, JSON.stringify(now, null, 1));
    console.log(`[engine-snapshot] engine at ${socketPath}: ${counts(now)} (saved to ${file})`);
    process.exit(0);
  }
  if (!existsSync(compiled)) spawnSync('node', ['scripts/build.mjs'], { cwd: repo, stdio: 'inherit' });
  const { diffSnapshots, describeLeftovers, isClean } = createRequire(import.meta.url)(compiled);
  const before = JSON.parse(readFileSync(file, 'utf8'));
  console.log(`[engine-snapshot] engine at ${socketPath}: before ${counts(before)}; after ${counts(now)}`);
  const left = diffSnapshots(before, now, baseline());
  if (isClean(left)) {
    console.log('[engine-snapshot] nothing left behind');
    process.exit(0);
  }
  const lines = describeLeftovers(left);
  console.error(`[engine-snapshot] ERROR: ${lines.length} object(s) left on the engine that were not there before (and are not in scripts/setup/engine-baseline.json):`);
  for (const l of lines) console.error(`  ${l}`);
  console.error('[engine-snapshot] each test must remove what it creates, also when it fails; the labels above name the run (org.mllab.test=<tier>-<pid>-<time>)');
  process.exit(1);
} catch (err) {
  console.error(`[engine-snapshot] ERROR: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
}
