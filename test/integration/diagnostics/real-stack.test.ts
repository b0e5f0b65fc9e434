/**
 * `npm run diag` against the real backend stack on loopback (Kamailio WebSocket, coturn, the
 * control plane, the supervised reflector): the configuration really comes from the control plane
 * and every check talks to the real servers. Also the CLI's exit codes for bad usage and bad
 * credentials.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningStack } from '../../../backend/stack.js';
import { startTestStack } from '../backend/support/stack-fixture.js';
import { label, parseIceUri } from '../../../main/diagnostics/targets.js';
import { lastStepEndMs, runCli, runCliRaw } from './run-cli.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';

const PORT_BASE = TEST_PORT_BASES.diagnosticsRealStack;

const missing = ['kamailio', 'rtpengine', 'turnserver'].filter((bin) => {
  try {
    execFileSync('which', [bin], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
});

describe(
  'diagnostics CLI against the real backend stack',
  { skip: missing.length ? `needs ${missing.join(', ')}` : false, timeout: 180_000 },
  () => {
    let stack: RunningStack;
    let dispose: () => Promise<void>;
    let args: string[];
    const stateDir = mkdtempSync(join(tmpdir(), 'cldiag-state-'));
    before(
      async () => {
        ({ stack, dispose } = await startTestStack(PORT_BASE));
        const agent = stack.endpoints.agents[0]!;
        // `--password=…`: generated passwords may start with "-", which would read as an option.
        args = [
          '--config',
          stack.endpoints.controlPlane.url,
          '--user',
          agent.username,
          `--password=${agent.password}`,
          '--last-config',
          join(stateDir, 'diag-last-config.json'),
        ];
        if (stack.endpoints.caCertPath) args.push('--ca', stack.endpoints.caCertPath);
      },
      { timeout: 90_000 },
    );
    after(() => dispose?.(), { timeout: 30_000 });
    after(() => rmSync(stateDir, { recursive: true, force: true }));

    it('every check passes on loopback and measures real servers', { timeout: 60_000 }, async () => {
      const run = await runCli(args);
      const failed = run.report.steps.filter((s) => s.verdict !== 'pass').map((s) => `${s.id}: ${s.explanation}`);
      assert.deepEqual(failed, [], 'no step should warn or fail on loopback');
      assert.equal(run.report.verdict, 'pass');
      assert.equal(run.code, 0);
      const ws = run.step('sip-websocket');
      assert.equal(ws.values.url, stack.endpoints.sip.wsUrl, 'the SIP URL comes from the control plane');
      assert.equal(ws.values.protocol, 'sip', 'Kamailio agreed on the sip subprotocol');
      for (const t of ['turn-udp', 'turn-tcp', 'turn-tls']) {
        assert.equal(run.step(t).values.relayed.address, '127.0.0.1');
        assert.ok(stack.endpoints.turn.urls.includes(run.step(t).values.uri));
      }
      assert.equal(run.step('dscp').values.receivedDscp, 46, 'loopback keeps EF');
      assert.equal(run.step('path-quality').values.received, 200);
      assert.ok(Math.abs(run.step('clock').values.offsetMs) < 50);
      const slowest = Math.max(...run.report.steps.map((s) => s.durationMs));
      assert.ok(run.report.totalMs < slowest + 1000, `steps overlap: total ${run.report.totalMs} ms, slowest step ${slowest} ms`);
    });

    it('wrong password: a provisioning failure naming the cause, exit 2', { timeout: 30_000 }, async () => {
      const run = await runCli(args.map((a) => (a.startsWith('--password=') ? '--password=not-the-password' : a)));
      assert.equal(run.code, 2);
      assert.equal(run.step('provisioning').verdict, 'fail');
      assert.match(run.step('provisioning').explanation, /Wrong username or password/);
      // The server answered: the fix is the credentials, not the network.
      assert.match(run.step('provisioning').fix ?? '', /username and password/);
      assert.doesNotMatch(run.step('provisioning').fix ?? '', /reachable/);
      assert.ok(!JSON.stringify(run.report).includes('not-the-password'), 'the password never appears in the report');
      // The host checks still ran, toward the SIP server of the last configuration that worked.
      assert.equal(run.step('targets').verdict, 'pass');
      assert.equal(run.step('tcp-tls').verdict, 'pass');
      assert.equal(run.step('sip-websocket').values.url, stack.endpoints.sip.wsUrl);
      assert.equal(run.step('sip-websocket').verdict, 'pass');
      // The TURN servers of the last configuration, without their credentials: a Binding to coturn's UDP port.
      assert.equal(run.step('stun').verdict, 'pass');
      assert.deepEqual(
        run.step('stun').values.results.map((r: { server: string }) => r.server),
        [
          ...new Set(
            stack.endpoints.turn.urls
              .map(parseIceUri)
              .filter((e) => e.transport === 'udp')
              .map(label),
          ),
        ],
      );
      // Honest timing: from the start of the attempt to the end of the last check, not "Finished in 0 ms".
      assert.ok(run.report.totalMs >= lastStepEndMs(run.report), `totalMs ${run.report.totalMs}`);
      assert.ok(run.report.totalMs >= run.step('provisioning').durationMs, `totalMs ${run.report.totalMs}`);
    });

    it('nothing listening at --config: the fix is reachability, exit 2', { timeout: 30_000 }, async () => {
      const run = await runCli(args.map((a, i) => (args[i - 1] === '--config' ? 'http://127.0.0.1:1' : a)));
      assert.equal(run.code, 2);
      assert.match(run.step('provisioning').explanation, /Cannot reach 127\.0\.0\.1:1 \(ECONNREFUSED\)/);
      assert.match(run.step('provisioning').fix ?? '', /make 127\.0\.0\.1:1 reachable/);
    });

    it('the password can come from CLEARLINE_DIAG_PASSWORD instead of the command line', { timeout: 30_000 }, async () => {
      const password = args.find((a) => a.startsWith('--password='))!.slice('--password='.length);
      const withoutPassword = args.filter((a) => !a.startsWith('--password='));
      const run = await runCli([...withoutPassword, '--only', 'targets'], { env: { CLEARLINE_DIAG_PASSWORD: password } });
      assert.equal(run.report.verdict, 'pass', run.report.summary);
    });

    it('bad usage: exit 1 with the option named', { timeout: 30_000 }, async () => {
      const noUser = await runCliRaw(['--config', stack.endpoints.controlPlane.url, '--password', 'x']);
      assert.equal(noUser.code, 1);
      assert.match(noUser.stderr, /--user is required/);
      const badUrl = await runCliRaw(['--config', 'ftp://x', '--user', 'u', '--password', 'p']);
      assert.equal(badUrl.code, 1);
      assert.match(badUrl.stderr, /--config must be an http\(s\) URL/);
      const badStep = await runCliRaw([...args, '--only', 'media-path']);
      assert.equal(badStep.code, 1);
      assert.match(badStep.stderr, /--only: step media-path also needs stun/);
    });
  },
);
