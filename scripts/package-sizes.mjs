// Prints what the .vsix holds, per bundled file: its size on disk and its compressed size in the
// .vsix (a zip), the code bundles one by one (dist/extension.js, each lazily loaded dist/vendor
// bundle, the CLI, the webview files) and the rest grouped by folder; then the total against the
// goal. Run by `npm run package` after vsce; `node scripts/package-sizes.mjs [file.vsix]` alone.
//
// A new lazily loaded bundle shows up here as its own row, so its cost is seen before it ships.
import { readFileSync } from 'node:fs';
import { readZip } from './lib/zip.mjs';

/** The size goal of the .vsix in bytes: 600 kB (docs/development.md). */
export const VSIX_GOAL_BYTES = 600_000;

/**
 * The entries of a zip file from its central directory (APPNOTE.TXT 4.3.12, 4.3.16).
 * @param {Buffer} zip the whole file
 * @returns {{name: string, compressed: number, size: number}[]} sizes in bytes
 * @throws Error when it is not a zip (scripts/lib/zip.mjs readZip)
 */
export function zipEntries(zip) {
  return readZip(zip).map((e) => ({ name: e.name.toString('utf8'), compressed: e.data.length, size: e.size }));
}

/** The row an entry is counted in: code files one by one, everything else by its first two folders. */
function rowOf(name) {
  const n = name.replace(/^extension\//, '');
  if (/^dist\/.*\.(js|css)$/.test(n)) return n;
  const parts = n.split('/');
  return parts.length > 2 ? `${parts.slice(0, 2).join('/')}/` : parts.length === 2 ? `${parts[0]}/` : n;
}

const kB = (b) => `${(b / 1000).toFixed(1)} kB`;

function main() {
  const file = process.argv[2] ?? 'dist/ml-container-lab.vsix';
  const zip = readFileSync(file);
  const rows = new Map();
  for (const e of zipEntries(zip)) {
    const r = rows.get(rowOf(e.name)) ?? { files: 0, size: 0, compressed: 0 };
    r.files++;
    r.size += e.size;
    r.compressed += e.compressed;
    rows.set(rowOf(e.name), r);
  }
  const sorted = [...rows.entries()].sort((a, b) => b[1].compressed - a[1].compressed);
  const w = Math.max(...sorted.map(([k]) => k.length));
  console.log(`\n${'file or folder'.padEnd(w)}  ${'files'.padStart(5)}  ${'on disk'.padStart(10)}  ${'in .vsix'.padStart(10)}`);
  for (const [k, r] of sorted) console.log(`${k.padEnd(w)}  ${String(r.files).padStart(5)}  ${kB(r.size).padStart(10)}  ${kB(r.compressed).padStart(10)}`);
  const left = VSIX_GOAL_BYTES - zip.length;
  console.log(`${file}: ${zip.length} bytes (${kB(zip.length)}); goal ${kB(VSIX_GOAL_BYTES)}: ${left >= 0 ? `${kB(left)} left` : `${kB(-left)} over`}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
