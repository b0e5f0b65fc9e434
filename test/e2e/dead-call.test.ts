import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CallRecoveryRig, browserUdpPorts } from './support/call-recovery.js';
import { isLive } from '../support/carrier-api.js';
import { blockUdp } from '../support/udp-block.js';
import { blackHoleTcp } from '../support/tcp-black-hole.js';
import { TEST_PORT_BASES } from '../support/port-registry.js';
import { portsFor } from '../../backend/ports.js';

/**
 * The agent's whole path dies mid-call — its SIP WebSocket gone, its WebRTC UDP and the TURN
 * server's TCP/TLS ports black-holed, as when a laptop's VPN drops everything — for longer than the
 * media timeout: the server ends the call on the carrier's leg (no PSTN leg left billing) and
 * records why, and the softphone, which no BYE can reach, ends the call itself and says why.
 * Real Chromium on the real stack with a 5 s media timeout (`--media-timeout-seconds`).
 */
const BLOCK = 'recovery' as const;
const MEDIA_TIMEOUT_SECONDS = 5;
const CHAIN = 'dc-deadcall';
const turnPorts = () => {
  const p = portsFor(TEST_PORT_BASES[BLOCK]);
  return [p.turn, p.turns];
};

let rig: CallRecoveryRig;
let unblockUdp: (() => Promise<void>) | undefined;
let restoreTurnTcp: (() => Promise<void>) | undefined;

before(
  async () => {
    rig = await CallRecoveryRig.start(BLOCK, { mediaTimeoutSeconds: MEDIA_TIMEOUT_SECONDS });
  },
  { timeout: 120_000 },
);
after(async () => {
  await unblockUdp?.();
  await restoreTurnTcp?.();
  await rig?.stop();
});

test(
  'everything black-holed mid-call: the carrier’s leg is ended with the reason recorded, and the agent’s call ends saying no audio flowed',
  { timeout: 120_000 },
  async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root for iptables');
    await rig.signIn();
    const far = await rig.echoCall();
    const since = Date.now();

    await rig.agent.cutSipPath();
    unblockUdp = await blockUdp(browserUdpPorts(BLOCK), CHAIN);
    restoreTurnTcp = await blackHoleTcp(CHAIN, turnPorts());
    const cutAt = Date.now();

    const ended = await rig.carrier.waitFor(far.id, 'the carrier’s leg ended', (c) => !isLive(c), 60_000);
    console.log(`# carrier leg ended ${Date.now() - cutAt} ms after the path died (media timeout ${MEDIA_TIMEOUT_SECONDS} s)`);
    assert.ok(ended.endedAt, 'the PSTN leg is over');

    const shown = await rig.agent.phone.waitCallStatus(/no audio in either direction/i, 60_000);
    console.log(`# the agent was told “${shown.replace(/\s+/g, ' ')}” ${Date.now() - cutAt} ms after the path died`);

    const { admin } = rig.backend.endpoints;
    const res = await fetch(`${admin.apiUrl}/api/audit?since=${since}`, { headers: { authorization: `Bearer ${admin.token}` } });
    assert.equal(res.status, 200);
    const { events } = (await res.json()) as { events: Array<{ method: string; outcome: string | null }> };
    assert.ok(
      events.some((e) => e.outcome === 'media timeout'),
      `the call record says why: ${JSON.stringify(events.map((e) => [e.method, e.outcome]))}`,
    );
  },
);
