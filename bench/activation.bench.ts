/**
 * Activation benchmark (`npm run bench`; prints figures): in a real VS Code extension host
 * (code-server, through scripts/run-host-tests.mjs), the time from `activate` being asked for to
 * its promise resolving — loading dist/extension.js plus activate() — over 5 fresh windows on
 * the flask lab (a workspace that does not activate the extension at startup).
 * dockerode is bundled but wrapped lazily by esbuild: it runs on the first engine call.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const runs: Array<{ totalMs: number; activateMs: number }> = [];
for (let i = 0; i < 5; i++) {
  const r = spawnSync(
    process.execPath,
    ['scripts/run-host-tests.mjs', '--workspace', 'test/fixtures/labs/flask-app', '--tests', path.join(root, 'out', 'test', 'host', 'probe', 'activation')],
    { cwd: root, encoding: 'utf8', timeout: 180_000 },
  );
  const line = /ACTIVATION (\{.*\})/.exec(r.stdout)?.[1];
  if (!line) {
    console.error(`probe ${i + 1} failed (exit ${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-1000)}`);
    process.exit(1);
  }
  runs.push(JSON.parse(line) as { totalMs: number; activateMs: number });
}
const totals = runs.map((x) => x.totalMs).sort((a, b) => a - b);
const inside = runs.map((x) => x.activateMs).sort((a, b) => a - b);
console.log(`activation in a real extension host (code-server 4.139), ${runs.length} fresh windows:`);
console.log(`  load dist/extension.js + activate(): median ${totals[2]} ms (min ${totals[0]}, max ${totals[4]})`);
console.log(`  of which activate() itself: median ${inside[2]} ms`);
