import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reasonText, remoteHangupMessage } from '../../../../renderer/calling/hangup-reason.js';

test("the server's media-timeout BYE reads as a lost network path", () => {
  const header = 'Q.850;cause=102;text="media timeout"';
  assert.equal(reasonText(header), 'media timeout');
  assert.equal(remoteHangupMessage(header), 'Call ended: no audio in either direction — the network path was lost');
});

test('another Reason is shown as its text, bounded; none, or one without text, says nothing', () => {
  assert.equal(remoteHangupMessage('SIP;cause=200;text="Call completed elsewhere"'), 'Call ended — Call completed elsewhere');
  assert.equal(reasonText('SIP ; cause=480 ; text = "say \\"hi\\""'), 'say "hi"');
  assert.equal(remoteHangupMessage(`SIP;text="${'x'.repeat(500)}"`)?.length, 'Call ended — '.length + 80);
  assert.equal(remoteHangupMessage(undefined), null);
  assert.equal(remoteHangupMessage('Q.850;cause=16'), null);
  assert.equal(remoteHangupMessage('SIP;text=""'), null);
});
