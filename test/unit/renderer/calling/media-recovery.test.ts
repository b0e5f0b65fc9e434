import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  INBOUND_STALL_MS,
  InboundWatch,
  initialMediaRecovery,
  MAX_RESTARTS,
  nextMediaRecovery,
  NOTICE_GAVE_UP,
  NOTICE_NETWORK_CHANGED,
  NOTICE_PATH_LOST,
  type MediaEvent,
  type MediaRecovery,
} from '../../../../renderer/calling/media-recovery.js';

const run = (events: MediaEvent[], from: MediaRecovery = initialMediaRecovery) => {
  const actions: string[] = [];
  let state = from;
  for (const e of events) {
    const step = nextMediaRecovery(state, e);
    state = step.state;
    actions.push(step.action);
  }
  return { state, actions };
};
const ice = (state: RTCIceConnectionState): MediaEvent => ({ type: 'ice', state });

test('a disconnected blip that heals within the grace: told, no renegotiation, notice cleared', () => {
  const { state, actions } = run([ice('disconnected')]);
  assert.deepEqual(actions, ['start-grace']);
  assert.equal(state.notice, NOTICE_PATH_LOST);
  const healed = run([ice('connected'), { type: 'grace-over' }], state);
  assert.deepEqual(healed.actions, ['none', 'none']);
  assert.deepEqual(healed.state, initialMediaRecovery);
});

test('still disconnected after the grace: one ICE restart; a second one waits for the first to settle', () => {
  const { state, actions } = run([ice('disconnected'), { type: 'grace-over' }, ice('failed')]);
  assert.deepEqual(actions, ['start-grace', 'restart', 'none']);
  assert.equal(state.inFlight, true);
  const again = run([{ type: 'restart-settled' }, ice('checking'), ice('failed')], state);
  assert.deepEqual(again.actions, ['none', 'none', 'restart'], 'failed again after the re-INVITE: another restart');
  assert.equal(again.state.restarts, 2);
  assert.deepEqual(run([{ type: 'restart-settled' }, ice('connected')], again.state).state, initialMediaRecovery, 'media back: all reset');
});

test('failed or a network change restarts at once, and says which', () => {
  assert.deepEqual(run([ice('failed')]).actions, ['restart']);
  const changed = run([{ type: 'network-changed' }]);
  assert.deepEqual(changed.actions, ['restart']);
  assert.equal(changed.state.notice, NOTICE_NETWORK_CHANGED);
});

test(`after ${MAX_RESTARTS} restarts that brought nothing back it stops and tells the agent`, () => {
  const round: MediaEvent[] = [ice('failed'), { type: 'restart-settled' }];
  const { state, actions } = run(Array.from({ length: MAX_RESTARTS + 1 }, () => round).flat());
  assert.equal(actions.filter((a) => a === 'restart').length, MAX_RESTARTS);
  assert.equal(state.notice, NOTICE_GAVE_UP);
});

test('inbound audio that stalls while ICE says "connected" restarts ICE; flowing again clears the notice', () => {
  const { state, actions } = run([{ type: 'inbound', flowing: false, overUdp: false }]);
  assert.deepEqual(actions, ['restart']);
  assert.equal(state.notice, NOTICE_PATH_LOST);
  assert.deepEqual(run([{ type: 'restart-settled' }, { type: 'inbound', flowing: true }], state).state, initialMediaRecovery);
});

test('inbound audio that stalls while our media leaves over UDP (UDP blocked) recovers on a relay instead; it counts as a restart and waits for its re-INVITE', () => {
  const stalled = { type: 'inbound', flowing: false, overUdp: true } as const;
  const { state, actions } = run([stalled]);
  assert.deepEqual(actions, ['recover-on-relay']);
  assert.deepEqual([state.notice, state.inFlight, state.restarts, state.audioStalled], [NOTICE_PATH_LOST, true, 1, true]);
  assert.deepEqual(
    run([ice('disconnected'), ice('failed')], state).actions,
    ['none', 'none'],
    'the old pair dying meanwhile starts nothing',
  );
  assert.deepEqual(run([{ type: 'restart-settled' }, { type: 'inbound', flowing: true }], state).state, initialMediaRecovery);
  const spent = { ...initialMediaRecovery, restarts: MAX_RESTARTS };
  assert.deepEqual(run([stalled], spent).state.notice, NOTICE_GAVE_UP);
});

test('after a stall the notice stays until audio flows: ICE reconnecting first is not the audio coming back', () => {
  const { state } = run([
    { type: 'inbound', flowing: false, overUdp: false },
    { type: 'restart-settled' },
    ice('checking'),
    ice('connected'),
  ]);
  assert.equal(state.notice, NOTICE_PATH_LOST, 'ICE is up again but no audio has arrived yet');
  assert.equal(state.path, 'restarting');
  assert.deepEqual(run([{ type: 'inbound', flowing: true }], state).state, initialMediaRecovery, 'audio back: told, all reset');
});

test('the inbound watch: says "stalled" once after INBOUND_STALL_MS without a packet, "flowing" once when packets move again; holds reset it', () => {
  assert.ok(INBOUND_STALL_MS > 750 && INBOUND_STALL_MS <= 1000, 'the samples below straddle the threshold');
  const w = new InboundWatch();
  const said: Array<boolean | null> = [];
  let sent = 0; // we send throughout: 50 packets a second
  const at = (ms: number, packets: number, expected = true) => said.push(w.sample(packets, (sent += 10), ms, expected));
  at(0, 0);
  at(2000, 0); // media slow to start: not armed yet
  assert.deepEqual(said.splice(0), [null, null]);
  at(0, 10);
  at(250, 22);
  at(500, 22);
  at(1000, 22);
  at(1250, 22); // 1 s since the last growth: past the threshold
  at(1500, 22);
  at(1750, 30);
  at(2000, 41);
  assert.deepEqual(said, [null, null, null, null, false, null, true, null]);
  said.length = 0;
  at(2250, 41, false); // on hold: nothing expected
  at(5000, 41, false);
  at(5250, 41);
  at(6000, 41);
  assert.deepEqual(said, [null, null, null, null], 'a hold is no stall, and the watch starts over after it');
});

test('the inbound watch: silence while we send nothing is no stall (an echoing far end goes quiet with our microphone); the clock starts when we send again', () => {
  const w = new InboundWatch();
  const said: Array<boolean | null> = [];
  const at = (ms: number, packets: number, sent: number) => said.push(w.sample(packets, sent, ms, true));
  at(0, 10, 10);
  at(250, 22, 22);
  at(500, 22, 22); // the headset is pulled out: our track ended, nothing leaves, nothing echoes back
  at(1000, 22, 22);
  at(1500, 22, 22);
  at(2000, 22, 25); // the fallback microphone sends again
  at(2500, 22, 50);
  assert.deepEqual(said.splice(0), [null, null, null, null, null, null, null], 'no stall while we sent nothing, nor 0.5 s after');
  at(2750, 22, 62);
  at(3000, 22, 75); // 1 s of sending with nothing back: that is a stall
  at(3250, 30, 87);
  assert.deepEqual(said, [null, false, true]);
});
