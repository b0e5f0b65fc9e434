import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * Builds the renderer into dist/renderer. `base: './'` makes every asset URL relative, so the same
 * build works under Electron's app://clearline/ and under the control plane's "/".
 */

const rendererDir = fileURLToPath(new URL('.', import.meta.url));
const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  root: rendererDir,
  base: './',
  define: { __CLEARLINE_VERSION__: JSON.stringify(packageJson.version) },
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // No inline <script>/data: modules: the CSP forbids them (script-src 'self').
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
    target: 'chrome120',
    // One ~600 kB chunk (React + SIP.js + zod) loaded from disk or the same origin: splitting it
    // would add requests without making the softphone usable any sooner.
    chunkSizeWarningLimit: 800,
  },
});
