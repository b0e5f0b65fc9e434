/** Runs SIPp (Debian `sip-tester`) once, bounded, and returns its exit code and output. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIPP_PORTS } from './carrier-process.js';

export const SCENARIO_DIR = join(import.meta.dirname, 'sipp');
export const sippInstalled = (): boolean => spawnSync('sipp', ['-v']).status !== null;

export interface SippResult {
  readonly code: number | null;
  /** SIPp's own error log (unexpected messages), for assertion messages. */
  readonly errors: string;
}

/** `args` come after the common ones (local address/ports, one call, timeouts, no stdin). */
export function runSipp(args: string[], timeoutMs = 15_000): Promise<SippResult> {
  const cwd = mkdtempSync(join(tmpdir(), 'carrier-sipp-'));
  const child = spawn(
    'sipp',
    [
      '-i',
      '127.0.0.1',
      '-p',
      String(SIPP_PORTS.sip),
      '-mp',
      String(SIPP_PORTS.media),
      '-m',
      '1',
      '-nostdin',
      '-timeout',
      `${Math.floor(timeoutMs / 1000) - 1}s`,
      '-timeout_error',
      '-trace_err',
      ...args,
    ],
    { cwd, stdio: 'ignore' },
  );
  const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(kill);
      const errors = readdirSync(cwd)
        .filter((f) => f.endsWith('_errors.log'))
        .map((f) => readFileSync(join(cwd, f), 'utf8'))
        .join('\n');
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code, errors });
    });
  });
}
