import type { ChildProcess } from 'node:child_process';

/**
 * Resolves when `child` has printed a line matching `pattern` (stdout or stderr); rejects with the
 * output's tail when it exits first or `timeoutMs` passes, so a component that never got ready says why.
 */
export function waitForLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} not ready within ${timeoutMs} ms:\n${seen.slice(-3000)}`)), timeoutMs);
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code ?? signal}) before it was ready:\n${seen.slice(-3000)}`));
    });
  });
}
