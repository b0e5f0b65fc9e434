/**
 * The STUN Binding and TURN client exchanges the checks need: learn the mapped address, allocate a
 * relay with long-term (TURN REST) credentials, open a permission and pass data through the relay.
 */
import {
  Attr,
  Method,
  REQUESTED_TRANSPORT_UDP,
  attribute,
  errorCode,
  longTermKey,
  message,
  readXorAddress,
  text,
  uint32,
  xorAddress,
  type StunMessage,
  type TransportAddress,
} from './message.js';
import type { StunTransport } from './transaction.js';

export class StunError extends Error {
  constructor(
    readonly code: number,
    reason: string,
    what: string,
  ) {
    super(`${what} rejected: ${code} ${reason}`.trim());
  }
}

function expectSuccess(res: StunMessage, what: string): StunMessage {
  if (res.cls === 'success') return res;
  const err = errorCode(res);
  throw new StunError(err?.code ?? 0, err?.reason ?? 'error response without ERROR-CODE', what);
}

export async function binding(t: StunTransport): Promise<TransportAddress> {
  const res = expectSuccess(await t.request(message(Method.Binding, 'request')), 'Binding');
  const xor = attribute(res, Attr.XorMappedAddress);
  if (!xor) throw new Error('Binding response has no XOR-MAPPED-ADDRESS');
  return readXorAddress(xor);
}

export interface Allocation {
  relayed: TransportAddress;
  mapped: TransportAddress | null;
  lifetimeSec: number;
  /** Signs every later request on this allocation. */
  sign(attributes: StunMessage['attributes']): StunMessage['attributes'];
  key: Buffer;
}

/** Allocate (RFC 8656 §7): the first request is answered 401 with REALM + NONCE, then signed. */
export async function allocate(t: StunTransport, username: string, password: string): Promise<Allocation> {
  const base = [{ type: Attr.RequestedTransport, value: REQUESTED_TRANSPORT_UDP }];
  const challenge = await t.request(message(Method.Allocate, 'request', base));
  if (challenge.cls === 'success') throw new Error('TURN server allocated without authentication');
  const realm = attribute(challenge, Attr.Realm)?.toString('utf8');
  const nonce = attribute(challenge, Attr.Nonce);
  if (errorCode(challenge)?.code !== 401 || realm === undefined || !nonce) expectSuccess(challenge, 'Allocate');
  const key = longTermKey(username, realm!, password);
  const sign = (attributes: StunMessage['attributes']) => [
    ...attributes,
    { type: Attr.Username, value: text(username) },
    { type: Attr.Realm, value: text(realm!) },
    { type: Attr.Nonce, value: nonce! },
  ];
  const res = expectSuccess(await t.request(message(Method.Allocate, 'request', sign(base)), key), 'Allocate');
  const relayed = attribute(res, Attr.XorRelayedAddress);
  if (!relayed) throw new Error('Allocate response has no XOR-RELAYED-ADDRESS');
  const mapped = attribute(res, Attr.XorMappedAddress);
  return {
    relayed: readXorAddress(relayed),
    mapped: mapped ? readXorAddress(mapped) : null,
    lifetimeSec: attribute(res, Attr.Lifetime)?.readUInt32BE(0) ?? 0,
    sign,
    key,
  };
}

export async function createPermission(t: StunTransport, a: Allocation, peer: TransportAddress): Promise<void> {
  const attrs = a.sign([{ type: Attr.XorPeerAddress, value: xorAddress(peer) }]);
  expectSuccess(await t.request(message(Method.CreatePermission, 'request', attrs), a.key), 'CreatePermission');
}

/** Send indication: unauthenticated by design (RFC 8656 §10), delivered from the relayed address. */
export function sendToPeer(t: StunTransport, peer: TransportAddress, data: Buffer): void {
  t.indicate(
    message(Method.Send, 'indication', [
      { type: Attr.XorPeerAddress, value: xorAddress(peer) },
      { type: Attr.Data, value: data },
    ]),
  );
}

export function onPeerData(t: StunTransport, listener: (from: TransportAddress, data: Buffer) => void): () => void {
  return t.onIndication((msg) => {
    if (msg.method !== Method.Data) return;
    const peer = attribute(msg, Attr.XorPeerAddress);
    const data = attribute(msg, Attr.Data);
    if (peer && data) listener(readXorAddress(peer), data);
  });
}

/** Releases the allocation at once (Refresh with LIFETIME 0) so probes do not eat the user's quota. */
export async function deallocate(t: StunTransport, a: Allocation): Promise<void> {
  const attrs = a.sign([{ type: Attr.Lifetime, value: uint32(0) }]);
  await t.request(message(Method.Refresh, 'request', attrs), a.key).catch(() => undefined);
}
