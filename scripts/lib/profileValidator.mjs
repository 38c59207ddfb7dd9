// The run-profile validator, generated from schemas/mllab-profiles.schema.json at build time with
// ajv's standalone code generation: the JSON Schema stays the one description of the profile file
// (the editor's completion reads it too), and the extension ships only the generated checks, not
// ajv's compiler (about 124 kB minified; this bundle is about a sixth of that). Used by
// scripts/build.mjs; the mapping of its errors to YAML positions is src/core/run/profileSchema.ts.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

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

/**
 * CommonJS source exporting `validate` (ajv's standalone validator, all errors collected) and
 * `schema` (the schema without markdownDescription, which the messages do not use).
 * @param {string} root the project root
 * @returns {string}
 */
export function profileValidatorSource(root = process.cwd()) {
  const Ajv = requireHere('ajv').default;
  const standalone = requireHere('ajv/dist/standalone').default;
  const schema = JSON.parse(readFileSync(join(root, PROFILE_SCHEMA), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strictTypes: false, code: { source: true, optimize: true } });
  ajv.addVocabulary(EDITOR_KEYWORDS);
  const code = standalone(ajv, ajv.compile(schema));
  const slim = JSON.stringify(schema, (k, v) => (k === 'markdownDescription' ? undefined : v));
  return `${code}\nmodule.exports.validate = validate10;\nmodule.exports.schema = ${slim};\n`;
}

/**
 * esbuild options for the generated validator as one bundle (ajv's small run-time helpers
 * included), at `outfile`.
 * @param {string} outfile
 * @param {{production?: boolean, source?: string}} [o]
 * @returns {import('esbuild').BuildOptions}
 */
export function profileValidatorBuild(outfile, o = {}) {
  return {
    stdin: { contents: o.source ?? profileValidatorSource(), resolveDir: process.cwd(), loader: 'js' },
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
