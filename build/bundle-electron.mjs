#!/usr/bin/env node
// Bundles the Electron main process (ESM, dist/main/index.js) and the preload (CommonJS,
// dist/preload/index.cjs: sandboxed preloads cannot load ES modules or node_modules, so what it
// imports is inlined: the contract's channel names, not its zod schemas). npm dependencies of main
// stay external (shipped in node_modules).
// Usage: node build/bundle-electron.mjs [outDir]     (default: dist)
import { build } from 'esbuild';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');

/** Electron 41 ships Node 24 / Chromium 146. */
const NODE_TARGET = 'node22';

export async function bundleElectron(outDir = join(root, 'dist')) {
  const [, preloadBuild] = await Promise.all([
    build({
      entryPoints: [join(root, 'main', 'index.ts')],
      outfile: join(outDir, 'main', 'index.js'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: NODE_TARGET,
      packages: 'external',
      sourcemap: true,
      logLevel: 'warning',
    }),
    build({
      entryPoints: [join(root, 'preload', 'index.ts')],
      outfile: join(outDir, 'preload', 'index.cjs'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: NODE_TARGET,
      external: ['electron'],
      minify: true,
      metafile: true,
      logLevel: 'warning',
    }),
  ]);
  return {
    main: join(outDir, 'main', 'index.js'),
    preload: join(outDir, 'preload', 'index.cjs'),
    /** The source files inlined into the preload, relative to the repository root. */
    preloadInputs: Object.keys(preloadBuild.metafile.inputs),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await bundleElectron(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`built ${out.main} and ${out.preload}`);
}
