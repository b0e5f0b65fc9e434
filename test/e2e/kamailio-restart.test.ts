import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CallRecoveryRig } from './support/call-recovery.js';
import { isLive } from '../support/carrier-api.js';

/**
 * Kamailio restarted cleanly (through the supervisor, as an operator would) under a live call
 * placed by the real web softphone in Chromium: the call goes on. The restarted Kamailio reloads
 * the dialog from its state database; the softphone reconnects, re-registers and sends its
 * target-refresh re-INVITE, which binds the call to its new connection (route PARTY_RECONNECTED);
 * its hang-up then ends the carrier's leg at once — no PSTN leg left billing.
 * (integration/backend/kamailio-restart holds the attacks and the agent that never comes back.)
 */
const BLOCK = 'recovery' as const;

let rig: CallRecoveryRig;

before(
  async () => {
    rig = await CallRecoveryRig.start(BLOCK);
    await rig.signIn();
  },
  { timeout: 120_000 },
);

after(async () => {
  await rig?.stop();
});

test(
  'a call in real Chromium outlives a clean Kamailio restart: the softphone takes it back and its hang-up ends the carrier’s leg',
  { timeout: 90_000 },
  async () => {
    const far = await rig.echoCall();
    await rig.backend.stack.restart('kamailio');
    await rig.agent.phone.waitRegistered(15_000);
    const kamailioLog = () => readFileSync(join(rig.backend.stack.logDir, 'kamailio.log'), 'utf8');
    assert.match(kamailioLog(), /restart: 1 calls loaded from the state database/);
    // The softphone's refresh from its new connection, authenticated as the same agent.
    const deadline = Date.now() + 15_000;
    while (!/dialog party \S+ moved to WebSocket connection/.test(kamailioLog())) {
      assert.ok(Date.now() < deadline, `the softphone's re-INVITE rebinds the call:\n${kamailioLog().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // Media never went through Kamailio: the carrier still receives the agent's audio.
    const before = (await rig.carrier.call(far.id)).received.packets;
    const during = await rig.carrier.waitFor(far.id, 'a second more of the agent’s audio', (c) => c.received.packets >= before + 50);
    assert.ok(isLive(during), 'the carrier’s leg is still up');

    const hungUpAt = Date.now();
    await rig.agent.phone.endAllCalls();
    const ended = await rig.carrier.waitFor(far.id, 'the agent’s hang-up to end the carrier’s leg', (c) => !isLive(c), 10_000);
    process.stderr.write(`# carrier leg ended ${Date.parse(ended.endedAt!) - hungUpAt} ms after the agent hung up\n`);
  },
);
