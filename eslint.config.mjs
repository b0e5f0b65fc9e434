/**
 * ESLint flat config: the process and layer boundaries of DESIGN.md as ONE table, checked on every
 * import of product code by the `clearline/layers` rule (tools/lint/layers-rule.mjs), and
 * typescript-eslint's recommended rules on product code and tests alike; tests also get the
 * type-aware promise rules (TEST_RULES). test/unit/architecture/layers.test.ts is the config's
 * unit test: deliberately wrong imports, and a test that forgets to await, must fail.
 */
import { clearlinePlugin, tseslint } from './tools/lint/index.mjs';

const ours = ['common', 'main', 'backend', 'renderer', 'preload', 'tools', 'test'];
const except = (...dirs) => ours.filter((dir) => !dirs.includes(dir));

const LAYERS = {
  layers: [
    {
      dir: 'common',
      unless: ['common/node'],
      forbid: [
        { dirs: except('common'), why: 'common is shared by every process, so it imports nothing of ours outside common' },
        {
          dirs: ['common/node'],
          nodeBuiltins: true,
          onlyPackages: ['zod'],
          why: 'common outside common/node runs in every process, the renderer too: pure TypeScript and zod only',
        },
      ],
    },
    {
      dir: 'common/node',
      forbid: [
        { dirs: except('common'), why: 'common/node is shared by main and the backend, so it imports nothing of ours outside common' },
      ],
    },
    {
      dir: 'main',
      forbid: [
        {
          dirs: except('main', 'common'),
          why: 'main reaches the backend over HTTP and the renderer over IPC; what they share is in common',
        },
      ],
    },
    {
      dir: 'main/diagnostics',
      forbid: [
        { packages: ['electron'], why: 'diagnostics run in plain Node (CLI, netns tests); Electron facts arrive as injected probes' },
      ],
    },
    {
      dir: 'backend',
      forbid: [
        { dirs: except('backend', 'common'), why: 'the backend serves clients, it does not contain them; what they share is in common' },
      ],
    },
    {
      dir: 'renderer',
      forbid: [
        {
          dirs: [...except('renderer', 'common'), 'common/node'],
          nodeBuiltins: true,
          packages: ['electron'],
          why: 'the renderer reaches the host only through the preload API (HostApi)',
        },
      ],
    },
    {
      dir: 'renderer/calling',
      forbid: [{ packages: ['react', 'react-dom'], why: 'the calling core is UI-free so it can be driven and tested without React' }],
    },
    {
      dir: 'renderer/components',
      forbid: [{ dirs: ['renderer/host'], why: 'React components see state and the HostApi they are given, never a host implementation' }],
    },
    {
      dir: 'preload',
      forbid: [
        {
          dirs: [...except('preload', 'common'), 'common/node'],
          nodeBuiltins: true,
          onlyPackages: ['electron'],
          why: 'the sandboxed preload can load electron and its own bundle only',
        },
      ],
    },
  ],
  exempt: [{ file: 'renderer/vite.config.ts', why: 'build tooling Vite runs in Node, not part of the renderer' }],
};

/**
 * Tests drive every process, so the layer table is not theirs; what goes wrong in a test is a
 * promise nobody awaits: `assert.rejects(…)` or a `t.test(…)` left floating passes whatever
 * happens. Those rules need types (the project service over tsconfig.json, which includes test/),
 * and node:test's own `test`/`describe`/`it` at the top of a file are meant to float. Not
 * no-misused-promises: it alone took 6 of the tests' lint seconds and found nothing.
 */
const TEST_RULES = {
  '@typescript-eslint/no-floating-promises': [
    'error',
    {
      allowForKnownSafeCalls: [
        { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
      ],
    },
  ],
  '@typescript-eslint/await-thenable': 'error',
  // A test reads page globals (window.clearline in Chromium), raw JSON and fakes' internals whose
  // shape the assertions themselves check; typing each `any` away would add code, not safety.
  '@typescript-eslint/no-explicit-any': 'off',
};

export default [
  { ignores: ['**/node_modules/**', 'dist/**', 'build/**', '**/*.mjs', '**/*.d.mts'] },
  ...tseslint.configs.recommended.map((config) => ({ ...config, files: ['**/*.ts', '**/*.tsx'] })),
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaFeatures: { jsx: true } } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // tsc reports unused locals and parameters already (noUnusedLocals/Parameters), and it
      // rightly allows a rest sibling that drops a field (`const { token: _token, ...rest } = x`).
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['test/**'],
    plugins: { clearline: clearlinePlugin },
    rules: { 'clearline/layers': ['error', LAYERS] },
  },
  {
    files: ['test/**/*.ts', 'test/**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: TEST_RULES,
  },
];
