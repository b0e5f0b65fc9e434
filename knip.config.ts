/**
 * knip: unused files, unused exports and dependencies used but not declared (or declared but not
 * used), run by `npm run lint`. Entry points are every way our code is started; the npm scripts
 * in package.json (backend/cli.ts, main/diagnostics/cli.ts, test/with-reserved-ports.mjs, …) and
 * the renderer's Vite build (renderer/vite.config.ts → index.html → main.tsx) are found by knip
 * itself and so are not repeated here.
 */
import type { KnipConfig } from 'knip';

const config: KnipConfig = {
  // The root package; the npm workspace tools/lint is found from package.json "workspaces".
  workspaces: {
    '.': {
      entry: [
        // Spawned as processes by path: backend/stack.ts and backend/stack-files.ts name them.
        'backend/control-plane/main.ts',
        'backend/carrier/main.ts',
        'backend/reflector/main.ts',
        // Bundled by path for the browser: backend/control-plane/admin-page.ts serves it.
        'backend/control-plane/admin-page/client.ts',
        // Loaded by Electron (package.json "main" is the bundle built from it) and bundled as the preload.
        'main/index.ts',
        'preload/index.ts',
        'tools/*.ts',
        'build/*.{mjs,d.mts}',
        'eslint.config.mjs',
        'test/**/*.test.{ts,tsx}',
        'test/run.mjs',
        // Loaded by path: bench modules by test/bench/index.ts, netns helpers by
        // test/integration/diagnostics/topology.ts, the .cjs fake and scanner by the unit tests that spawn them.
        'test/bench/*.bench.ts',
        'test/integration/diagnostics/{hold-tun,provisioning-server}.ts',
        'test/unit/main/{fakes,support}/*.cjs',
      ],
      project: ['{common,backend,main,preload,renderer,tools,build,test}/**', '*.{ts,mjs}'],
    },
  },
  // An export its own file uses is part of that file's shape (a limit, a schema, a default);
  // what knip must catch is an export nothing uses at all.
  ignoreExportsUsedInFile: true,
  ignoreDependencies: [
    // The release packager: run against electron-builder.yml at release time, not from our code.
    'electron-builder',
    // electron-builder's own modules: test/unit/main/packaging.test.ts validates
    // electron-builder.yml with exactly the copies electron-builder uses, so they are not
    // declared separately (a declared copy could drift from electron-builder's).
    'js-yaml',
    'app-builder-lib',
    'builder-util',
    // Not imported: test/e2e/axe.ts reads axe.min.js by path and injects it into the page.
    'axe-core',
  ],
  // System tools from the Debian packages build/setup/ensure-deps.sh installs, not npm binaries.
  ignoreBinaries: ['ip', 'flock', 'mount', 'umount', 'runuser', 'sipp', 'sox', 'kamailio', 'pulseaudio', 'pactl', 'parec'],
};

export default config;
