/**
 * Dockerfile editing speed in the extension host (`npm run bench -- language`): runs
 * bench/host/languageHost.ts inside code-server's extension host (scripts/run-host-tests.mjs)
 * on the iris lab's Dockerfile and a generated 1,000-line one, and prints completion and hover
 * latency (median, p95) and diagnostics after an edit with their cost. Goals: completion p95
 * <= 30 ms, hover p95 <= 20 ms. Prints the load average too (the machine is shared).
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..', '..');
console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(', ')}`);
const r = spawnSync(process.execPath, [path.join(repo, 'scripts', 'run-host-tests.mjs'), '--tests', path.join(repo, 'out', 'bench', 'host', 'languageHost')], { stdio: 'inherit', env: process.env });
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(', ')}`);
process.exit(r.status ?? 1);
