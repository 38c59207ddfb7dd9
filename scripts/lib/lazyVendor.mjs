// Keeps heavy packages out of the extension's main bundle and loads each on first use
// (activation under 100 ms). Used by scripts/build.mjs; tested in
// test/unit/build/lazyVendor.test.ts.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Packages kept out of dist/extension.js (activation under 100 ms). Each becomes its
 * own bundle, dist/vendor/<name>.js, which Node parses and runs only when the extension first
 * uses the package (the first engine call, the first Dockerfile or profile parsed, the first
 * build). Together they are about 1 MB of the 1.4 MB the extension bundle was: parsing them at
 * start-up was most of the activation time.
 */
// The run-profile validator is a lazily loaded bundle too, dist/vendor/profile-validator.js, but
// generated from the JSON Schema at build time rather than taken from a package: see
// ./profileValidator.mjs.
export const lazyPackages = ['dockerode', 'yaml', 'dockerfile-ast', 'tar-stream', 'tar/unpack', 'protobufjs/minimal', '@balena/dockerignore', 'ssh2', 'ssh-config'];
export const vendorFile = (pkg) => `vendor/${pkg.replace(/^@/, '').replace('/', '-')}.js`;
const requireHere = createRequire(import.meta.url);

/**
 * Stands in for a lazy package inside dist/extension.js: a Proxy that answers what esbuild's
 * import interop asks at start-up (the export names, `__esModule`) from what this build read
 * off the package, and `require`s dist/vendor/<name>.js on the first real use (reading an
 * export, calling or constructing the default export).
 */
export function lazyStub(pkg, vendorDir = './vendor/') {
  const real = requireHere(pkg);
  const builtins = new Set(['length', 'name', 'prototype', 'arguments', 'caller']);
  const names = Object.getOwnPropertyNames(real).filter((n) => n !== '__esModule' && !builtins.has(n));
  const callable = typeof real === 'function';
  return `let real;
const load = () => (real ??= require(${JSON.stringify(`${vendorDir}${vendorFile(pkg).slice('vendor/'.length)}`)}));
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
 * stub; the stub's `require('<vendorDir>...')` stays a run-time require, relative to the bundle.
 * @param {string} [vendorDir] the vendor folder as the bundle sees it: './vendor/' for
 *   dist/extension.js, '../vendor/' for dist/cli/mllab-lint.js (which shares dist/vendor)
 * @returns {import('esbuild').Plugin}
 */
export function lazyVendorPlugin(vendorDir = './vendor/') {
  const prefix = vendorDir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return {
    name: 'lazy-vendor',
    setup(build) {
      const exact = new RegExp(`^(${lazyPackages.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
      build.onResolve({ filter: exact }, (args) => ({ path: args.path, namespace: 'lazy-vendor' }));
      build.onResolve({ filter: new RegExp(`^${prefix}`) }, (args) => ({ path: args.path, external: true }));
      build.onLoad({ filter: /.*/, namespace: 'lazy-vendor' }, (args) => ({ contents: lazyStub(args.path, vendorDir), loader: 'js', resolveDir: process.cwd() }));
    },
  };
}

/**
 * dockerode modules the extension never runs, replaced by a function that throws if it ever does:
 * lib/session.js (a gRPC auth server for dockerode's own BuildKit builds, @grpc/grpc-js and
 * @grpc/proto-loader) and lib/buildkit.js (protobufjs, for `Docker#followProgress`). The
 * extension posts BuildKit builds itself without a session (src/engine/build.ts) and decodes their
 * trace with protobufjs static code of its own (src/core/build/buildkitTrace.ts). Together they were about 400 kB
 * of dist/vendor/dockerode.js and most of the time `require('dockerode')` took.
 */
export const unusedDockerodeModules = ['./session', './buildkit'];

/**
 * ssh2 modules the extension never runs, replaced by stubs that throw if they ever do: the SSH
 * server (lib/server.js), key generation (lib/keygen.js) and the SFTP client and server
 * (lib/protocol/SFTP.js). The extension is an SSH client only: it opens exec channels for
 * `docker system dial-stdio` and direct-tcpip forwards (src/engine/ssh.ts), never SFTP. Together
 * they are about 170 kB of ssh2's 600 kB of source (28 kB of the .vsix).
 */
