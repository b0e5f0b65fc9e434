import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialCallState, transition, type CallEvent } from '../../../../renderer/calling/call-state.js';
import type { CallState } from '../../../../renderer/calling/phone-api.js';

const run = (start: CallState, events: CallEvent['type'][]) =>
  events.reduce<CallState>((s, type) => {
    const r = transition(s, { type } as CallEvent);
    assert.ok(r.ok, `${type} from ${s} should be legal`);
    return r.state;
  }, start);

test('outbound: dialing → ringing → connecting → active → ended', () => {
  assert.equal(initialCallState('outbound'), 'dialing');
  assert.equal(run('dialing', ['provisional', 'provisional', 'answered', 'media-up', 'media-up', 'end']), 'ended');
});

test('inbound starts ringing; answer without provisional works from dialing too', () => {
  assert.equal(initialCallState('inbound'), 'ringing');
  assert.equal(run('ringing', ['answered', 'media-up']), 'active');
  assert.equal(run('dialing', ['answered']), 'connecting');
});

test('any live state can end', () => {
  for (const s of ['dialing', 'ringing', 'connecting', 'active'] as const) assert.equal(run(s, ['end']), 'ended');
});

test('illegal transitions are rejected with a message, never applied', () => {
  const illegal: Array<[CallState, CallEvent['type']]> = [
    ['ended', 'answered'],
    ['ended', 'end'],
    ['ended', 'provisional'],
    ['ended', 'media-up'],
    ['dialing', 'media-up'],
    ['ringing', 'media-up'],
    ['connecting', 'provisional'],
    ['active', 'answered'],
    ['active', 'provisional'],
  ];
  for (const [state, type] of illegal) {
    const r = transition(state, { type } as CallEvent);
    assert.equal(r.ok, false, `${type} from ${state} must be illegal`);
    if (!r.ok) assert.match(r.error, new RegExp(`${type} while ${state}`));
  }
});
