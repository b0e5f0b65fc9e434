/**
 * The transaction layer on a real UDP socket, with a raw socket as the peer: final responses
 * to INVITE are retransmitted until the ACK, retransmitted requests are absorbed, and client
 * requests are retransmitted until answered.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { SipEndpoint, type ServerTransaction } from '../../../backend/carrier/sip/endpoint.js';
import { createRequest, createResponse, serializeSipMessage, type SipRequest } from '../../../backend/carrier/sip/message.js';
import { parseSipMessage } from '../../../backend/carrier/sip/parser.js';
import { UdpTransport } from '../../../backend/carrier/sip/udp-transport.js';
import { SUITE_PORTS } from './carrier-process.js';
import { setTimeout as sleep } from 'node:timers/promises';

const UA_PORT = SUITE_PORTS.carrierSip + 30;
const PEER_PORT = SUITE_PORTS.carrierSip + 31;

let transport: UdpTransport;
let endpoint: SipEndpoint;
let peer: dgram.Socket;
const received: Buffer[] = [];
/** Call-IDs of the requests the TU was given (retransmissions must not reach it). */
const requestsSeen: string[] = [];

before(async () => {
  transport = new UdpTransport(() => {});
  endpoint = new SipEndpoint(transport);
  endpoint.setUser({
    onRequest(req: SipRequest, tx: ServerTransaction) {
      const callId = req.headers.find((h) => h.name === 'Call-ID')!.value;
      requestsSeen.push(callId);
      // Calls named "ok-…" are answered 200, the others refused like the busy number.
      tx.respond(createResponse(req, callId.startsWith('ok-') ? 200 : 486, { toTag: 'uas1' }));
    },
    onAck() {},
    onCancel() {},
  });
  await transport.listen('127.0.0.1', UA_PORT);
  peer = dgram.createSocket('udp4');
  peer.on('message', (d) => received.push(d));
  await new Promise<void>((r) => peer.bind(PEER_PORT, '127.0.0.1', () => r()));
});

after(async () => {
  endpoint.close();
  await transport.close();
  peer.close();
});

function invite(callId: string, branch: string, method = 'INVITE', seq = 1): Buffer {
  return serializeSipMessage(
    createRequest(method, `sip:5550103@127.0.0.1:${UA_PORT}`, [
      { name: 'Via', value: `SIP/2.0/UDP 127.0.0.1:${PEER_PORT};branch=${branch}` },
      { name: 'From', value: '<sip:peer@127.0.0.1>;tag=p1' },
      { name: 'To', value: `<sip:5550103@127.0.0.1>${method === 'ACK' ? ';tag=uas1' : ''}` },
      { name: 'Call-ID', value: callId },
      { name: 'CSeq', value: `${seq} ${method}` },
      { name: 'Contact', value: `<sip:peer@127.0.0.1:${PEER_PORT}>` },
    ]),
  );
}

const send = (b: Buffer) => peer.send(b, UA_PORT, '127.0.0.1');
const responsesFor = (callId: string) =>
  received
    .map((d) => parseSipMessage(d))
    .filter((p) => p.ok && p.message.kind === 'response' && p.message.headers.some((h) => h.name === 'Call-ID' && h.value === callId));

// The four cases use distinct Call-IDs and branches, so they run side by side (each waits ~2 s).
describe('transactions on a real UDP socket', { concurrency: true }, () => {
  test('a non-2xx final to INVITE is retransmitted (T1 doubling) while no ACK comes', { timeout: 5000 }, async () => {
    send(invite('noack-1', 'z9hG4bKnoack1'));
    await sleep(2200); // sent at 0, retransmitted at 0.5 s and 1.5 s (next at 3.5 s)
    assert.equal(responsesFor('noack-1').length, 3);
  });

  test('the ACK stops the retransmissions', { timeout: 5000 }, async () => {
    send(invite('ack-1', 'z9hG4bKack1'));
    await sleep(100);
    send(invite('ack-1', 'z9hG4bKack1', 'ACK'));
    await sleep(2200);
    assert.equal(responsesFor('ack-1').length, 1);
  });

  test('a retransmitted INVITE is absorbed: the TU sees it once, the response is repeated', { timeout: 5000 }, async () => {
    send(invite('ok-dup-1', 'z9hG4bKdup1'));
    await sleep(50);
    send(invite('ok-dup-1', 'z9hG4bKdup1'));
    await sleep(50);
    send(invite('ok-dup-1', 'z9hG4bKdup1', 'ACK'));
    await sleep(300);
    assert.equal(requestsSeen.filter((id) => id === 'ok-dup-1').length, 1);
    assert.equal(responsesFor('ok-dup-1').length, 2);
  });

  test('a client request is retransmitted until a response arrives, then reported once', { timeout: 5000 }, async () => {
    const req = createRequest('OPTIONS', `sip:peer@127.0.0.1:${PEER_PORT}`, [
      { name: 'Via', value: `SIP/2.0/UDP 127.0.0.1:${UA_PORT};branch=z9hG4bKclient1` },
      { name: 'From', value: '<sip:ua@127.0.0.1>;tag=u1' },
      { name: 'To', value: '<sip:peer@127.0.0.1>' },
      { name: 'Call-ID', value: 'client-1' },
      { name: 'CSeq', value: '1 OPTIONS' },
    ]);
    const statuses: number[] = [];
    const start = received.length;
    endpoint.request(req, { address: '127.0.0.1', port: PEER_PORT }, (res) => statuses.push(res.status));
    await sleep(2200); // sent at 0, 0.5 s, 1.5 s (next at 3.5 s)
    const copies = received.slice(start).filter((d) => d.toString().startsWith('OPTIONS'));
    assert.equal(copies.length, 3);
    const parsed = parseSipMessage(copies[0]!);
    assert.ok(parsed.ok && parsed.message.kind === 'request');
    send(serializeSipMessage(createResponse(parsed.message, 200, { toTag: 'p2' })));
    send(serializeSipMessage(createResponse(parsed.message, 200, { toTag: 'p2' })));
    await sleep(700);
    assert.deepEqual(statuses, [200]);
    assert.equal(received.slice(start).filter((d) => d.toString().startsWith('OPTIONS')).length, 3, 'no retransmission after the answer');
  });
});
