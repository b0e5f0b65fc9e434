import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialState, reduce, type Action, type AppState } from '../../../../renderer/state/app-state.js';
import {
  selectCallStatus,
  selectCurrentCall,
  selectIncomingCalls,
  selectOtherCalls,
  selectRegistrationText,
  selectRegistrationTone,
} from '../../../../renderer/state/selectors.js';
import type { ClientConfig } from '../../../../common/contract/index.js';
import { documentTitle } from '../../../../renderer/state/document-title.js';
import { call, stats } from '../fixtures.js';
import { CALL_HISTORY_LIMIT } from '../../../../common/call-history.js';

const config: ClientConfig = {
  agent: { username: 'alice', displayName: 'Alice' },
  sip: { wsUrl: 'ws://127.0.0.1:20080', domain: 'pbx.example', registerExpiresSec: 300 },
  controlPlaneUrl: 'http://127.0.0.1:20000',
  numbers: { 'Echo test': '9196' },
};

const run = (...actions: Action[]) => actions.reduce(reduce, initialState);
const signedIn = () => run({ type: 'sign-in-defaults', url: 'http://x', username: '' }, { type: 'signed-in', config });
const withCalls = (state: AppState, ...calls: ReturnType<typeof call>[]) =>
  reduce(state, { type: 'phone-changed', snapshot: { registration: { kind: 'registered', since: 1 }, calls } });

test('sign-in lifecycle: defaults → signing in → failed keeps the reason → signed in clears it', () => {
  let state = run({ type: 'sign-in-defaults', url: 'https://pbx.example', username: 'alice' });
  assert.equal(state.auth.phase, 'signed-out');
  assert.equal(state.auth.defaultUrl, 'https://pbx.example');
  state = reduce(state, { type: 'sign-in-started' });
  assert.equal(state.auth.phase, 'signing-in');
  assert.equal(selectRegistrationText(state), 'Signing in…');
  state = reduce(state, { type: 'sign-in-failed', message: 'Wrong username or password' });
  assert.equal(state.auth.phase, 'signed-out');
  assert.equal(selectRegistrationText(state), 'Wrong username or password');
  assert.equal(selectRegistrationTone(state), 'error');
  state = reduce(state, { type: 'signed-in', config });
  assert.equal(state.auth.phase, 'signed-in');
  assert.equal(state.auth.error, null);
  assert.equal(state.config?.agent.username, 'alice');
});

test('registration text contains "Registered" exactly when registered, else the reason', () => {
  const base = signedIn();
  const at = (registration: AppState['phone']['registration']) =>
    selectRegistrationText(reduce(base, { type: 'phone-changed', snapshot: { registration, calls: [] } }));
  assert.equal(at({ kind: 'registered', since: 1 }), 'Registered as alice');
  assert.equal(at({ kind: 'connecting' }), 'Connecting…');
  assert.doesNotMatch(at({ kind: 'unregistered' }), /Registered/);
  const failed = at({ kind: 'failed', reason: 'unreachable', message: 'Cannot reach the phone server', retryInMs: 4_400 });
  assert.equal(failed, 'Cannot reach the phone server Retrying in 4 s.');
  assert.doesNotMatch(failed, /Registered/);
  assert.equal(at({ kind: 'failed', reason: 'wrong-credentials', message: 'Wrong password', retryInMs: null }), 'Wrong password');
  assert.equal(
    at({
      kind: 'failed',
      reason: 'locked',
      message: 'Too many failed sign-ins for this account from this network: locked',
      retryInMs: 300_000,
    }),
    'Too many failed sign-ins for this account from this network: locked, retrying in 300 s',
  );
});

test('the current call is the newest live call that is not ringing in; incoming calls are listed apart', () => {
  const state = withCalls(
    signedIn(),
    call({ id: 'old', state: 'active', held: true, startedAt: 1 }),
    call({ id: 'new', state: 'ringing', startedAt: 5 }),
    call({ id: 'in', direction: 'inbound', state: 'ringing', startedAt: 9 }),
    call({ id: 'gone', state: 'ended', startedAt: 10, endedAt: 11, endReason: 'busy' }),
  );
  assert.equal(selectCurrentCall(state)?.id, 'new');
  assert.deepEqual(
    selectIncomingCalls(state).map((c) => c.id),
    ['in'],
  );
  assert.equal(selectCallStatus(state).text, 'Ringing…');
});

test('with two calls, the one not on hold is current and the parked one is listed apart', () => {
  const state = withCalls(
    signedIn(),
    call({ id: 'talking', state: 'active', startedAt: 1 }),
    call({ id: 'parked', state: 'active', held: true, startedAt: 7 }),
  );
  assert.equal(selectCurrentCall(state)?.id, 'talking');
  assert.deepEqual(
    selectOtherCalls(state).map((c) => c.id),
    ['parked'],
  );
  const bothHeld = withCalls(
    signedIn(),
    call({ id: 'a', state: 'active', held: true, startedAt: 1 }),
    call({ id: 'b', state: 'active', held: true, startedAt: 7 }),
  );
  assert.equal(selectCurrentCall(bothHeld)?.id, 'b', 'all on hold: the newest');
  assert.equal(selectCallStatus(bothHeld).text, 'On hold');
});

