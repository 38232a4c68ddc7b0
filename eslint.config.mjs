// Lint, including the layering of the code by runtime (docs/BACKGROUND.md):
//   shared → engine → shells (Electron main, headless station, command-line tools); renderer → shared only.
// The engine never imports electron; the renderer never imports Node; the
// engine's rooms (its folders) do not loop (eslint/engine-rooms.mjs); what
// measures (src/tools: benchmarks, load generators, simulators) never ships,
// so nothing that ships imports it. A violation fails `npm run lint`, and so
// the test command (test/lint/layering.test.ts shows each).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { noRoomCycle } from './eslint/engine-rooms.mjs';

const NODE_BUILTINS = [...builtinModules.filter((m) => !m.startsWith('_')), 'node:*'];
const NODE_ONLY_PACKAGES = ['onnxruntime-node', 'sharp', 'better-sqlite3', 'serialport', '@serialport/*', 'ws', 'pg', 'sirv', 'env-paths'];

const noElectron = {
  group: ['electron', 'electron/*'],
  message:
    'The engine and shared code never import electron: they run in plain Node (and the engine in the headless station). Put Electron code in src/main or src/preload.',
};
const noNode = {
  group: [...NODE_BUILTINS, ...NODE_ONLY_PACKAGES],
  message: 'The renderer (and shared code) never imports Node or native packages: it runs in a sandboxed page. Ask the engine through the typed API instead.',
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'datasets/**', 'resources/**', 'models/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs'] })] },
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Which room may use which: resolved paths, so "../../station/cli" is caught wherever it is written.
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './src/engine', from: './src/main', message: 'The engine does not reach into the Electron shell.' },
            {
              target: './src/engine',
              from: ['./src/station', './src/cli', './src/renderer', './src/preload'],
              message: 'The engine does not depend on a shell or the UI.',
            },
            {
              target: ['./src/engine', './src/main', './src/station', './src/cli', './src/preload', './src/renderer', './src/shared'],
              from: './src/tools',
              message: 'src/tools measures and simulates; it never ships, so nothing that ships imports it (move what both need into the engine).',
            },
            {
              target: './src/shared',
              from: ['./src/engine', './src/main', './src/station', './src/cli', './src/renderer', './src/preload'],
              message: 'src/shared depends on nothing of ours.',
            },
            {
              target: './src/renderer',
              from: ['./src/engine', './src/main', './src/station', './src/cli', './src/preload'],
              message: 'The renderer sees only src/shared and the API the preload exposes.',
            },
            {
              target: './src/preload',
              from: ['./src/engine', './src/main', './src/station', './src/cli', './src/renderer'],
              message: 'The preload sees only src/shared.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    plugins: { linesight: { rules: { 'engine-rooms': noRoomCycle('src/engine') } } },
    rules: { 'no-restricted-imports': ['error', { patterns: [noElectron] }], 'linesight/engine-rooms': 'error' },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noElectron, noNode] }] },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: { ...reactHooks.configs.recommended.rules, 'no-restricted-imports': ['error', { patterns: [noNode] }] },
  },
);
