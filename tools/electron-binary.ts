import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Where the Electron binary is, or why there is none. Since Electron 42 the npm package has no
 * postinstall: `require('electron')` downloads the binary on first use (from GitHub, synchronously).
 * `npm start` wants that (`download: true`); tests must not reach the internet, so they pass
 * `download: false` and only look at what is already installed (`dist/` + `path.txt`, the same
 * files electron's index.js reads).
 */
export function findElectronBinary(options: { download: boolean } = { download: true }): { path: string } | { missing: string } {
  const require = createRequire(import.meta.url);
  if (!options.download) {
    let packageDir: string;
    try {
      packageDir = dirname(require.resolve('electron/package.json'));
    } catch {
      return { missing: 'the npm package electron is not installed (npm ci)' };
    }
    const pathFile = join(packageDir, 'path.txt');
    if (!existsSync(pathFile)) return { missing: 'node_modules/electron has no binary yet (fetch it with `npx install-electron --no`)' };
    const path = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(path) ? { path } : { missing: `the Electron binary ${path} does not exist` };
  }
  let path: unknown;
  try {
    path = require('electron');
  } catch {
    // electron's index.js throws (with advice to reinstall) when it could not download the binary.
    return { missing: 'node_modules/electron has no binary: its download failed (run `npx install-electron --no`)' };
  }
  if (typeof path !== 'string') return { missing: `require('electron') returned ${typeof path}, not a path` };
  if (!existsSync(path)) return { missing: `the Electron binary ${path} does not exist` };
  return { path };
}
