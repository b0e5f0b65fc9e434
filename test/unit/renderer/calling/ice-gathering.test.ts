import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatheringIsGoodEnough } from '../../../../renderer/calling/ice-gathering.js';

test('ICE gathering: a UDP relay candidate ends the wait when TURN is configured; nothing else does', () => {
  assert.equal(gatheringIsGoodEnough({ type: 'relay', protocol: 'udp' }, true), true);
  assert.equal(gatheringIsGoodEnough({ type: 'relay', protocol: 'tcp' }, true), false);
  assert.equal(gatheringIsGoodEnough({ type: 'host', protocol: 'udp' }, true), false);
  assert.equal(gatheringIsGoodEnough({ type: 'srflx', protocol: 'udp' }, true), false);
  assert.equal(gatheringIsGoodEnough({ type: 'relay', protocol: 'udp' }, false), false);
});
