// Splits the extension into two esbuild bundles that share their modules: dist/extension.js (what
// activation needs) and dist/features.js (commands, providers, editing help: `require`d on first
// use by src/extension.ts through src/lazy.ts). esbuild has no code splitting for CommonJS, so a
// module both bundles import would be copied into each, and a module with state (the log
// channel, the engine session, the stores) would exist twice. Instead, dist/extension.js exports
// the namespaces of the modules dist/features.js also imports (`__shared`), and dist/features.js
// gets, for each of them, a stub that reads it from there. Used by scripts/build.mjs; tested in
// test/unit/build/sharedBundle.test.ts.
import * as esbuild from 'esbuild';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

/** The second bundle's entry, as src/extension.ts `require`s it ('./features'), and its file next to dist/extension.js. */
export const FEATURES_ENTRY = 'src/features.ts';
export const FEATURES_REQUIRE = './features';
export const FEATURES_FILE = 'features.js';

/** In dist/extension.js: `require('./features')` stays a run-time require of dist/features.js. */
function featuresExternalPlugin() {
  return {
    name: 'features-external',
    setup(build) {
      build.onResolve({ filter: /^\.\/features$/ }, (args) =>
        /[\\/]src[\\/]extension\.ts$/.test(args.importer) ? { path: `./${FEATURES_FILE}`, external: true } : undefined);
    },
  };
}

/**
 * Resolves a relative import the way esbuild would without this plugin (`tag` keeps the plugin
 * from answering its own question).
 * @returns {Promise<{ path: string, key: string } | undefined>} the file and its path relative to
 *   cwd, or undefined for an external, a virtual module or an error (esbuild reports those itself)
 */
async function resolveFile(build, args, tag) {
  if (args.pluginData === tag || args.namespace !== 'file') return undefined;
  const r = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: tag });
  if (r.errors.length || r.external || r.namespace !== 'file') return undefined;
  return { path: r.path, key: keyOf(r.path) };
}

/**
 * Marks the project's own modules (src/) free of import side effects (as `"sideEffects": false` in
 * a package.json would): a module none of whose exports is used is left out, with what it imports.
 * Without it, one constant imported from a module brings every module that one imports, because
 * their top-level tables (the lint rules, sorted as they load) count as side effects. No source
 * module may be imported for its side effects alone (`import './x'`): {@link buildSharedBundles}
 * refuses to build then.
 */
export function pureSourcesPlugin() {
  return {
    name: 'pure-sources',
    setup(build) {
      build.onResolve({ filter: /^\./ }, async (args) => {
        const f = await resolveFile(build, args, 'pure-sources');
        return f?.key.startsWith('src/') ? { path: f.path, sideEffects: false } : undefined;
      });
    },
  };
}

/**
 * One `require` per bundle of `vscode` and of each Node built-in, instead of one per importing
 * module: esbuild turns each `import * as x from 'vscode'` (or 'node:fs') of an external CommonJS
 * module into its own `__toESM(require(...))`, a copy of every property of the module object, at
 * load time (the vscode API has hundreds; node:fs about a hundred). Here every import statement
 * goes through one module that re-exports it, copied once. `require()` calls are left as they are.
 */
export function oneRequirePlugin() {
  return {
    name: 'one-require',
    setup(build) {
      build.onResolve({ filter: /^(vscode|node:.+)$/ }, (args) => {
        if (args.namespace === 'one-require') return { path: args.path, external: true };
        return args.kind === 'import-statement' ? { path: args.path, namespace: 'one-require' } : undefined;
      });
      build.onLoad({ filter: /.*/, namespace: 'one-require' }, (args) => ({
        contents: `export * from ${JSON.stringify(args.path)};${args.path === 'vscode' ? '' : ` export { default } from ${JSON.stringify(args.path)};`}`,
        loader: 'js',
      }));
    },
  };
}

/**
 * The bundle's own output in a metafile (not its source map, which is listed too and holds no inputs' bytes).
 * @throws {Error} when the metafile has no .js output
 */
export function jsOutput(metafile) {
  const js = Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.js'));
  if (js.length !== 1) throw new Error(`expected one .js output, got: ${Object.keys(metafile.outputs).join(', ')}`);
  return js[0][1];
}

/** The source files a bundle's output holds code of (metafile input keys relative to cwd, real files only). */
function modulesIn(metafile, { withCode = false } = {}) {
  const out = jsOutput(metafile);
  return new Set(Object.entries(out.inputs)
    .filter(([key, v]) => !key.includes(':') && (!withCode || v.bytesInOutput > 0))
    .map(([key]) => key));
}

