// `npm run bench`: runs every compiled benchmark in out/bench (or those named on the command line).
import { readdirSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
const wanted = process.argv.slice(2);
const files = existsSync('out/bench') ? readdirSync('out/bench').filter((f) => f.endsWith('.bench.js')).sort() : [];
let failed = 0;
for (const f of files) {
  if (wanted.length && !wanted.some((w) => f.includes(w))) continue;
  console.log(`\n===== ${f}`);
  const r = spawnSync(process.execPath, [`out/bench/${f}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
