// Keeps heavy packages out of the extension's main bundle and loads each on first use
// (issue 10: activation under 100 ms). Used by scripts/build.mjs; tested in
// test/unit/build/lazyVendor.test.ts.
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Packages kept out of dist/extension.js (issue 10: activation under 100 ms). Each becomes its
 * own bundle, dist/vendor/<name>.js, which Node parses and runs only when the extension first
 * uses the package (the first engine call, the first Dockerfile or profile parsed, the first
 * build). Together they are about 1 MB of the 1.4 MB the extension bundle was: parsing them at
 * start-up was most of the activation time.
 */
export const lazyPackages = ['dockerode', 'yaml', 'dockerfile-ast', 'tar-stream', '@balena/dockerignore', 'ssh2', 'ssh-config'];
export const vendorFile = (pkg) => `vendor/${pkg.replace(/^@/, '').replace('/', '-')}.js`;
const requireHere = createRequire(import.meta.url);

/**
 * Stands in for a lazy package inside dist/extension.js: a Proxy that answers what esbuild's
 * import interop asks at start-up (the export names, `__esModule`) from what this build read
 * off the package, and `require`s dist/vendor/<name>.js on the first real use (reading an
 * export, calling or constructing the default export).
 */
export function lazyStub(pkg) {
  const real = requireHere(pkg);
  const builtins = new Set(['length', 'name', 'prototype', 'arguments', 'caller']);
  const names = Object.getOwnPropertyNames(real).filter((n) => n !== '__esModule' && !builtins.has(n));
  const callable = typeof real === 'function';
  return `let real;
const load = () => (real ??= require(${JSON.stringify(`./${vendorFile(pkg)}`)}));
const names = ${JSON.stringify(names)};
const target = ${callable ? 'function () {}' : '{}'};
const stub = new Proxy(target, {
  get: (t, k) => (k === '__esModule' ? ${Boolean(real.__esModule)} : load()[k]),
  has: (t, k) => names.includes(k) || k in t,
  ownKeys: (t) => [...new Set([...Reflect.ownKeys(t).filter((k) => !Object.getOwnPropertyDescriptor(t, k).configurable), ...names])],
  getOwnPropertyDescriptor: (t, k) => (names.includes(k) ? { configurable: true, enumerable: true, get: () => load()[k] } : Reflect.getOwnPropertyDescriptor(t, k)),
  apply: (t, self, args) => Reflect.apply(load(), self, args),
  construct: (t, args, newTarget) => Reflect.construct(load(), args, newTarget === stub ? load() : newTarget),
});
module.exports = stub;
`;
}

/**
 * The esbuild plugin: `import ... from '<lazy package>'` and `require('<lazy package>')` get the
 * stub; the stub's `require('./vendor/...')` stays a run-time require, relative to the bundle.
 * @returns {import('esbuild').Plugin}
 */
export function lazyVendorPlugin() {
  return {
    name: 'lazy-vendor',
    setup(build) {
      const exact = new RegExp(`^(${lazyPackages.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
      build.onResolve({ filter: exact }, (args) => ({ path: args.path, namespace: 'lazy-vendor' }));
      build.onResolve({ filter: /^\.\/vendor\// }, (args) => ({ path: args.path, external: true }));
      build.onLoad({ filter: /.*/, namespace: 'lazy-vendor' }, (args) => ({ contents: lazyStub(args.path), loader: 'js', resolveDir: process.cwd() }));
    },
  };
}


/**
 * esbuild options for one bundle per lazy package: <outdir>/vendor/<name>.js exports what
 * `require(pkg)` does. ssh2's optional native parts stay external (../shared/environment.md).
 * @param {string} outdir the folder of the bundle that uses the stubs (dist)
 * @param {{production?: boolean}} [o]
 * @returns {import('esbuild').BuildOptions[]}
 */
export function vendorBuilds(outdir, o = {}) {
  return lazyPackages.map((pkg) => ({
    stdin: { contents: `module.exports = require(${JSON.stringify(pkg)});`, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    outfile: join(outdir, vendorFile(pkg)),
    external: ['cpu-features', '*.node'],
    sourcemap: !o.production,
    minify: !!o.production,
    logLevel: 'warning',
  }));
}

/**
 * The editing services (src/core/language/services.ts: dockerfile-language-service,
 * dockerfile-utils, the Compose language service) as one lazily loaded bundle,
 * dist/vendor/language.js, which the editor layer `require`s on the first Dockerfile or compose
 * request. dockerfile-ast and yaml come from their own vendor bundles next to it (not a second
 * copy); the three copies of vscode-languageserver-types/-protocol/-textdocument that npm keeps
 * for the libraries' different pins become one (their APIs used here are the same).
 * @returns {import('esbuild').BuildOptions}
 */
export function languageVendorBuild(outdir, o = {}) {
  const shared = ['dockerfile-ast', 'yaml'];
  return {
    entryPoints: ['src/core/language/services.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    outfile: join(outdir, 'vendor', 'language.js'),
    sourcemap: !o.production,
    minify: !!o.production,
    logLevel: 'warning',
    plugins: [{
      name: 'shared-vendors',
      setup(build) {
        build.onResolve({ filter: new RegExp(`^(${shared.join('|')})$`) }, (args) => ({ path: `./${vendorFile(args.path).slice('vendor/'.length)}`, external: true }));
        // One copy of each LSP support package: resolved from the project root, whoever imports it.
        build.onResolve({ filter: /^vscode-(languageserver-types|languageserver-protocol|languageserver-textdocument|jsonrpc)(\/.*)?$/ }, async (args) => {
          if (args.pluginData === 'root') return undefined;
          const r = await build.resolve(args.path, { resolveDir: process.cwd(), kind: args.kind, pluginData: 'root' });
          return r.errors.length ? undefined : { path: r.path };
        });
      },
    }],
  };
}
