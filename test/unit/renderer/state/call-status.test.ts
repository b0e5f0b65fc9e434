import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CallSnapshot } from '../../../../renderer/calling/phone-api.js';
import { callStatusDetail, callStatusText, dispositionOf, toHistoryEntry } from '../../../../renderer/state/call-status.js';
import { CallHistoryEntrySchema } from '../../../../common/contract/index.js';
import { call } from '../fixtures.js';

test('call status words follow the call state and direction', () => {
  assert.equal(callStatusText(call({ state: 'dialing' })), 'Calling…');
  assert.equal(callStatusText(call({ state: 'ringing' })), 'Ringing…');
  assert.equal(callStatusText(call({ state: 'ringing', direction: 'inbound' })), 'Incoming call');
  assert.equal(callStatusText(call({ state: 'connecting' })), 'Connecting…');
  assert.equal(callStatusText(call({ state: 'active' })), 'Connected');
  assert.equal(callStatusText(call({ state: 'active', held: true })), 'On hold');
});

test('an ended call says how it ended', () => {
  const ended = (endReason: CallSnapshot['endReason']) => callStatusText(call({ state: 'ended', endReason }));
  assert.equal(ended('busy'), 'Busy');
  assert.equal(ended('no-answer'), 'No answer');
  assert.equal(ended('local-hangup'), 'Call ended');
  assert.equal(ended('remote-hangup'), 'Call ended');
  assert.equal(ended('declined'), 'Declined');
  assert.equal(ended('not-found'), 'Number not found');
  assert.equal(ended('failed'), 'Call failed');
  assert.equal(ended(null), 'Call ended');
});

test('the phone message is shown as detail only when it adds to the status word', () => {
  assert.equal(
    callStatusDetail(call({ state: 'ended', endReason: 'failed', message: 'Media failed: no audio path (ICE)' })),
    'Media failed: no audio path (ICE)',
  );
  assert.equal(callStatusDetail(call({ state: 'ended', endReason: 'busy', message: 'Busy' })), null);
  assert.equal(callStatusDetail(call({ state: 'active', message: '  ' })), null);
});

test('dispositions: answered wins; unanswered calls are filed by why they ended and direction', () => {
  assert.equal(dispositionOf(call({ state: 'ended', answeredAt: 5, endReason: 'remote-hangup' })), 'answered');
  assert.equal(dispositionOf(call({ state: 'ended', endReason: 'busy' })), 'busy');
  assert.equal(dispositionOf(call({ state: 'ended', endReason: 'cancelled' })), 'cancelled');
  assert.equal(dispositionOf(call({ state: 'ended', endReason: 'no-answer' })), 'no-answer');
  assert.equal(dispositionOf(call({ state: 'ended', endReason: 'no-answer', direction: 'inbound' })), 'missed');
  assert.equal(dispositionOf(call({ state: 'ended', endReason: 'missed', direction: 'inbound' })), 'missed');
  assert.equal(dispositionOf(call({ state: 'ended', endReason: 'declined', direction: 'inbound' })), 'declined');
  assert.equal(dispositionOf(call({ state: 'ended', endReason: 'not-found' })), 'failed');
});

test('toHistoryEntry files only ended calls, with the raw target and a schema-valid shape', () => {
  assert.equal(toHistoryEntry(call({ state: 'active' })), null);
  const entry = toHistoryEntry(
    call({
      id: 'c1',
      peer: 'sip:bob@pbx.example',
      peerDisplayName: 'Bob',
      state: 'ended',
      startedAt: 1000,
      answeredAt: 2000,
      endedAt: 9000,
      endReason: 'local-hangup',
    }),
  );
  assert.deepEqual(entry, {
    id: 'c1',
    direction: 'outbound',
    peer: 'sip:bob@pbx.example',
    startedAt: 1000,
    answeredAt: 2000,
    endedAt: 9000,
    disposition: 'answered',
  });
  assert.equal(CallHistoryEntrySchema.safeParse(entry).success, true);
  // Over-long ids and peers are cut to what the history schema accepts instead of being rejected.
  const long = toHistoryEntry(call({ id: 'x'.repeat(300), peer: 'y'.repeat(300), state: 'ended', endedAt: null }));
  assert.equal(CallHistoryEntrySchema.safeParse(long).success, true);
  assert.equal(long?.endedAt, long?.startedAt);
});