/**
 * Whether a module has something that must exist once: top-level `let`/`var` (state), a class
 * (`instanceof` across the bundles), or an object made with `new` and no arguments (a cache, an
 * event emitter). Modules of functions and constant tables (`new Set([...])`, literals) may be in
 * both bundles: each keeps only the functions it calls, so little is copied.
 * @param {string} file a source file, relative to cwd
 */
export function isStateful(file) {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  return sf.statements.some((st) => {
    if (ts.isClassDeclaration(st)) return true;
    if (!ts.isVariableStatement(st)) return false;
    if (!(st.declarationList.flags & ts.NodeFlags.Const)) return true;
    return st.declarationList.declarations.some((d) => d.initializer && ts.isNewExpression(d.initializer) && !d.initializer.arguments?.length);
  });
}

/**
 * Modules shared by reference, among those the features bundle imports and the extension bundle
 * holds code of (a module only the features bundle uses stays there, out of activation):
 * - every one with state ({@link isStateful});
 * - a stateless one when the extension bundle already holds at least half of the code the
 *   features bundle would copy (sharing then adds little to activation and saves the copy).
 * Only the project's own sources (src/): npm packages both use are small, stateless and simply
 * copied (their CommonJS default exports would not survive the namespace hand-over).
 */
function sharedModules(extMeta, featMeta) {
  const bytes = (meta) => new Map(Object.entries(jsOutput(meta).inputs).map(([k, v]) => [k, v.bytesInOutput]));
  const inExt = bytes(extMeta);
  const inFeat = bytes(featMeta);
  return Object.keys(featMeta.inputs)
    .filter((m) => m.startsWith('src/') && (inExt.get(m) ?? 0) > 0)
    .filter((m) => isStateful(m) || inExt.get(m) >= (inFeat.get(m) ?? 0) / 2)
    .sort();
}

/** A source file's path relative to cwd, as metafile keys are written. */
const keyOf = (file) => relative(process.cwd(), file).split('\\').join('/');

/** The file a relative specifier names from `importer` (TypeScript sources: x.ts or x/index.ts). */
function resolveSource(importer, spec) {
  const base = join(dirname(importer), spec);
  for (const f of [base, `${base}.ts`, join(base, 'index.ts')]) if (f.endsWith('.ts') && existsSync(f)) return keyOf(f);
  return undefined;
}

/**
 * What each file imports from other source files, as values (type-only imports left out): a set of
 * names per module, or '*' for a namespace import or `export *`.
 * @param {string[]} files source files, relative to cwd
 * @returns {Map<string, Set<string> | '*'>} by imported module (relative to cwd)
 */
export function importedNames(files) {
  const out = new Map();
  const add = (mod, names) => {
    if (!mod) return;
    const prev = out.get(mod);
    if (prev === '*' || names === '*') return void out.set(mod, '*');
    out.set(mod, new Set([...(prev ?? []), ...names]));
  };
  for (const file of files) {
    if (!file.endsWith('.ts')) continue;
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
    for (const st of sf.statements) {
      if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && st.moduleSpecifier.text.startsWith('.')) {
        const c = st.importClause;
        if (!c || c.isTypeOnly) continue;
        const mod = resolveSource(file, st.moduleSpecifier.text);
        if (c.name) add(mod, ['default']);
        if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) add(mod, '*');
        else if (c.namedBindings) add(mod, c.namedBindings.elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ?? e.name).text));
      } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) && st.moduleSpecifier.text.startsWith('.') && !st.isTypeOnly) {
        const mod = resolveSource(file, st.moduleSpecifier.text);
        if (!st.exportClause || ts.isNamespaceExport(st.exportClause)) add(mod, '*');
        else add(mod, st.exportClause.elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ?? e.name).text));
      }
    }
    // run-time requires of a source file (`require('./x')`) take the whole module
    const visit = (n) => {
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'require' && n.arguments.length === 1 && ts.isStringLiteral(n.arguments[0]) && n.arguments[0].text.startsWith('.')) add(resolveSource(file, n.arguments[0].text), '*');
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}

/** Names a module exports as types only (interfaces, type aliases): never shared as values. */
function typeOnlyExports(file) {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const names = new Set();
  for (const st of sf.statements) {
    const exported = ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (exported && (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st))) names.add(st.name.text);
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const e of st.exportClause.elements) if (st.isTypeOnly || e.isTypeOnly) names.add(e.name.text);
    }
  }
  return names;
}

