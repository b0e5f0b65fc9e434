/**
 * The port plan: the signaling block is fixed, the media ranges follow --max-calls (per-call port
 * counts × calls), inside the block up to BLOCK_MAX_CALLS and after it beyond, never on a
 * signaling port and never past 65535.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCK_MAX_CALLS, DEFAULT_PORT_BASE as B, MEDIA_PORTS_PER_CALL, PORT_BLOCK_SIZE, portsFor } from '../../../backend/ports.js';

const size = (min: number, max: number) => max - min + 1;

test('up to BLOCK_MAX_CALLS the media ranges sit in the block: the layout every test stack has', () => {
  const p = portsFor(B);
  assert.deepEqual(
    [p.rtpengineMediaMin, p.rtpengineMediaMax, p.turnRelayMin, p.turnRelayMax, p.carrierMediaMin, p.carrierMediaMax].map((x) => x - B),
    [1000, 1199, 1200, 1399, 1400, 1499],
  );
  const small = portsFor(B, { maxCalls: 3 });
  assert.equal(small.rtpengineMediaMin, B + 1000);
  assert.equal(size(small.rtpengineMediaMin, small.rtpengineMediaMax), 3 * MEDIA_PORTS_PER_CALL.rtpengine);
  assert.equal(size(small.turnRelayMin, small.turnRelayMax), 3 * MEDIA_PORTS_PER_CALL.turnRelay);
  assert.equal(size(small.carrierMediaMin, small.carrierMediaMax), 3 * MEDIA_PORTS_PER_CALL.carrier);
});

test('a larger stack puts its media ranges after the block, or from --media-port-min, sized per call', () => {
  const p = portsFor(B, { maxCalls: 1000 });
  assert.equal(p.sipUdp, B);
  assert.equal(p.rtpengineMediaMin, B + PORT_BLOCK_SIZE);
  assert.equal(size(p.rtpengineMediaMin, p.rtpengineMediaMax), 4000);
  assert.equal(size(p.turnRelayMin, p.turnRelayMax), 4000);
  assert.equal(p.carrierMediaMax, B + PORT_BLOCK_SIZE + 10_000 - 1);
  const moved = portsFor(B, { maxCalls: BLOCK_MAX_CALLS + 1, mediaPortMin: B + 20_000 });
  assert.equal(moved.rtpengineMediaMin, B + 20_000);
  assert.equal(moved.turnRelayMin, B + 20_000 + (BLOCK_MAX_CALLS + 1) * MEDIA_PORTS_PER_CALL.rtpengine);
});

test('bad sizes name the option and say what would fit', () => {
  assert.throws(() => portsFor(B, { maxCalls: 0 }), /--max-calls must be an integer from 1 to 10000 \(got 0\)/);
  assert.throws(() => portsFor(B, { maxCalls: 2.5 }), /--max-calls must be an integer/);
  assert.throws(() => portsFor(B + 40_000, { maxCalls: 1000 }), /need 10000 ports \(62000-71999\), which must lie within 1024-65535/);
  assert.throws(
    () => portsFor(B, { maxCalls: 10, mediaPortMin: B - 10 }),
    /media ranges \(19990-20089\) overlap the signaling ports 20000-20050/,
  );
});
