/**
 * The layer rule holds: no import cycle anywhere in src, every src/ui room imports only rooms
 * below it (scripts/lib/layers.mjs), and the ESLint rule that enforces the second one refuses an
 * upward import.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '..', '..', '..');

interface Layers {
  uiRooms: Record<string, number>;
  roomOf(file: string): string | undefined;
  importGraph(dir: string, root: string): Map<string, string[]>;
  cycles(graph: Map<string, string[]>): string[][];
}
// an ES module (eslint.config.mjs imports it too); the tests are CommonJS
const layers = (): Promise<Layers> => import(pathToFileURL(path.join(root, 'scripts', 'lib', 'layers.mjs')).href) as Promise<Layers>;

/** Lints `text` as if it were the file `file` with the project's ESLint config, only the layer rule. */
async function lintAs(file: string, text: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: root,
    // the file does not exist: no type information for it, and no other rule
    overrideConfig: { languageOptions: { parserOptions: { project: false, projectService: false } } },
    ruleFilter: ({ ruleId }) => ruleId === 'mllab/ui-layers',
  });
  const [result] = await eslint.lintText(text, { filePath: path.join(root, file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('architecture', () => {
  it('has no import cycle in src (core, engine, ui)', async () => {
    const { importGraph, cycles } = await layers();
    const graph = importGraph('src', root);
    assert.ok(graph.size > 150, `read ${graph.size} files`);
    assert.deepEqual(cycles(graph).map((c) => c.join(',')), []);
  });

  it('puts every src/ui file in a room with a rank, and no room imports one of the same or a higher rank', async () => {
    const { importGraph, roomOf, uiRooms } = await layers();
    const up: string[] = [];
    for (const [file, deps] of importGraph('src', root)) {
      const from = roomOf(file);
      if (from === undefined) continue;
      assert.ok(from in uiRooms, `${file}: room ${from} has no rank`);
      for (const dep of deps) {
        const to = roomOf(dep);
        if (to !== undefined && to !== from && !(uiRooms[to] < uiRooms[from])) up.push(`${file} -> ${dep}`);
      }
    }
    assert.deepEqual(up, []);
  });

  it('ESLint refuses an upward import and a file outside the rooms, and accepts a downward one', async () => {
    const upward = await lintAs('src/ui/shared/upward.ts', "import { buildProfileImage } from '../profiles/profiles';\nexport const x = buildProfileImage;\n");
    assert.equal(upward.length, 1, upward.join('\n'));
    assert.match(upward[0], /^mllab\/ui-layers: src\/ui\/shared \(rank 1\) imports src\/ui\/profiles \(rank 4\)/);
    // a feature importing another feature of the same rank is sideways: refused too
    const sideways = await lintAs('src/ui/images/sideways.ts', "export { pickVolume } from '../volumes/volumes';\n");
    assert.match(sideways.join('\n'), /src\/ui\/images \(rank 2\) imports src\/ui\/volumes \(rank 2\)/);
    const outside = await lintAs('src/ui/loose.ts', 'export const y = 1;\n');
    assert.match(outside.join('\n'), /src\/ui\/loose is not a room/);
    // down into shared and base, and out to core: allowed (core/swarm is not the swarm room)
    const down = await lintAs('src/ui/profiles/down.ts', "import { log } from '../base/log';\nimport type { CommandContext } from '../shared/context';\nimport { engineForNode } from '../../core/swarm/taskEngine';\nexport const z = [log, engineForNode] as const;\nexport type C = CommandContext;\n");
    assert.deepEqual(down, []);
  });
});
