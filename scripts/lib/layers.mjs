// The rooms of src/ui and their ranks: a room imports only rooms of a lower rank (and itself).
// One table serves the ESLint rule (eslint.config.mjs), the import map (scripts/import-map.mjs)
// and the unit test that looks for cycles (test/unit/architecture.test.ts); docs/architecture.md
// says what each room holds.
import ts from 'typescript';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** room (a folder under src/ui) -> rank; a room may import only rooms of a lower rank. */
export const uiRooms = {
  // the engine session, settings, log, read-only documents, port forwards
  base: 0,
  // what several features use: CommandContext, pickers, terminals, transfer progress, tree provider, runner
  shared: 1,
  // features that use only the rooms below
  images: 2, volumes: 2, networks: 2, engines: 2, registries: 2, compose: 2, language: 2, files: 2, runs: 2,
  // features that also use one of rank 2: containers pick a network, the walkthrough lints,
  // the object views' inspect offers a volume's containers
  containers: 3, walkthrough: 3, views: 3,
  // profiles build images and run containers
  profiles: 4,
  // swarm jobs and debugging start from a profile
  swarm: 5, debug: 5,
  // the command registry: every command id to its handler
  commands: 6,
};

/** The room of a file under src/ui: its first folder (a file directly in src/ui is its own room); undefined outside src/ui. */
export function roomOf(file) {
  const parts = file.split(/[\\/]/);
  if (parts[0] !== 'src' || parts[1] !== 'ui') return undefined;
  return parts.length > 3 ? parts[2] : parts[2].replace(/\.ts$/, '');
}

export function rankOf(room) {
  return uiRooms[room];
}

/**
 * ESLint rule `mllab/ui-layers`: a file in src/ui imports no file of a room of the same or a
 * higher rank (its own room excepted), and every file in src/ui is in a room of `uiRooms`.
 * Relative imports are resolved from the file, so `../profiles/x` and `../../core/swarm/x` are
 * told apart (no-restricted-imports matches the import text only).
 */
export const uiLayersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'src/ui rooms import only the rooms below them (docs/architecture.md)' },
    messages: {
      upward: 'src/ui/{{from}} (rank {{fromRank}}) imports src/ui/{{to}} (rank {{toRank}}): a room imports only rooms below it (scripts/lib/layers.mjs, docs/architecture.md). Move what both need down to src/ui/shared or src/ui/base.',
      noRoom: 'src/ui/{{room}} is not a room in scripts/lib/layers.mjs: put the file in a room, or add the room with its rank there and in docs/architecture.md.',
    },
    schema: [],
  },
  create(context) {
    const file = relative(context.cwd, context.filename).split(sep).join('/');
    const from = roomOf(file);
    if (from === undefined) return {};
    const fromRank = rankOf(from);
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = roomOf(relative(context.cwd, resolve(dirname(context.filename), spec)).split(sep).join('/') + '/x');
      if (to === undefined || to === from) return;
      const toRank = rankOf(to);
      if (toRank === undefined || toRank >= fromRank) context.report({ node, messageId: 'upward', data: { from, to, fromRank, toRank: toRank ?? 'none' } });
    };
    return {
      Program(node) {
        if (fromRank === undefined) context.report({ node, messageId: 'noRoom', data: { room: from } });
      },
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      'CallExpression[callee.name="require"]': (node) => node.arguments[0]?.type === 'Literal' && check(node.arguments[0], node.arguments[0].value),
    };
  },
};

function tsFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function resolveImport(root, from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(root, dirname(from), spec);
  for (const c of [`${base}.ts`, join(base, 'index.ts')]) if (existsSync(c)) return relative(root, c).split(sep).join('/');
  return undefined;
}

/**
 * The relative imports of every .ts file under `dir` (file -> the files it imports, paths
 * relative to `root` with '/'): static, type-only, `import()` and `require()`, as TypeScript's
 * own pre-processor finds them.
 */
export function importGraph(dir, root = process.cwd()) {
  const graph = new Map();
  for (const file of tsFiles(join(root, dir))) {
    const name = relative(root, file).split(sep).join('/');
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    graph.set(name, [...new Set(info.importedFiles.map((i) => resolveImport(root, name, i.fileName)).filter((d) => d !== undefined))]);
  }
  return graph;
}

/** The strongly connected parts with more than one node (Tarjan), each as a sorted list: every import cycle. */
export function cycles(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const part = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        part.push(w);
      } while (w !== v);
      if (part.length > 1) out.push(part.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}