export const unusedSsh2Modules = ['./server.js', './keygen.js', './protocol/SFTP.js'];
const ssh2Stubs = {
  './server.js': 'module.exports = fail;',
  './keygen.js': 'module.exports = { generateKeyPair: fail, generateKeyPairSync: fail };',
  './protocol/SFTP.js': 'module.exports = { SFTP: function SFTP() { fail(); }, flagsToString: fail, stringToFlags: fail, OPEN_MODE: {}, STATUS_CODE: {} };',
};

/**
 * For the vendor bundles: (1) a lazy package required from inside another one (ssh2 from
 * docker-modem) is not bundled twice but required from its own vendor file, when both resolve to
 * the same copy on disk; (2) docker-modem's SSH transport (`./ssh`, which requires ssh2 as it
 * loads) is loaded when first used, not with dockerode (the extension uses its own SSH agent,
 * src/engine/ssh.ts); (3) {@link unusedDockerodeModules} and {@link unusedSsh2Modules} become stubs.
 * @param {string} self the package this vendor bundle is for
 * @returns {import('esbuild').Plugin}
 */
function shareVendorsPlugin(self) {
  const others = lazyPackages.filter((p) => p !== self);
  const exact = new RegExp(`^(${others.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
  return {
    name: 'share-vendors',
    setup(build) {
      build.onResolve({ filter: exact }, (args) => {
        if (!args.importer) return undefined;
        let fromImporter, fromRoot;
        try {
          fromImporter = createRequire(args.importer).resolve(args.path);
          fromRoot = requireHere.resolve(args.path);
        } catch {
          return undefined;
        }
        // another version nested under the importer: bundle that one
        if (fromImporter !== fromRoot) return undefined;
        return { path: args.path, namespace: 'shared-vendor' };
      });
      build.onLoad({ filter: /.*/, namespace: 'shared-vendor' }, (args) => ({ contents: lazyStub(args.path, './'), loader: 'js', resolveDir: process.cwd() }));
      build.onResolve({ filter: /^\.\/[a-z0-9-]+\.js$/ }, (args) => (args.namespace === 'shared-vendor' ? { path: args.path, external: true } : undefined));
      build.onResolve({ filter: /^\.\/ssh$/ }, (args) =>
        /docker-modem[\\/]lib[\\/]modem\.js$/.test(args.importer) ? { path: join(dirname(args.importer), 'ssh.js'), namespace: 'deferred' } : undefined);
      build.onLoad({ filter: /.*/, namespace: 'deferred' }, (args) => ({
        // esbuild runs a bundled CommonJS module when it is first required: inside the function, that is the first call
        contents: `module.exports = function () { return require(${JSON.stringify(args.path)}).apply(this, arguments); };`,
        loader: 'js',
        resolveDir: dirname(args.path),
      }));
      build.onResolve({ filter: /^\.\/(session|buildkit)$/ }, (args) =>
        /dockerode[\\/]lib[\\/]docker\.js$/.test(args.importer) && unusedDockerodeModules.includes(args.path) ? { path: args.path, namespace: 'unused-dockerode' } : undefined);
      build.onResolve({ filter: /^\.\/(server|keygen|protocol\/SFTP)\.js$/ }, (args) =>
        /ssh2[\\/]lib[\\/](index|client|utils)\.js$/.test(args.importer) && unusedSsh2Modules.includes(args.path) ? { path: args.path, namespace: 'unused-ssh2' } : undefined);
      build.onLoad({ filter: /.*/, namespace: 'unused-ssh2' }, (args) => ({
        contents: `const fail = () => { throw new Error(${JSON.stringify(`ssh2's lib/${args.path.slice(2)} is not bundled (scripts/lib/lazyVendor.mjs): the extension is an SSH client without SFTP`)}); };
${ssh2Stubs[args.path]}`,
        loader: 'js',
      }));
      build.onLoad({ filter: /.*/, namespace: 'unused-dockerode' }, (args) => ({
        contents: `const fail = () => { throw new Error(${JSON.stringify(`dockerode's lib/${args.path.slice(2)}.js is not bundled (scripts/lib/lazyVendor.mjs): the extension builds with BuildKit through its own calls`)}); };
module.exports = Object.assign(fail, { followProgress: fail });`,
        loader: 'js',
      }));
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
    plugins: [shareVendorsPlugin(pkg)],
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
