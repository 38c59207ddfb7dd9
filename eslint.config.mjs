// Lint: typescript-eslint with type information, so no-floating-promises can see promises.
// Architecture is enforced here: src/core and src/engine never import 'vscode';
// only src/engine imports dockerode; inside src/ui a room imports only the rooms below it
// (scripts/lib/layers.mjs has the ranks, docs/architecture.md says what each room holds).
import tseslint from 'typescript-eslint';
import { uiLayersRule } from './scripts/lib/layers.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test/fixtures/**', '.cache/**', '.vscode-test/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's describe/it return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [{ name: 'dockerode', message: 'Only src/engine talks to dockerode.' }] }],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/engine never imports vscode.' }] }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'vscode', message: 'src/core is plain Node: never import vscode.' },
          { name: 'dockerode', message: 'Only src/engine talks to dockerode.' },
        ],
      }],
    },
  },
  {
    files: ['src/ui/**/*.ts'],
    plugins: { mllab: { rules: { 'ui-layers': uiLayersRule } } },
    rules: { 'mllab/ui-layers': 'error' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
