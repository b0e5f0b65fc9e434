import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDialInput, formatDuration, formatPeer, formatTarget, serviceLabel } from '../../../../renderer/state/format.js';

test('formatDuration shows m:ss below an hour and h:mm:ss above', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(999), '0:00');
  assert.equal(formatDuration(7_000), '0:07');
  assert.equal(formatDuration(59_999), '0:59');
  assert.equal(formatDuration(60_000), '1:00');
  assert.equal(formatDuration(754_000), '12:34');
  assert.equal(formatDuration(3_723_000), '1:02:03');
  assert.equal(formatDuration(36_000_000), '10:00:00');
});

test('formatDuration never shows a negative or NaN clock (clock skew, missing answer time)', () => {
  assert.equal(formatDuration(-5_000), '0:00');
  assert.equal(formatDuration(Number.NaN), '0:00');
  assert.equal(formatDuration(Number.POSITIVE_INFINITY), '0:00');
});

test('formatTarget strips SIP plumbing for our own domain and keeps foreign domains', () => {
  assert.equal(formatTarget('sip:bob@pbx.example', 'pbx.example'), 'bob');
  assert.equal(formatTarget('<sips:bob@PBX.example:5061;transport=ws>', 'pbx.example'), 'bob');
  assert.equal(formatTarget('sip:bob@partner.example', 'pbx.example'), 'bob@partner.example');
  assert.equal(formatTarget('sip:+15550100@pbx.example?X-Ref=1', 'pbx.example'), '+15550100');
  assert.equal(formatTarget('bob@pbx.example', null), 'bob@pbx.example');
});

test('formatTarget keeps dialled numbers as typed, only tidying whitespace', () => {
  assert.equal(formatTarget('  +1 555   010 0 ', 'pbx.example'), '+1 555 010 0');
  assert.equal(formatTarget('5550100', 'pbx.example'), '5550100');
});

test('formatPeer adds the display name only when it says something new', () => {
  assert.equal(formatPeer('sip:bob@pbx.example', 'Bob Smith', 'pbx.example'), 'Bob Smith (bob)');
  assert.equal(formatPeer('sip:bob@pbx.example', 'bob', 'pbx.example'), 'bob');
  assert.equal(formatPeer('5550100', '  ', 'pbx.example'), '5550100');
  assert.equal(formatPeer('5550100', null, 'pbx.example'), '5550100');
});

test('checkDialInput rejects empty and oversized input with a sentence the agent can act on', () => {
  assert.deepEqual(checkDialInput('  5550100 '), { ok: true, target: '5550100' });
  const empty = checkDialInput('   ');
  assert.equal(empty.ok, false);
  assert.match(!empty.ok ? empty.error : '', /Enter a number/);
  const long = checkDialInput('1'.repeat(257));
  assert.equal(long.ok, false);
  assert.match(!long.ok ? long.error : '', /too long/);
});

test('service number labels: known ids get product names, words stay, other ids are spelled out', () => {
  assert.equal(serviceLabel('echo'), 'Echo test');
  assert.equal(serviceLabel('noAnswer'), 'No-answer test');
  assert.equal(serviceLabel('Echo test'), 'Echo test');
  assert.equal(serviceLabel('Helpdesk'), 'Helpdesk');
  assert.equal(serviceLabel('voiceMail'), 'Voice mail');
  assert.equal(serviceLabel('it_support-line'), 'It support line');
});
