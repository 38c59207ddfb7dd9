// Prints the import map of src: the arrows between the rooms of src/ui, the arrows that point up
// (against the ranks in scripts/lib/layers.mjs), and every import cycle in src (core, engine, ui).
//   node scripts/import-map.mjs          the map as text
//   node scripts/import-map.mjs --json   the same as JSON (test/unit/architecture.test.ts reads it)
// Type-only imports count: a room that names another room's types depends on it as well.
import { importGraph, roomOf, rankOf, cycles } from './lib/layers.mjs';

const graph = importGraph('src');
const ui = new Map(); // "from -> to" -> number of file imports
for (const [file, deps] of graph) {
  const from = roomOf(file);
  if (!from) continue;
  for (const dep of deps) {
    const to = roomOf(dep);
    if (!to || to === from) continue;
    const key = `${from} -> ${to}`;
    ui.set(key, (ui.get(key) ?? 0) + 1);
  }
}
const arrows = [...ui.keys()].sort();
const upward = arrows.filter((a) => {
  const [from, to] = a.split(' -> ');
  const rf = rankOf(from);
  const rt = rankOf(to);
  return rf === undefined || rt === undefined || rt >= rf;
});
const roomCycles = cycles(new Map([...new Set(arrows.flatMap((a) => a.split(' -> ')))].map((r) => [r, arrows.filter((a) => a.startsWith(`${r} -> `)).map((a) => a.split(' -> ')[1])])));
const fileCycles = cycles(graph);
const result = { arrows, upward, roomCycles, fileCycles };
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(result, null, 2));
} else {
  console.log(`src/ui rooms: ${new Set(arrows.flatMap((a) => a.split(' -> '))).size}; arrows between them: ${arrows.length}`);
  for (const a of arrows) console.log(`  ${a} (${ui.get(a)} imports)${upward.includes(a) ? '  UP' : ''}`);
  console.log(`arrows that point up or sideways (or into a room without a rank): ${upward.length}`);
  console.log(`cycles between src/ui rooms (each: the rooms that import each other round): ${roomCycles.length}`);
  for (const c of roomCycles) console.log(`  ${c.join(', ')}`);
  console.log(`cycles between files in src (each: the files that import each other round): ${fileCycles.length}`);
  for (const c of fileCycles) console.log(`  ${c.join(', ')}`);
}
