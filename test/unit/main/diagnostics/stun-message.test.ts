import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  Attr,
  Method,
  decode,
  encode,
  errorCode,
  framedLength,
  isStun,
  longTermKey,
  message,
  readXorAddress,
  xorAddress,
} from '../../../../main/diagnostics/stun/message.js';

describe('STUN message codec', () => {
  it('encodes method and class into the RFC 8489 message type', () => {
    const type = (m: number, c: Parameters<typeof message>[1]) => encode(message(m, c)).readUInt16BE(0);
    assert.equal(type(Method.Binding, 'request'), 0x0001);
    assert.equal(type(Method.Binding, 'success'), 0x0101);
    assert.equal(type(Method.Allocate, 'request'), 0x0003);
    assert.equal(type(Method.Allocate, 'success'), 0x0103);
    assert.equal(type(Method.Allocate, 'error'), 0x0113);
    assert.equal(type(Method.CreatePermission, 'request'), 0x0008);
    assert.equal(type(Method.Send, 'indication'), 0x0016);
    assert.equal(type(Method.Data, 'indication'), 0x0017);
  });

  it('XOR-MAPPED-ADDRESS matches the RFC 5769 sample (192.0.2.1:32853)', () => {
    const value = Buffer.from('0001a147e112a643', 'hex');
    assert.deepEqual(readXorAddress(value), { address: '192.0.2.1', port: 32853 });
    assert.deepEqual(xorAddress({ address: '192.0.2.1', port: 32853 }), value);
  });

  it('round-trips attributes with padding and keeps the transaction id', () => {
    const msg = message(Method.Allocate, 'request', [
      { type: Attr.Username, value: Buffer.from('1700000000:alice') }, // 16 bytes: no padding
      { type: Attr.Realm, value: Buffer.from('clearline') }, // 9 bytes: 3 padding
      { type: Attr.Data, value: Buffer.from([1, 2]) },
    ]);
    const bytes = encode(msg);
    assert.equal(bytes.length % 4, 0);
    assert.equal(framedLength(bytes), bytes.length);
    assert.equal(framedLength(bytes.subarray(0, bytes.length - 1)), null, 'incomplete frame');
    const back = decode(bytes);
    assert.equal(back.method, Method.Allocate);
    assert.equal(back.cls, 'request');
    assert.deepEqual(back.transactionId, msg.transactionId);
    assert.deepEqual(
      back.attributes.map((a) => a.value.toString('latin1')),
      ['1700000000:alice', 'clearline', '\x01\x02'],
    );
  });

  it('MESSAGE-INTEGRITY covers the header with the length already counting itself', () => {
    const key = longTermKey('user', 'realm', 'pass');
    assert.equal(key.toString('hex'), '8493fbc53ba582fb4c044c456bdc40eb', 'MD5("user:realm:pass")');
    const bytes = encode(message(Method.Refresh, 'request', [{ type: Attr.Lifetime, value: Buffer.alloc(4) }]), key);
    const miOffset = bytes.length - 24;
    assert.equal(bytes.readUInt16BE(miOffset), Attr.MessageIntegrity);
    assert.equal(bytes.readUInt16BE(2), bytes.length - 20, 'length includes the MI attribute');
    const expected = createHmac('sha1', key).update(bytes.subarray(0, miOffset)).digest();
    assert.deepEqual(bytes.subarray(miOffset + 4), expected);
  });

  it('reads ERROR-CODE and rejects what is not STUN', () => {
    const err = Buffer.concat([Buffer.from([0, 0, 4, 1]), Buffer.from('Unauthorized')]);
    const msg = decode(encode(message(Method.Allocate, 'error', [{ type: Attr.ErrorCode, value: err }])));
    assert.deepEqual(errorCode(msg), { code: 401, reason: 'Unauthorized' });
    assert.equal(isStun(Buffer.from('CLRF and some reflector bytes')), false);
    assert.throws(() => decode(Buffer.alloc(8)), /not a STUN message/);
  });
});
