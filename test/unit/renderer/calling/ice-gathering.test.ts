import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RELAY_GRACE_MIN_MS, RelayGathering, relayTransportsOf } from '../../../../renderer/calling/ice-gathering.js';

const PROVISIONED = [
  {
    urls: ['turn:turn.example:3478?transport=udp', 'turn:turn.example:3478?transport=tcp', 'turns:turn.example:5349?transport=tcp'],
    username: 'u',
    credential: 'p',
  },
  { urls: 'stun:stun.example:3478' },
];

test('the relay transports wanted are those the TURN URLs name: turns: is TLS, turn: is tcp or (by default) udp; STUN adds none', () => {
  assert.deepEqual([...relayTransportsOf(PROVISIONED)].sort(), ['tcp', 'tls', 'udp']);
  assert.deepEqual([...relayTransportsOf([{ urls: 'turn:t.example' }])], ['udp']);
  assert.deepEqual([...relayTransportsOf([{ urls: 'stun:s.example' }])], []);
});

test('gathering is complete once a relay of every wanted transport is in, whatever the order; not at the first UDP relay', () => {
  const g = new RelayGathering(relayTransportsOf(PROVISIONED), 0);
  assert.equal(g.add({ type: 'host' }, 10), false);
  assert.equal(g.add({ type: 'relay', relayProtocol: 'udp' }, 10), false, 'a UDP relay alone could not survive a UDP block');
  assert.equal(g.add({ type: 'srflx' }, 10), false);
  assert.equal(g.add({ type: 'relay', relayProtocol: 'tls' }, 10), false);
  assert.equal(g.add({ type: 'relay', relayProtocol: 'tls' }, 10), false, 'a second TLS relay changes nothing');
  assert.equal(g.add({ type: 'relay', relayProtocol: 'tcp' }, 10), true, 'the last transport completes it');
  assert.equal(g.add({ type: 'relay', relayProtocol: 'udp' }, 10), false, 'said once');
});

test('without TURN, or with a relay of unknown transport, gathering is left to the browser and its timeout', () => {
  const none = new RelayGathering(relayTransportsOf([{ urls: 'stun:s.example' }]), 0);
  assert.equal(none.add({ type: 'relay', relayProtocol: 'udp' }, 10), false);
  const udpOnly = new RelayGathering(relayTransportsOf([{ urls: 'turn:t.example?transport=udp' }]), 0);
  assert.equal(udpOnly.add({ type: 'relay', relayProtocol: null }, 10), false);
  assert.equal(udpOnly.add({ type: 'relay', relayProtocol: 'UDP' }, 10), true);
});

test('a transport that never answers costs a grace after the first relay (twice its wait, at least the minimum), not the whole budget', () => {
  const fast = new RelayGathering(relayTransportsOf(PROVISIONED), 1000);
  assert.equal(fast.deadline, null, 'no deadline before any relay');
  fast.add({ type: 'relay', relayProtocol: 'tcp' }, 1020);
  assert.equal(fast.deadline, 1020 + RELAY_GRACE_MIN_MS, 'loopback-fast: the minimum grace');
  fast.add({ type: 'relay', relayProtocol: 'tls' }, 1050);
  assert.equal(fast.deadline, 1020 + RELAY_GRACE_MIN_MS, 'set by the first relay only');
  const far = new RelayGathering(relayTransportsOf(PROVISIONED), 0);
  far.add({ type: 'relay', relayProtocol: 'udp' }, 200);
  assert.equal(far.deadline, 600, 'a 200 ms TURN: the others get 400 ms more');
});
