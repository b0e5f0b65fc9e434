import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kamailioTimeToMs, SipEventInputSchema, toStoredEvent } from '../../../../backend/control-plane/sip-event-input.js';

test('audit event input: Kamailio time to ms; id required; token dropped', () => {
  assert.equal(kamailioTimeToMs('1700000000.000999'), 1700000000000);
  assert.equal(kamailioTimeToMs('1700000000.123456'), 1700000000123);
  for (const bad of ['1700000000', '1700000000.12', 'x.123456', '1700000000.1234567']) assert.equal(kamailioTimeToMs(bad), null, bad);
  const input = {
    token: 't',
    eventId: 'srid-1',
    at: '1700000000.500000',
    method: 'BYE',
    code: 0,
    outcome: 'relayed',
    callId: 'c',
    from: 'f',
    to: 't',
    inDialog: 1,
  };
  const parsed = SipEventInputSchema.parse(input);
  assert.deepEqual(toStoredEvent(parsed), {
    event: { eventId: 'srid-1', method: 'BYE', code: 0, outcome: 'relayed', callId: 'c', from: 'f', to: 't', inDialog: true },
    atMs: 1700000000500,
  });
  assert.equal(SipEventInputSchema.safeParse({ ...input, eventId: undefined }).success, false);
});
