/** Verdict rules of the SIP WebSocket handshake, with the OS and network faked. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sipWebSocketStep } from '../../../../../main/diagnostics/steps/sip-websocket.js';
import { fakeProbes } from '../fakes.js';
import { only } from '../support/run-one-step.js';

describe('signaling', () => {
  it('HTTP 200 instead of 101, or no sip subprotocol, fails the handshake', async () => {
    const answer = (status: number, protocol: string | null) =>
      fakeProbes({ webSocketHandshake: async () => ({ status, protocol, ms: 5 }) });
    assert.match((await only(sipWebSocketStep, answer(200, null))).explanation, /HTTP 200 instead of switching/);
    assert.match((await only(sipWebSocketStep, answer(101, null))).explanation, /did not agree on the sip subprotocol/);
    assert.equal((await only(sipWebSocketStep, answer(101, 'sip'))).verdict, 'pass');
  });
});
