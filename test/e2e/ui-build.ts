import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Builds the renderer exactly as `npm run build` does and returns dist/renderer. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RENDERER_DIST = join(REPO_ROOT, 'dist', 'renderer');
export const SCREENSHOTS = join(REPO_ROOT, 'dist', 'screenshots');

export function buildRenderer(): string {
  const vite = join(REPO_ROOT, 'node_modules/vite/bin/vite.js');
  const build = spawnSync(process.execPath, [vite, 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (build.status !== 0) throw new Error(`renderer build failed (status ${build.status}):\n${build.stdout}\n${build.stderr}`);
  if (!existsSync(join(RENDERER_DIST, 'index.html'))) throw new Error(`the build did not produce ${RENDERER_DIST}/index.html`);
  return RENDERER_DIST;
}
