/**
 * Hole 8, logs: a chatty component cannot fill the disk (its log rotates at a size cap), and a
 * full or failing disk cannot stop the stack (lines are dropped with one notice; the child's pipe
 * keeps draining so the engine never blocks on it).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, type ChildSpec } from '../../../backend/supervisor/child.js';
import { isAlive, startTestStack, waitFor } from '../backend/support/stack-fixture.js';
import { browserSdp } from '../backend/support/webrtc-sdp.js';
import { WsSipAgent } from '../backend/support/ws-sip-agent.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';

const PORT_BASE = TEST_PORT_BASES.securityOutage;

/** A real child that prints `ready`, then `lines` lines of ~100 bytes as fast as it can, then exits 0. */
function chattyChild(logFile: string, lines: number, logLimits?: ChildSpec['logLimits']): ChildSpec {
  const script = `console.log('ready');const l='x'.repeat(90);for(let i=0;i<${lines};i++)process.stdout.write(i+' '+l+'\\n');`;
  return {
    name: 'chatty',
    command: process.execPath,
    args: ['-e', script],
    logFile,
    readiness: { kind: 'line', pattern: /ready/ },
    readyTimeoutMs: 10_000,
    ...(logLimits ? { logLimits } : {}),
  };
}

describe('component logs', { timeout: 120_000 }, () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test("a chatty child's log rotates at its size cap, keeps N files, and the child is never blocked", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clearline-logs-'));
    dirs.push(dir);
    const log = join(dir, 'chatty.log');
    const notices: string[] = [];
    // 2 MB through a 64 KiB pipe: the child only finishes if the pipe is drained all along.
    const child = await startChild(chattyChild(log, 20_000, { maxBytes: 256 * 1024, keep: 3 }), { notice: (l) => notices.push(l) });
    assert.deepEqual(await child.exited, { code: 0, signal: null });
    await waitFor(async () => readFileSync(log, 'utf8').includes('19999 '), 'the last line in the current log');
    assert.deepEqual(readdirSync(dir).sort(), ['chatty.log', 'chatty.log.1', 'chatty.log.2', 'chatty.log.3']);
    for (const f of readdirSync(dir)) assert.ok(statSync(join(dir, f)).size <= 256 * 1024, `${f}: ${statSync(join(dir, f)).size} bytes`);
    assert.deepEqual(notices, []);
  });

  test('a log on a device that is always full (/dev/full): one notice, the child runs to completion, the device is untouched', async () => {
    const notices: string[] = [];
    const child = await startChild(chattyChild('/dev/full', 20_000, { maxBytes: 1024, keep: 1 }), { notice: (l) => notices.push(l) });
    assert.deepEqual(await child.exited, { code: 0, signal: null }, 'not blocked, not killed');
    assert.equal(notices.length, 1, notices.join('\n'));
    assert.match(notices[0]!, /^log \/dev\/full: write failed \(ENOSPC\); dropping/);
    assert.ok(statSync('/dev/full').isCharacterDevice());
  });

  test("the stack's log disk fills up: every component keeps running, calls and restarts work, logging resumes once space is freed", async (t) => {
    if (process.getuid?.() !== 0) {
      t.skip('SKIPPED: needs root to mount a tmpfs for the log dir');
      return;
    }
    const stateDir = mkdtempSync(join(tmpdir(), 'clearline-logfull-'));
    const logDir = join(stateDir, 'logs');
    mkdirSync(logDir, { mode: 0o700 });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', logDir]);
    let fx: Awaited<ReturnType<typeof startTestStack>> | undefined;
    try {
      fx = await startTestStack(PORT_BASE, { stateDir });
      const e = fx.stack.endpoints;
      const pids = fx.stack.pids();
      // Fill the disk: the filler grows until the kernel says ENOSPC.
      const filler = join(logDir, 'filler');
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { stdio: 'ignore' });
      } catch {
        /* dd exits non-zero on ENOSPC: that is the point */
      }
      assert.throws(() => writeFileSync(join(logDir, 'probe'), 'x'.repeat(8192)), /ENOSPC/, 'the log disk is full');
      // tmpfs still takes writes into the partly used last page of each open log: use that up too.
      for (const f of readdirSync(logDir).filter((n) => n.endsWith('.log'))) {
        for (let i = 0; i < 64; i++) {
          try {
            appendFileSync(join(logDir, f), '.'.repeat(128));
          } catch {
            break;
          }
        }
      }

      // Log traffic: a call (rtpengine, Kamailio, coturn log it) and a restart (its banner line).
      const alice = await WsSipAgent.connect(e.sip.wsUrl, { username: 'alice', password: e.agents[0]!.password, domain: e.sip.domain });
      const bob = await WsSipAgent.connect(e.sip.wsUrl, { username: 'bob', password: e.agents[1]!.password, domain: e.sip.domain });
      try {
        assert.equal((await alice.register()).status, 200);
        assert.equal((await bob.register()).status, 200);
        bob.answerMode = { kind: 'answer', sdp: browserSdp({ address: '127.0.0.1', port: 9, setup: 'active' }) };
        const call = alice.invite('bob', browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
        assert.equal((await call.final).status, 200);
        assert.equal((await call.bye()).status, 200);

        const reflector = 'reflector' in pids ? 'reflector' : 'control-plane';
        process.kill(-pids[reflector]!, 'SIGKILL');
        await waitFor(
          async () => fx!.logs.some((l) => new RegExp(`^${reflector} restarted`).test(l)),
          `${reflector} restarted on a full disk`,
          15_000,
        );

        const dropping = fx.logs.filter((l) => /write failed \(ENOSPC\); dropping/.test(l));
        assert.ok(dropping.length >= 1, `a notice that lines are dropped:\n${fx.logs.join('\n')}`);
        const perFile = new Map<string, number>();
        for (const l of dropping) perFile.set(l.split(':')[0]!, (perFile.get(l.split(':')[0]!) ?? 0) + 1);
        // One per log writer: the restarted component opened a second one.
        for (const [file, n] of perFile) assert.ok(n <= (file.includes(reflector) ? 2 : 1), `${file}: ${n} notices`);
        for (const [name, pid] of Object.entries(pids))
          if (name !== reflector) assert.ok(fx.stack.pids()[name] === pid && isAlive(pid), `${name} kept running`);
        assert.equal((await fetch(`${e.controlPlane.url}/healthz`, { signal: AbortSignal.timeout(5000) })).status, 200);

        // Space freed: the next lines are written again, and that is said too.
        rmSync(filler);
        const again = alice.invite('bob', browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
        assert.equal((await again.final).status, 200);
        assert.equal((await again.bye()).status, 200);
        await waitFor(
          async () => fx!.logs.some((l) => /writes work again; \d+ bytes of log were dropped meanwhile/.test(l)),
          'a "writes work again" notice',
          10_000,
        );
        console.log(
          `[logs] disk full: ${dropping.length} dropping notice(s) for ${perFile.size} log(s); ${fx.logs.filter((l) => /writes work again/.test(l)).length} resumed`,
        );
        await alice.register(0);
        await bob.register(0);
      } finally {
        alice.close();
        bob.close();
      }
    } finally {
      await fx?.stack.stop();
      // Lazy: the supervisor may close a log fd a moment after its child exited.
      execFileSync('umount', ['--lazy', logDir]);
      rmSync(stateDir, { recursive: true, force: true });
      await fx?.dispose();
    }
  });
});