/** Names a module exports as `let`/`var` (they change: read through a getter, never copied). */
function liveExports(file) {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const mutable = new Set();
  const exported = new Set();
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st) && !(st.declarationList.flags & ts.NodeFlags.Const)) {
      const isExported = ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) (isExported ? exported : mutable).add(d.name.text);
    }
    if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const e of st.exportClause.elements) if (mutable.has((e.propertyName ?? e.name).text)) exported.add(e.name.text);
    }
  }
  return exported;
}

/**
 * What dist/features.js takes from each shared module: '*' (the namespace: a namespace import, or
 * a `let` export, which must stay live) or the list of exports, which its stub then binds once
 * as its own constants (short local names in the minified bundle, no property reads).
 * @param {string[]} shared modules, relative to cwd
 * @param {Map<string, Set<string> | '*'>} names what dist/features.js imports from each
 * @param {Set<string>} lazyInExt modules dist/extension.js only `require`s on first use: shared
 *   as 'lazy' (loaded when dist/features.js first asks, never at activation)
 * @returns {Map<string, string[] | '*' | 'lazy'>}
 */
function sharePlan(shared, names, lazyInExt) {
  return new Map(shared.map((m) => {
    if (lazyInExt.has(m)) return [m, 'lazy'];
    const wanted = names.get(m);
    if (wanted === '*' || wanted === undefined) return [m, '*'];
    const skip = typeOnlyExports(m);
    const values = [...wanted].filter((n) => !skip.has(n)).sort();
    const live = liveExports(m);
    return [m, values.some((n) => live.has(n) || n === 'default') ? '*' : values];
  }));
}

/**
 * dist/extension.js's entry: src/extension.ts plus `__shared(path)`, which gives dist/features.js
 * a shared module: its namespace, or an object of just the exports dist/features.js uses (the
 * rest of the module is still tree-shaken).
 * @param {Map<string, string[] | '*' | 'lazy'>} plan from {@link sharePlan}
 */
function extensionEntry(plan) {
  const lines = ["export * from './src/extension';"];
  const entries = [...plan].map(([m, wanted], i) => {
    // a module dist/extension.js itself only `require`s when first used stays unloaded until then
    if (wanted === 'lazy') return `${JSON.stringify(m)}: () => require(${JSON.stringify(`./${m}`)})`;
    lines.push(`import * as m${i} from ${JSON.stringify(`./${m}`)};`);
    if (wanted === '*') return `${JSON.stringify(m)}: m${i}`;
    return `${JSON.stringify(m)}: { ${wanted.map((n) => `${JSON.stringify(n)}: m${i}[${JSON.stringify(n)}]`).join(', ')} }`;
  });
  lines.push(`const shared = {${entries.join(',\n')}};`);
  // __esModule: esbuild's import interop in dist/features.js then reads named and default exports as ESM ones
  lines.push(`export function __shared(path) {
  let ns = shared[path];
  if (typeof ns === 'function') ns = shared[path] = ns();
  if (!ns) throw new Error('dist/extension.js does not share ' + path + ': build both bundles with scripts/build.mjs');
  if (!Object.prototype.hasOwnProperty.call(ns, '__esModule')) Object.defineProperty(ns, '__esModule', { value: true });
  return ns;
}`);
  return lines.join('\n');
}

/**
 * In dist/features.js: a shared module becomes a stub that takes it from
 * `require('./extension.js').__shared(<its path>)`: the namespace as the module's exports, or
 * each used export bound once as a constant.
 * @param {Map<string, string[] | '*' | 'lazy'>} plan from {@link sharePlan}
 */
function sharedStubPlugin(plan) {
  return {
    name: 'shared-modules',
    setup(build) {
      build.onResolve({ filter: /^\./ }, async (args) => {
        const f = await resolveFile(build, args, 'shared-modules');
        return f && plan.has(f.key) ? { path: f.key, namespace: 'shared-module' } : undefined;
      });
      build.onResolve({ filter: /^\.\/extension\.js$/ }, (args) => (args.namespace === 'shared-module' ? { path: args.path, external: true } : undefined));
      build.onLoad({ filter: /.*/, namespace: 'shared-module' }, (args) => {
        const from = `require('./extension.js').__shared(${JSON.stringify(args.path)})`;
        const wanted = plan.get(args.path);
        return {
          contents: wanted === '*' || wanted === 'lazy' ? `module.exports = ${from};` : `const ns = ${from};\n${wanted.map((n) => `export const ${n} = ns[${JSON.stringify(n)}];`).join('\n')}`,
          loader: 'js',
        };
      });
    },
  };
}

