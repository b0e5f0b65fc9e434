import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DatagramChannel, StreamChannel } from '../../../../main/diagnostics/channels.js';
import {
  PROBE_BYTES,
  REPLY_BYTES,
  decodeReply,
  decodeRequest,
  encodeReply,
  encodeRequest,
} from '../../../../common/node/reflector-protocol.js';
import { Attr, Method, decode, encode, message, xorAddress } from '../../../../main/diagnostics/stun/message.js';
import { streamTransport, udpTransport } from '../../../../main/diagnostics/stun/transaction.js';
import { binding } from '../../../../main/diagnostics/stun/turn-client.js';

const server = { address: '203.0.113.5', port: 3478 };

function bindingAnswer(request: Buffer) {
  const req = decode(request);
  return encode({
    ...message(Method.Binding, 'success', [{ type: Attr.XorMappedAddress, value: xorAddress({ address: '198.51.100.7', port: 61000 }) }]),
    transactionId: req.transactionId,
  });
}

describe('STUN transactions', () => {
  it('UDP: retransmits until answered, ignores strangers, matches the transaction id', async () => {
    const sent: number[] = [];
    let listener: Parameters<DatagramChannel['onMessage']>[0] = () => {};
    const channel: DatagramChannel = {
      local: { address: '0.0.0.0', port: 1 },
      send(data) {
        sent.push(Date.now());
        if (sent.length < 3) return; // first two copies "lost"
        listener(bindingAnswer(data), { address: '192.0.2.66', port: 3478 }, 0); // wrong source: ignored
        listener(bindingAnswer(data), server, 0);
      },
      onMessage: (l) => ((listener = l), () => {}),
      setTos() {},
      close() {},
    };
    const mapped = await binding(udpTransport(channel, server));
    assert.deepEqual(mapped, { address: '198.51.100.7', port: 61000 });
    assert.equal(sent.length, 3);
  });

  it('UDP: gives up with a message naming the server', async () => {
    const channel: DatagramChannel = {
      local: { address: '0.0.0.0', port: 1 },
      send() {},
      onMessage: () => () => {},
      setTos() {},
      close() {},
    };
    await assert.rejects(binding(udpTransport(channel, server)), /no STUN response over UDP from 203\.0\.113\.5:3478 within 2500 ms/);
  });

  it('TCP: reassembles a response split across chunks', async () => {
    let onData: (c: Buffer) => void = () => {};
    const channel: StreamChannel = {
      send(data) {
        const answer = bindingAnswer(data);
        setTimeout(() => onData(answer.subarray(0, 7)), 1);
        setTimeout(() => onData(answer.subarray(7)), 2);
      },
      onData: (l) => ((onData = l), () => {}),
      onClose: () => () => {},
      close() {},
    };
    assert.deepEqual(await binding(streamTransport(channel, 'tcp', 'x')), { address: '198.51.100.7', port: 61000 });
  });

  it('TCP: a closed connection fails the pending request at once', async () => {
    let closed: (e?: Error) => void = () => {};
    const channel: StreamChannel = {
      send: () => setTimeout(() => closed(new Error('ECONNRESET')), 1),
      onData: () => () => {},
      onClose: (l) => ((closed = l), () => {}),
      close() {},
    };
    await assert.rejects(
      binding(streamTransport(channel, 'tls', 'TCP 443 (TLS) to m')),
      /TLS connection to TCP 443 \(TLS\) to m closed: ECONNRESET/,
    );
  });
});

describe('reflector protocol', () => {
  it('round-trips a request and its reply', () => {
    const req = encodeRequest({ kind: 'probe', seq: 42, clientSentMs: 1234.5 });
    assert.equal(req.length, PROBE_BYTES);
    assert.deepEqual(decodeRequest(req), { kind: 'probe', seq: 42, clientSentMs: 1234.5 });
    const reply = encodeReply(
      {
        kind: 'probe',
        seq: 42,
        clientSentMs: 1234.5,
        serverReceivedMs: 99.25,
        receivedTos: 0xb8,
        observed: { address: '198.51.100.1', port: 40000 },
      },
      req.length,
    );
    assert.deepEqual(decodeReply(reply), {
      kind: 'probe',
      seq: 42,
      clientSentMs: 1234.5,
      serverReceivedMs: 99.25,
      receivedTos: 184,
      observed: { address: '198.51.100.1', port: 40000 },
    });
  });

  it('never amplifies: the reply is as long as the request, and short requests get none', () => {
    const req = encodeRequest({ kind: 'time', seq: 1, clientSentMs: 0 }, REPLY_BYTES);
    const reply = encodeReply(
      { kind: 'time', seq: 1, clientSentMs: 0, serverReceivedMs: 0, receivedTos: null, observed: { address: '1.2.3.4', port: 1 } },
      req.length,
    );
    assert.equal(reply.length, req.length);
    assert.equal(decodeReply(reply)?.receivedTos, null);
    assert.equal(decodeRequest(req.subarray(0, REPLY_BYTES - 1)), null);
    assert.equal(decodeRequest(Buffer.from('GET / HTTP/1.1\r\n\r\n and more bytes to pass the length')), null);
    assert.equal(decodeReply(req), null, 'a request is not a reply');
  });
});
