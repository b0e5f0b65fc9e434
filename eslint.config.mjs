/**
 * ESLint flat config: the process and layer boundaries of DESIGN.md as ONE table, checked on every
 * import by the `clearline/layers` rule (tools/lint/layers-rule.mjs), plus typescript-eslint's
 * recommended rules on product code. test/unit/architecture/layers.test.ts is the rule's unit
 * test: deliberately wrong imports must fail.
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

export default [
  // Tests may import across layers (they drive every process) and are not held to the rules below.
  { ignores: ['**/node_modules/**', 'dist/**', 'build/**', 'test/**', '**/*.mjs', '**/*.d.mts'] },
  ...tseslint.configs.recommended.map((config) => ({ ...config, files: ['**/*.ts', '**/*.tsx'] })),
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaFeatures: { jsx: true } } },
    plugins: { clearline: clearlinePlugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'clearline/layers': ['error', LAYERS],
      // tsc reports unused locals and parameters already (noUnusedLocals/Parameters), and it
      // rightly allows a rest sibling that drops a field (`const { token: _token, ...rest } = x`).
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
];
