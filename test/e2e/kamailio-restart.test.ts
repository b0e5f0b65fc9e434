import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CallRecoveryRig } from './support/call-recovery.js';
import { isLive } from '../support/carrier-api.js';

/**
 * Kamailio restarted cleanly (through the supervisor, as an operator would), and then crashed
 * (SIGKILL, restarted by the supervisor), under a live call placed by the real web softphone in
 * Chromium: the call goes on. The restarted Kamailio reloads the dialog from its state database;
 * the softphone reconnects, re-registers and sends its target-refresh re-INVITE, which binds the
 * call to its new connection (route PARTY_RECONNECTED); its hang-up then ends the carrier's leg at
 * once — no PSTN leg left billing.
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

/** How many times `pattern` occurs in Kamailio's log (both tests write the same lines). */
const kamailioLogCount = (pattern: RegExp) =>
  readFileSync(join(rig.backend.stack.logDir, 'kamailio.log'), 'utf8').match(new RegExp(pattern.source, 'g'))?.length ?? 0;

/** A live echo call across `interrupt` (a restart or a crash): the softphone takes it back, the carrier hears it, its hang-up ends the carrier's leg. */
async function callOutlives(interrupt: () => Promise<void>): Promise<void> {
  const loaded = /restart: 1 calls loaded from the state database/;
  const rebound = /dialog party \S+ moved to WebSocket connection/;
  const [loadedBefore, reboundBefore] = [kamailioLogCount(loaded), kamailioLogCount(rebound)];
  const far = await rig.echoCall();
  await interrupt();
  // The restarted Kamailio loads the call, then the softphone's refresh from its new connection,
  // authenticated as the same agent, rebinds it.
  const deadline = Date.now() + 15_000;
  while (kamailioLogCount(rebound) === reboundBefore) {
    assert.ok(Date.now() < deadline, "the softphone's re-INVITE rebinds the call");
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(kamailioLogCount(loaded), loadedBefore + 1, 'the restarted Kamailio loaded the call');
  await rig.agent.phone.waitRegistered(15_000);
  // Media never went through Kamailio: the carrier still receives the agent's audio.
  const before = (await rig.carrier.call(far.id)).received.packets;
  const during = await rig.carrier.waitFor(far.id, 'a second more of the agent’s audio', (c) => c.received.packets >= before + 50);
  assert.ok(isLive(during), 'the carrier’s leg is still up');

  const hungUpAt = Date.now();
  await rig.agent.phone.endAllCalls();
  const ended = await rig.carrier.waitFor(far.id, 'the agent’s hang-up to end the carrier’s leg', (c) => !isLive(c), 10_000);
  process.stderr.write(`# carrier leg ended ${Date.parse(ended.endedAt!) - hungUpAt} ms after the agent hung up\n`);
}

test(
  'a call in real Chromium outlives a clean Kamailio restart: the softphone takes it back and its hang-up ends the carrier’s leg',
  { timeout: 90_000 },
  () => callOutlives(() => rig.backend.stack.restart('kamailio')),
);

test(
  'a call in real Chromium outlives a Kamailio crash (SIGKILL): the softphone takes it back and its hang-up ends the carrier’s leg',
  { timeout: 90_000 },
  () =>
    callOutlives(async () => {
      const stack = rig.backend.stack;
      const old = stack.pids()['kamailio']!;
      process.kill(-old, 'SIGKILL');
      const deadline = Date.now() + 20_000;
      while (stack.pids()['kamailio'] === undefined || stack.pids()['kamailio'] === old) {
        assert.ok(Date.now() < deadline, 'the supervisor restarts the killed Kamailio');
        await new Promise((r) => setTimeout(r, 200));
      }
    }),
);
