import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Where the Electron binary is, or why there is none. The npm package `electron` exports the
 * binary's path; without the binary (its download host unreachable, ELECTRON_SKIP_BINARY_DOWNLOAD)
 * requiring it throws or points at a file that does not exist.
 */
export function findElectronBinary(): { path: string } | { missing: string } {
  let path: unknown;
  try {
    path = createRequire(import.meta.url)('electron');
  } catch {
    // electron's index.js throws (with advice to reinstall) when its postinstall got no binary.
    return { missing: "node_modules/electron has no binary: its download failed or was skipped at install time" };
  }
  if (typeof path !== 'string') return { missing: `require('electron') returned ${typeof path}, not a path` };
  if (!existsSync(path)) return { missing: `the Electron binary ${path} does not exist` };
  return { path };
}
