// The run-profile validator, generated from schemas/mllab-profiles.schema.json at build time with
// ajv's standalone code generation: the JSON Schema stays the one description of the profile file
// (the editor's completion reads it too), and the extension ships only the generated checks, not
// ajv's compiler (about 124 kB minified, 38 kB compressed; this bundle is about 10 kB compressed). Used by
// scripts/build.mjs; the mapping of its errors to YAML positions is src/core/run/profileSchema.ts.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const requireHere = createRequire(import.meta.url);

/** Where the schema is, relative to the project root. */
export const PROFILE_SCHEMA = 'schemas/mllab-profiles.schema.json';
/** The import the core code writes (src/core/run/profileSchema.ts), relative to src/core/run. */
export const PROFILE_VALIDATOR_IMPORT = './generated/profileValidator';
/** The lazily loaded bundle, relative to dist. */
export const PROFILE_VALIDATOR_VENDOR = 'vendor/profile-validator.js';

/**
 * Keywords of VS Code's JSON Schema dialect the schema uses for the editor and for our messages
 * (markdownDescription for hovers, patternErrorMessage and errorMessage for the message shown
 * when a value fails): ajv checks nothing for them, and its strict mode still rejects any other
 * unknown keyword (a typo such as "patern").
 */
const EDITOR_KEYWORDS = ['markdownDescription', 'patternErrorMessage', 'errorMessage'];

/** The standalone code per project root: generated once per build, written twice (dist, out). */
const generated = {};

function generate(root) {
  const Ajv = requireHere('ajv').default;
  const standalone = requireHere('ajv/dist/standalone').default;
  const schema = JSON.parse(readFileSync(join(root, PROFILE_SCHEMA), 'utf8'));
  const ajv = new Ajv({ allErrors: true, messages: false, strictTypes: false, code: { source: true, optimize: true } });
  ajv.addVocabulary(EDITOR_KEYWORDS);
  return standalone(ajv, ajv.compile(schema));
}

/**
 * CommonJS source exporting `validate` (ajv's standalone validator, all errors collected, without
 * ajv's English messages: src/core/run/profileSchema.ts words them) and `schema`, read on first
 * use from the schema file the .vsix ships anyway (schemas/), not a second copy in the bundle.
 * @param {string} schemaFromBundle the schema file's path relative to the folder the generated
 *   file is written to
 * @param {string} root the project root
 * @returns {string}
 */
export function profileValidatorSource(schemaFromBundle, root = process.cwd()) {
  const code = (generated[root] ??= generate(root));
  return `${code}
module.exports.validate = validate10;
let schemaRead;
Object.defineProperty(module.exports, 'schema', {
  enumerable: true,
  get: () => (schemaRead ??= JSON.parse(require('node:fs').readFileSync(require('node:path').join(__dirname, ${JSON.stringify(schemaFromBundle)}), 'utf8'))),
});
`;
}

/**
 * esbuild options for the generated validator as one bundle (ajv's small run-time helpers
 * included), at `outfile`.
 * @param {string} outfile
 * @param {{production?: boolean, root?: string}} [o] root: the project root (default: the working directory)
 * @returns {import('esbuild').BuildOptions}
 */
export function profileValidatorBuild(outfile, o = {}) {
  const root = o.root ?? process.cwd();
  const schemaFromBundle = relative(dirname(resolve(outfile)), resolve(root, PROFILE_SCHEMA));
  return {
    stdin: { contents: profileValidatorSource(schemaFromBundle, root), resolveDir: root, loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    outfile,
    minify: !!o.production,
    logLevel: 'warning',
  };
}

/**
 * For dist/extension.js and the CLI bundles: the core's `import ... from './generated/profileValidator'`
 * becomes a stub that `require`s the vendor bundle when a profile is first validated (not at
 * activation).
 * @param {string} vendorDir the vendor folder as the bundle sees it ('./vendor/' or '../vendor/')
 * @returns {import('esbuild').Plugin}
 */
export function profileValidatorPlugin(vendorDir = './vendor/') {
  const file = `${vendorDir}${PROFILE_VALIDATOR_VENDOR.slice('vendor/'.length)}`;
  return {
    name: 'profile-validator',
    setup(build) {
      build.onResolve({ filter: /[\\/]generated[\\/]profileValidator$/ }, (args) => ({ path: args.path, namespace: 'profile-validator' }));
      build.onLoad({ filter: /.*/, namespace: 'profile-validator' }, () => ({
        contents: `let real;
const load = () => (real ??= require(${JSON.stringify(file)}));
module.exports = { get validate() { return load().validate; }, get schema() { return load().schema; } };
`,
        loader: 'js',
      }));
      build.onResolve({ filter: /profile-validator\.js$/ }, (args) => (args.namespace === 'profile-validator' ? { path: args.path, external: true } : undefined));
    },
  };
}
