/**
 * A requested restart (what `stack.restart('kamailio')` does): the child is stopped with SIGTERM
 * (so it can save its state), started again at once, and its exit is not reported as a crash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from '../../../../backend/supervisor/supervisor.js';

test('restartOnRequest: SIGTERM, a new process ready again, no crash restart; an unknown name is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clearline-supervisor-'));
  const lines: string[] = [];
  const supervisor = new Supervisor({ log: (l) => lines.push(l) });
  try {
    const logFile = join(dir, 'child.log');
    // Prints how it ended, so the test sees it was asked to stop (SIGTERM), not killed.
    const script =
      "process.on('SIGTERM', () => { console.log('stopping on SIGTERM'); process.exit(0); }); console.log('ready'); setInterval(() => {}, 1000);";
    const first = await supervisor.start({
      name: 'child',
      command: process.execPath,
      args: ['-e', script],
      logFile,
      readiness: { kind: 'line', pattern: /ready/ },
      readyTimeoutMs: 5000,
    });
    await supervisor.restartOnRequest('child');
    const second = supervisor.pids()['child']!;
    assert.notEqual(second, first.pid, 'a new process');
    assert.doesNotThrow(() => process.kill(second, 0), 'and it runs');
    await new Promise((r) => setTimeout(r, 700)); // longer than the crash-restart backoff's first delay
    assert.equal(supervisor.pids()['child'], second, 'no second, crash-triggered restart');
    assert.deepEqual(
      lines.filter((l) => /restart/.test(l)),
      [`restarting child on request (pid ${first.pid})`, `child restarted (pid ${second})`],
    );
    assert.match(readFileSync(logFile, 'utf8'), /stopping on SIGTERM/);
    await assert.rejects(supervisor.restartOnRequest('nope'), /restart: no component "nope" \(components: child\)/);
  } finally {
    await supervisor.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
