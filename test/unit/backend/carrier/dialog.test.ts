import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dialog } from '../../../../backend/carrier/sip/dialog.js';
import { createRequest, createResponse, headerValue, headerValues } from '../../../../backend/carrier/sip/message.js';

const via = (b: string) => `SIP/2.0/UDP 127.0.0.1:30040;rport;branch=${b}`;

function incomingInvite() {
  return createRequest('INVITE', 'sip:5550100@127.0.0.1:30040', [
    { name: 'Via', value: 'SIP/2.0/UDP 127.0.0.1:20000;branch=z9hG4bKk1' },
    { name: 'Record-Route', value: '<sip:127.0.0.1:20000;lr;r2=on>, <sip:127.0.0.1:20001;transport=ws;lr;r2=on>' },
    { name: 'From', value: '"Alice" <sip:alice@clearline.test>;tag=alice1' },
    { name: 'To', value: '<sip:5550100@clearline.test>' },
    { name: 'Call-ID', value: 'd-1' },
    { name: 'CSeq', value: '10 INVITE' },
    { name: 'Contact', value: '<sip:alice@abc.invalid;transport=ws;alias=127.0.0.1~5555~1>' },
  ]);
}

test("UAS dialog: Route set = Record-Route in order, R-URI = the caller's Contact, next hop = first Route", () => {
  const d = Dialog.fromIncomingInvite(incomingInvite(), 'car1')!;
  const bye = d.createRequest('BYE', via);
  assert.equal(bye.uri, 'sip:alice@abc.invalid;transport=ws;alias=127.0.0.1~5555~1');
  assert.deepEqual(headerValues(bye, 'Route'), ['<sip:127.0.0.1:20000;lr;r2=on>', '<sip:127.0.0.1:20001;transport=ws;lr;r2=on>']);
  assert.equal(headerValue(bye, 'From'), '<sip:5550100@clearline.test>;tag=car1');
  assert.equal(headerValue(bye, 'To'), '"Alice" <sip:alice@clearline.test>;tag=alice1');
  assert.equal(headerValue(bye, 'CSeq'), '1 BYE');
  assert.equal(headerValue(d.createRequest('INFO', via), 'CSeq'), '2 INFO');
  assert.deepEqual(d.nextHop(), { address: '127.0.0.1', port: 20000 });
});

test('UAC dialog: Route set is the 2xx Record-Route reversed; remote target from the 2xx Contact', () => {
  const invite = createRequest('INVITE', 'sip:alice@clearline.test', [
    { name: 'Via', value: via('z9hG4bKout') },
    { name: 'From', value: '<sip:+15551230000@127.0.0.1>;tag=c1' },
    { name: 'To', value: '<sip:alice@clearline.test>' },
    { name: 'Call-ID', value: 'd-2' },
    { name: 'CSeq', value: '1 INVITE' },
  ]);
  const ok = createResponse(invite, 200, { toTag: 'a9' });
  ok.headers.push({ name: 'Record-Route', value: '<sip:10.0.0.2;lr>' }, { name: 'Record-Route', value: '<sip:127.0.0.1:20000;lr>' });
  ok.headers.push({ name: 'Contact', value: '<sip:alice@127.0.0.1:5555>' });
  const d = Dialog.fromOutgoingInvite(invite, ok)!;
  const bye = d.createRequest('BYE', via);
  assert.deepEqual(headerValues(bye, 'Route'), ['<sip:127.0.0.1:20000;lr>', '<sip:10.0.0.2;lr>']);
  assert.equal(bye.uri, 'sip:alice@127.0.0.1:5555');
  assert.equal(headerValue(bye, 'CSeq'), '2 BYE');
  assert.deepEqual(d.nextHop(), { address: '127.0.0.1', port: 20000 });
});

test('without a Route set the next hop is the remote target (default port 5060)', () => {
  const invite = incomingInvite();
  invite.headers = invite.headers.filter((h) => h.name !== 'Record-Route');
  invite.headers = invite.headers.map((h) => (h.name === 'Contact' ? { name: 'Contact', value: '<sip:alice@127.0.0.2>' } : h));
  assert.deepEqual(Dialog.fromIncomingInvite(invite, 't')!.nextHop(), { address: '127.0.0.2', port: 5060 });
});

test('in-dialog requests are matched by Call-ID and both tags; stale CSeq is refused', () => {
  const d = Dialog.fromIncomingInvite(incomingInvite(), 'car1')!;
  const req = (cseq: number, toTag = 'car1', method = 'BYE') =>
    createRequest(method, 'sip:5550100@127.0.0.1:30040', [
      { name: 'Via', value: 'SIP/2.0/UDP 127.0.0.1:20000;branch=z9hG4bKk2' },
      { name: 'From', value: '<sip:alice@clearline.test>;tag=alice1' },
      { name: 'To', value: `<sip:5550100@clearline.test>;tag=${toTag}` },
      { name: 'Call-ID', value: 'd-1' },
      { name: 'CSeq', value: `${cseq} ${method}` },
      { name: 'Contact', value: '<sip:alice@127.0.0.9:7777>' },
    ]);
  assert.equal(d.matches(req(11)), true);
  assert.equal(d.matches(req(11, 'other')), false);
  assert.equal(d.acceptRemoteRequest(req(10)), false, "CSeq not above the INVITE's");
  assert.equal(d.acceptRemoteRequest(req(11, 'car1', 'INVITE')), true);
  assert.equal(d.remoteTarget, 'sip:alice@127.0.0.9:7777', 're-INVITE refreshes the target');
  assert.equal(d.acceptRemoteRequest(req(11)), false, 'same CSeq again is out of order');
});

test('no dialog without a From tag or a Contact', () => {
  const invite = incomingInvite();
  invite.headers = invite.headers.filter((h) => h.name !== 'Contact');
  assert.equal(Dialog.fromIncomingInvite(invite, 't'), undefined);
});
