import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CALL_TRANSITIONS, isFinal, nextState, type CallEvent, type CallState } from '../../../../backend/carrier/call-state.js';

const STATES: CallState[] = ['ringing', 'answered', 'ended', 'failed'];
const EVENTS: CallEvent[] = ['answered', 'hungUp', 'failed'];

test('call transitions: exactly the moves drawn in call-state.ts', () => {
  const moves = STATES.flatMap((s) => EVENTS.flatMap((e) => (nextState(s, e) ? [`${s} -${e}-> ${nextState(s, e)}`] : [])));
  assert.deepEqual(moves, [
    'ringing -answered-> answered',
    'ringing -hungUp-> ended',
    'ringing -failed-> failed',
    'answered -hungUp-> ended',
  ]);
});

test('call transitions: an answered call cannot fail or be answered again; final states have no way out', () => {
  assert.equal(nextState('answered', 'failed'), undefined);
  assert.equal(nextState('answered', 'answered'), undefined);
  for (const s of STATES.filter(isFinal)) assert.deepEqual(CALL_TRANSITIONS[s], {}, s);
  assert.deepEqual(STATES.filter(isFinal), ['ended', 'failed']);
});
