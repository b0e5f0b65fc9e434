/**
 * `--max-calls N` is honoured by the real engines: rtpengine, coturn and Kamailio start with the
 * ranges and limits computed from N (backend/ports.ts, engine-sizing.ts), a stack sized for N
 * carries N concurrent calls with audio both ways (real Chromium DTLS-SRTP legs ↔ the carrier's
 * echo), and call N+1 is refused cleanly (503 from Kamailio, nothing half set up) while the N go
 * on; once one ends, a new call fits again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestStack, waitFor } from '../backend/support/stack-fixture.js';
import { CHROMIUM_PATH } from '../../support/chromium.js';
import { TEST_PORT_BASES, spareTestPorts } from '../../support/port-registry.js';
import { MEDIA_PORTS_PER_CALL } from '../../../backend/ports.js';
import { BrowserCalls, type BrowserCall } from './support/browser-calls.js';
import { closeLoadAgents, connectLoadAgents, type LoadAgent } from './support/load-agents.js';

const PORT_BASE = TEST_PORT_BASES.capacity;
const BROWSER_UDP_PORTS = spareTestPorts('capacity', 1500, 1599);
const MAX_CALLS = 3;

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

describe(
  `a stack started with maxCalls ${MAX_CALLS}`,
  { timeout: 120_000, skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} missing (apt-get install chromium)` },
  () => {
    let fx: Awaited<ReturnType<typeof startTestStack>>;
    let profile: string;
    let browser: BrowserCalls;
    let agents: LoadAgent[] = [];
    const calls: BrowserCall[] = [];

    before(async () => {
      fx = await startTestStack(PORT_BASE, { maxCalls: MAX_CALLS });
      profile = mkdtempSync(join(tmpdir(), 'clcap-max-calls-'));
      browser = await BrowserCalls.launch({
        userDataDir: profile,
        udpPorts: BROWSER_UDP_PORTS,
        origin: fx.stack.endpoints.controlPlane.url,
      });
      // Per-agent limits above the stack's, so what refuses call N+1 is the stack-wide sizing.
      agents = await connectLoadAgents(fx.stack, { count: 2, maxCalls: MAX_CALLS + 2, maxCps: 10, prefix: 'cap' });
    });
    after(async () => {
      await browser?.hangUp(calls).catch(() => undefined);
      closeLoadAgents(agents);
      await browser?.close();
      await fx?.dispose();
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    test('the engines start with the ranges and limits computed from maxCalls', () => {
      const { ports } = fx.stack;
      const pids = fx.stack.pids();
      const rtp = cmdline(pids.rtpengine!);
      assert.ok(
        rtp.includes(`--port-min=${ports.rtpengineMediaMin}`) && rtp.includes(`--port-max=${ports.rtpengineMediaMax}`),
        rtp.join(' '),
      );
      assert.equal(ports.rtpengineMediaMax - ports.rtpengineMediaMin + 1, MAX_CALLS * MEDIA_PORTS_PER_CALL.rtpengine);
      assert.ok(rtp.includes(`--max-sessions=${MAX_CALLS}`), rtp.join(' '));
      const turn = readFileSync(join(fx.stack.stateDir, 'config', 'turnserver.conf'), 'utf8');
      assert.match(turn, new RegExp(`^min-port=${ports.turnRelayMin}$`, 'm'));
      assert.match(turn, new RegExp(`^max-port=${ports.turnRelayMax}$`, 'm'));
      assert.match(turn, new RegExp(`^total-quota=${MAX_CALLS * MEDIA_PORTS_PER_CALL.turnRelay}$`, 'm'));
      const kam = cmdline(pids.kamailio!);
      assert.equal(kam[kam.indexOf('-m') + 1], '65', 'Kamailio shared memory: 64 MB + 256 KB per call, rounded up');
      const carrier = cmdline(pids.carrier!);
      assert.equal(carrier[carrier.indexOf('--media-min') + 1], String(ports.carrierMediaMin));
      assert.equal(carrier[carrier.indexOf('--media-max') + 1], String(ports.carrierMediaMax));
    });

    test(`${MAX_CALLS} concurrent calls carry audio both ways; call ${MAX_CALLS + 1} gets a clean 503 and the others go on`, async () => {
      const echo = fx.stack.endpoints.numbers.echo;
      for (let i = 0; i < MAX_CALLS; i++) {
        const call = await browser.call(agents[i % agents.length]!.sip, echo);
        calls.push(call);
        assert.equal(call.status, 200, `call ${i + 1} answered`);
      }
      const pcs = calls.map((c) => c.pc);
      assert.deepEqual(await browser.untilReceiving(pcs, 20_000), [], 'every call connected ICE + DTLS and hears its echo');
      const before = await browser.stats(pcs);

      const extra = await browser.call(agents[0]!.sip, echo);
      assert.equal(extra.status, 503, `call ${MAX_CALLS + 1} is refused`);
      assert.equal((await extra.sip.final).reason, 'Media Relay Unavailable');

      await waitFor(
        async () => (await browser.stats(pcs)).every((s, i) => s.packetsReceived >= before[i]!.packetsReceived + 50),
        'the calls in progress keep receiving after the refusal',
        10_000,
      );

      // One ends: the freed session takes a new call.
      await browser.hangUp(calls.splice(0, 1));
      await new Promise((r) => setTimeout(r, 200));
      const next = await browser.call(agents[1]!.sip, echo);
      calls.push(next);
      assert.equal(next.status, 200, 'a call fits again once one has ended');
      assert.deepEqual(await browser.untilReceiving([next.pc], 20_000), []);
    });
  },
);