test('how the last call ended stays readable after the phone drops it from snapshots', () => {
  let state = withCalls(signedIn(), call({ id: 'c', state: 'ended', endReason: 'busy', endedAt: 50 }));
  assert.equal(selectCallStatus(state).text, 'Busy');
  state = withCalls(state); // the core lets ended calls linger a few seconds, then drops them
  assert.equal(selectCallStatus(state).text, 'Busy');
  state = withCalls(state, call({ id: 'd', state: 'dialing', startedAt: 60 }));
  assert.equal(selectCallStatus(state).text, 'Calling…');
  assert.equal(selectCallStatus(withCalls(signedIn())).text, 'Ready');
  const offline = reduce(signedIn(), { type: 'phone-changed', snapshot: { registration: { kind: 'connecting' }, calls: [] } });
  assert.equal(selectCallStatus(offline).text, 'Offline');
});

test('the latest of several ended calls is the one reported', () => {
  const state = withCalls(
    signedIn(),
    call({ id: 'a', state: 'ended', endReason: 'busy', endedAt: 90 }),
    call({ id: 'b', state: 'ended', endReason: 'no-answer', endedAt: 100 }),
  );
  assert.equal(state.lastEndedCall?.id, 'b');
  assert.equal(selectCallStatus(state).text, 'No answer');
});

test('stats are kept only for live calls and dropped when the call ends', () => {
  let state = withCalls(signedIn(), call({ id: 'c', state: 'active' }));
  state = reduce(state, { type: 'stats-measured', callId: 'c', stats: stats() });
  assert.equal(state.stats['c']?.codec, 'opus/48000');
  const unknown = reduce(state, { type: 'stats-measured', callId: 'nope', stats: stats() });
  assert.equal(unknown, state, 'stats for an unknown call change nothing');
  state = withCalls(state, call({ id: 'c', state: 'ended', endReason: 'local-hangup' }));
  assert.deepEqual(state.stats, {});
  // A late stats reply for the ended call must not bring a stale meter back.
  assert.deepEqual(reduce(state, { type: 'stats-measured', callId: 'c', stats: stats() }).stats, {});
});

test('history: loaded newest first, an added entry replaces its duplicate, capped at the limit', () => {
  const entry = (id: string, startedAt: number) => ({
    id,
    direction: 'outbound' as const,
    peer: '1',
    startedAt,
    answeredAt: null,
    endedAt: startedAt + 1,
    disposition: 'busy',
  });
  let state = reduce(signedIn(), { type: 'history-loaded', entries: [entry('a', 1), entry('c', 3), entry('b', 2)] });
  assert.deepEqual(
    state.history.map((e) => e.id),
    ['c', 'b', 'a'],
  );
  state = reduce(state, { type: 'history-added', entry: { ...entry('a', 1), disposition: 'answered' } });
  assert.deepEqual(
    state.history.map((e) => e.id),
    ['a', 'c', 'b'],
  );
  assert.equal(state.history[0]?.disposition, 'answered');
  const many = Array.from({ length: CALL_HISTORY_LIMIT + 5 }, (_, i) => entry(`e${i}`, i));
  state = reduce(state, { type: 'history-loaded', entries: many });
  assert.equal(state.history.length, CALL_HISTORY_LIMIT);
  assert.equal(state.history[0]?.id, `e${CALL_HISTORY_LIMIT + 4}`);
});

test('sign-out forgets the account, calls and history but keeps device settings', () => {
  let state = withCalls(signedIn(), call({ state: 'ended', endReason: 'busy' }));
  state = reduce(state, { type: 'settings-changed', settings: { microphoneId: 'mic-2', speakerId: 'default', ringerId: 'default' } });
  state = reduce(state, {
    type: 'history-added',
    entry: { id: 'h', direction: 'inbound', peer: 'bob', startedAt: 1, answeredAt: 2, endedAt: 3, disposition: 'answered' },
  });
  state = reduce(state, { type: 'signed-out' });
  assert.equal(state.auth.phase, 'signed-out');
  assert.equal(state.config, null);
  assert.equal(state.lastEndedCall, null);
  assert.deepEqual(state.history, []);
  assert.equal(state.settings.microphoneId, 'mic-2');
  assert.equal(selectRegistrationText(state), 'Signed out');
});

test('the window title says when a call rings or is up', () => {
  assert.equal(documentTitle(signedIn()), 'Clearline');
  const ringing = withCalls(
    signedIn(),
    call({ id: 'in', direction: 'inbound', state: 'ringing', peer: 'sip:bob@pbx.example', peerDisplayName: 'Bob' }),
  );
  assert.equal(documentTitle(ringing), 'Incoming call: Bob (bob) — Clearline');
  assert.equal(documentTitle(withCalls(signedIn(), call({ state: 'active', held: true }))), 'On hold: 5550100 — Clearline');
  assert.equal(documentTitle(withCalls(signedIn(), call({ state: 'dialing' }))), 'Calling: 5550100 — Clearline');
  assert.equal(documentTitle(withCalls(signedIn(), call({ state: 'active' }))), 'In call: 5550100 — Clearline');
});
