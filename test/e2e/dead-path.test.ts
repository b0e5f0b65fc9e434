import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBackend, type TestBackend } from '../support/backend-fixture.js';
import { Agent } from '../support/agent.js';
import { TEST_PORT_BASES, spareTestPorts } from '../support/port-registry.js';
import { blackHoleTcp } from '../support/tcp-black-hole.js';

/**
 * A signaling path that dies silently — every packet of the SIP WebSocket dropped by iptables,
 * no FIN, no RST, as when a VPN or a firewall black-holes it — is noticed within seconds, not when
 * TCP gives up minutes later: the softphone's keep-alive (renderer/calling/signaling-keepalive.ts)
 * gets no answer, drops the socket and the UI says it is reconnecting; once the path is back it
 * registers again. The WebSocket is not tapped: Chromium talks to Kamailio over loopback TCP, and
 * the rules (in a chain of this suite's own, `dc-deadpath`) match only this stack's WS port.
 */
const CHAIN = 'dc-deadpath';

let backend: TestBackend;
let agent: Agent;
let wsPort: number;
let restore: (() => Promise<void>) | undefined;

before(
  async () => {
    backend = await startTestBackend(TEST_PORT_BASES.recovery);
    wsPort = Number(new URL(backend.endpoints.sip.wsUrl).port);
    agent = await Agent.launch({
      name: 'deadpath',
      scratch: backend.scratch,
      controlPlaneUrl: backend.endpoints.controlPlane.url,
      toneHz: 440,
      udpPorts: spareTestPorts('recovery', 1500, 1599),
    });
  },
  { timeout: 120_000 },
);
after(async () => {
  await restore?.();
  await agent?.close();
  await backend?.stop();
});

test(
  'a black-holed SIP WebSocket is noticed within seconds: "reconnecting", then registered again once the path is back',
  { timeout: 120_000 },
  async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root for iptables');
    const alice = backend.endpoints.agents[0]!;
    await agent.phone.signIn(backend.endpoints.controlPlane.url, alice.username, alice.password);
    await agent.phone.waitRegistered();
    restore = await blackHoleTcp(CHAIN, [wsPort]);
    const droppedAt = Date.now();
    // Bounded well below TCP's own give-up (minutes); the figure is printed, speed goals live in bench.
    const shown = await agent.phone.waitRegistration(/lost|reconnect/i, 60_000);
    console.log(`# path black-holed: the UI said “${shown}” after ${Date.now() - droppedAt} ms`);
    assert.match(shown, /was lost; reconnecting/);
    await restore();
    const restoredAt = Date.now();
    await agent.phone.waitRegistered(30_000);
    console.log(`# path back: registered again after ${Date.now() - restoredAt} ms`);
  },
);
