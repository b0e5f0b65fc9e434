/**
 * `npm start`: the softphone against a local backend on loopback.
 *
 * Starts the backend stack, then the desktop app when the Electron binary is installed; where it
 * is not (networks that block its download), says so and serves the same renderer as the web
 * softphone instead, opening it in Chromium when there is a display.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findElectronBinary } from './electron-binary.js';
import { startStack } from '../backend/stack.js';

const root = resolve(import.meta.dirname, '..');
const stateDir = process.env.CLEARLINE_STATE_DIR ?? join(root, '.state', 'local');

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
}

run('npm', ['run', '--silent', 'build', '--', '--logLevel', 'warn']);
const stack = await startStack({ stateDir });
const { endpoints } = stack;
const demo = endpoints.agents.map((a) => `${a.username} / ${a.password}`).join(',  ');

let ui: ChildProcess | undefined;
const electron = findElectronBinary();
if ('path' in electron) {
  run('npm', ['run', '--silent', 'build:electron']);
  ui = spawn(electron.path, [root, `--provisioning-url=${endpoints.controlPlane.url}`], { stdio: 'inherit' });
} else {
  console.warn(`\n[start] The Electron binary is not installed (${electron.missing}).`);
  console.warn('[start] Opening the web softphone instead; native network checks need the desktop app.');
  const url = endpoints.controlPlane.url;
  if (process.env.DISPLAY && existsSync('/usr/bin/chromium')) {
    ui = spawn('/usr/bin/chromium', [`--app=${url}`, '--no-first-run'], { stdio: 'ignore' });
  }
  console.log(`[start] Web softphone: ${url}${ui ? '' : '  (open it in a browser on this machine)'}`);
}
console.log(`[start] Provisioning URL: ${endpoints.controlPlane.url}`);
console.log(`[start] Demo agents: ${demo}`);
console.log(
  `[start] Test numbers: ${Object.entries(endpoints.numbers)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
);
// The token itself stays in the file (0600): a terminal's scrollback is no place for the admin secret.
console.log(`[start] Admin page: ${endpoints.admin.pageUrl}  (sign in with "admin.token" from ${stack.endpointsFile})`);
console.log('[start] Press Ctrl-C to stop.');

let stopping = false;
const shutdown = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  ui?.kill('SIGTERM');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
ui?.on('exit', () => void shutdown());
