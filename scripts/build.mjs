// Bundles the extension with esbuild, and transpiles the tests (no bundling) into out/.
//   node scripts/build.mjs               development bundle with sourcemaps + tests
//   node scripts/build.mjs --production  minified bundle for the .vsix, no tests
//   node scripts/build.mjs --watch       rebuild the bundle on change
// ssh2 (a dockerode dependency) optionally requires the native `cpu-features` module and
// `.node` files: they stay external and ssh2 falls back to plain JS (../shared/environment.md).
import * as esbuild from 'esbuild';
import { readdirSync, statSync, rmSync, existsSync, chmodSync, mkdirSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { languageVendorBuild, lazyVendorPlugin, vendorBuilds } from './lib/lazyVendor.mjs';
import { buildSharedBundles } from './lib/sharedBundle.mjs';
import { PROFILE_VALIDATOR_VENDOR, profileValidatorBuild, profileValidatorPlugin } from './lib/profileValidator.mjs';
import { writeStatusResponseDecoder } from './lib/buildkitProto.mjs';

/** The rule pages joined into one file in dist/ (read by src/ui/language/rulePages.ts). */
const RULE_PAGES_FILE = 'rules.md';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

// BuildKit's trace messages, described from its .proto files (before anything is bundled or transpiled).
await writeStatusResponseDecoder();

/**
 * dist/extension.js and dist/features.js (commands, providers, editing help: loaded on first use),
 * sharing their modules (scripts/lib/sharedBundle.mjs).
 * @type {esbuild.BuildOptions}
 */
const extension = {
  entryPoints: { extension: 'src/extension.ts' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  outdir: 'dist',
  external: ['vscode', 'cpu-features', '*.node'],
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  plugins: [lazyVendorPlugin(), profileValidatorPlugin()],
};

const vendors = [
  ...vendorBuilds('dist', { production }),
  languageVendorBuild('dist', { production }),
  profileValidatorBuild(join('dist', PROFILE_VALIDATOR_VENDOR), { production }),
];

function tsFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'fixtures' || name === 'node_modules') continue;
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/**
 * The command-line tools (`mllab-lint`, `mllab-metrics`, package.json `bin`): their own bundles
 * with a shebang. They require the same dist/vendor files as the extension (dockerfile-ast, yaml)
 * instead of a second copy of each.
 */
const cli = {
  ...extension,
  entryPoints: { 'cli/mllab-lint': 'src/cli/lint.ts', 'cli/mllab-metrics': 'src/cli/metrics.ts' },
  external: ['cpu-features', '*.node'],
  plugins: [lazyVendorPlugin('../vendor/'), profileValidatorPlugin('../vendor/')],
  banner: { js: '#!/usr/bin/env node' },
};

if (watch) {
  await Promise.all(vendors.map((o) => esbuild.build(o)));
  // the split needs both passes of buildSharedBundles: rebuild both on every change
  const { watch: fsWatch } = await import('node:fs');
  let pending;
  const rebuild = () => buildSharedBundles(extension, 'dist').then(() => console.log('[watch] rebuilt dist/extension.js and dist/features.js'), (err) => console.error(err.message));
  await rebuild();
  fsWatch('src', { recursive: true }, () => {
    clearTimeout(pending);
    pending = setTimeout(rebuild, 100);
  });
} else {
  rmSync('dist', { recursive: true, force: true });
  await Promise.all([buildSharedBundles(extension, 'dist'), ...[cli, ...vendors].map((o) => esbuild.build(o))]);
  chmodSync('dist/cli/mllab-lint.js', 0o755);
  chmodSync('dist/cli/mllab-metrics.js', 0o755);
  // uPlot runs only in the Training Run webview (never in the extension host): shipped as its own files
  mkdirSync('dist/webview', { recursive: true });
  for (const f of ['uPlot.iife.min.js', 'uPlot.min.css']) copyFileSync(join('node_modules', 'uplot', 'dist', f), join('dist', 'webview', f));
  // The rule pages as one file for the .vsix (31 small files cost about 7 kB more zipped than
  // one): diagnostics link to its `# MLxxx` heading by line (src/ui/language/rulePages.ts).
  const rulePages = readdirSync('docs/rules').filter((f) => /^ML\d{3}\.md$/.test(f)).sort();
  writeFileSync(join('dist', RULE_PAGES_FILE), rulePages.map((f) => readFileSync(join('docs', 'rules', f), 'utf8').trimEnd()).join('\n\n---\n\n') + '\n');
  // the panel's own script and style, minified for the .vsix like the bundles (plain browser
  // script: esbuild keeps its top-level names when it neither bundles nor wraps it)
  await esbuild.build({ entryPoints: ['media/webview/runPanel.js', 'media/webview/runPanel.css'], outdir: 'dist/webview', minify: production, logLevel: 'warning' });
  if (!production) {
    rmSync('out', { recursive: true, force: true });
    await esbuild.build({
      entryPoints: [...tsFiles('src'), ...tsFiles('test'), ...(existsSync('bench') ? tsFiles('bench') : [])],
      outdir: 'out',
      outbase: '.',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      logLevel: 'warning',
    });
    // the transpiled core requires the generated validator next to it (src/core/run/generated/*.d.ts declares it)
    await esbuild.build(profileValidatorBuild('out/src/core/run/generated/profileValidator.js'));
  }
}