/**
 * Source modules with state ({@link isStateful}) whose code is in both outputs (each would run
 * twice, with its own state): must be empty. Lazy vendor stubs are not counted (each only
 * `require`s its dist/vendor file, which Node loads once).
 * @returns {string[]} the duplicated modules, relative to cwd
 */
export function duplicatedModules(extMeta, featMeta) {
  const ext = modulesIn(extMeta, { withCode: true });
  return [...modulesIn(featMeta, { withCode: true })].filter((m) => ext.has(m) && m.startsWith('src/') && isStateful(m));
}

/**
 * Builds both bundles. The first pass (not written) finds the modules dist/extension.js holds code
 * of and dist/features.js imports too; then dist/extension.js is built with `__shared` and
 * dist/features.js with stubs for them. Exposing a namespace keeps all of a module's exports, which
 * can bring code of one more module into dist/extension.js: such a module is shared as well, and
 * the second pass repeats until no module is in both.
 * @param {import('esbuild').BuildOptions} base the extension's options (entryPoints/outdir are replaced)
 * @param {string} outdir e.g. 'dist'
 * @returns {Promise<{ shared: string[], extension: import('esbuild').Metafile, features: import('esbuild').Metafile }>}
 * @throws {Error} when a source module is still in both bundles after a few rounds
 */
export async function buildSharedBundles(base, outdir) {
  const common = { ...base, entryPoints: undefined, outdir: undefined, metafile: true, plugins: [...(base.plugins ?? []), oneRequirePlugin(), featuresExternalPlugin(), pureSourcesPlugin()] };
  const [ext1, feat1] = await Promise.all([
    esbuild.build({ ...common, entryPoints: ['src/extension.ts'], outfile: `${outdir}/extension.js`, write: false }),
    esbuild.build({ ...common, entryPoints: [FEATURES_ENTRY], outfile: `${outdir}/${FEATURES_FILE}`, write: false }),
  ]);
  // pureSourcesPlugin would silently drop a module imported for its side effects alone
  const sideEffectImports = [...new Set([...Object.keys(ext1.metafile.inputs), ...Object.keys(feat1.metafile.inputs)])]
    .filter((f) => f.startsWith('src/') && /^\s*import\s+['"]/m.test(readFileSync(f, 'utf8')));
  if (sideEffectImports.length) throw new Error(`import '...' for side effects alone is not kept by the build (scripts/lib/sharedBundle.mjs, pureSourcesPlugin): import a function and call it instead, in ${sideEffectImports.join(', ')}`);
  let shared = sharedModules(ext1.metafile, feat1.metafile);
  // modules dist/extension.js only reaches through `require()` calls (loaded on first use)
  const importKinds = new Map();
  for (const { imports } of Object.values(ext1.metafile.inputs)) {
    for (const i of imports) importKinds.set(i.path, [...(importKinds.get(i.path) ?? []), i.kind]);
  }
  const lazyInExt = new Set([...importKinds].filter(([, kinds]) => kinds.every((k) => k === 'require-call' || k === 'dynamic-import')).map(([m]) => m));
  // what the features bundle's own files (not the shared ones) import from each shared module
  const names = () => importedNames(Object.keys(feat1.metafile.inputs).filter((f) => f.startsWith('src/') && !shared.includes(f)));
  for (let round = 0; round < 5; round++) {
    const plan = sharePlan(shared, names(), lazyInExt);
    const [ext, feat] = await Promise.all([
      esbuild.build({
        ...common,
        stdin: { contents: extensionEntry(plan), resolveDir: process.cwd(), sourcefile: 'extension-entry.ts', loader: 'ts' },
        outfile: `${outdir}/extension.js`,
      }),
      esbuild.build({ ...common, entryPoints: [FEATURES_ENTRY], outfile: `${outdir}/${FEATURES_FILE}`, plugins: [...(base.plugins ?? []), oneRequirePlugin(), featuresExternalPlugin(), sharedStubPlugin(plan), pureSourcesPlugin()] }),
    ]);
    const twice = duplicatedModules(ext.metafile, feat.metafile);
    if (!twice.length) return { shared, extension: ext.metafile, features: feat.metafile };
    if (round === 4) throw new Error(`These modules would be in both dist/extension.js and dist/${FEATURES_FILE} (each with its own state): ${twice.join(', ')}`);
    shared = [...new Set([...shared, ...twice])].sort();
  }
  throw new Error('unreachable');
}
