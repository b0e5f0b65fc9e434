/**
 * STUN/TURN message codec (RFC 8489 / RFC 8656): just the methods and attributes the diagnostics
 * use. Pure: bytes in, objects out, so it is unit-tested without sockets.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

const MAGIC_COOKIE = 0x2112a442;
const HEADER = 20;

export const Method = {
  Binding: 0x001,
  Allocate: 0x003,
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
} as const;
export type MessageClass = 'request' | 'indication' | 'success' | 'error';

export const Attr = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Data: 0x0013,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  RequestedTransport: 0x0019,
  XorMappedAddress: 0x0020,
  Fingerprint: 0x8028,
} as const;

export interface StunMessage {
  method: number;
  cls: MessageClass;
  transactionId: Buffer;
  attributes: { type: number; value: Buffer }[];
}

export interface TransportAddress {
  address: string;
  port: number;
}

const CLASS_BITS: Record<MessageClass, number> = { request: 0x000, indication: 0x010, success: 0x100, error: 0x110 };

function messageType(method: number, cls: MessageClass): number {
  // The class bits sit between method bits (RFC 8489 §5): M11..M7 C1 M6..M4 C0 M3..M0.
  return ((method & 0xf80) << 2) | ((method & 0x070) << 1) | (method & 0x00f) | CLASS_BITS[cls];
}

function splitType(type: number): { method: number; cls: MessageClass } {
  const method = ((type & 0x3e00) >> 2) | ((type & 0x00e0) >> 1) | (type & 0x000f);
  const bits = type & 0x110;
  const cls = (Object.keys(CLASS_BITS) as MessageClass[]).find((k) => CLASS_BITS[k] === bits)!;
  return { method, cls };
}

function newTransactionId(): Buffer {
  return randomBytes(12);
}

export function message(method: number, cls: MessageClass, attributes: StunMessage['attributes'] = []): StunMessage {
  return { method, cls, transactionId: newTransactionId(), attributes };
}

/** The long-term credential key (RFC 8489 §9.2.2): MD5(username ":" realm ":" password). */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest();
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function encodeAttributes(attributes: StunMessage['attributes']): Buffer {
  const parts: Buffer[] = [];
  for (const { type, value } of attributes) {
    const head = Buffer.alloc(4);
    head.writeUInt16BE(type, 0);
    head.writeUInt16BE(value.length, 2);
    parts.push(head, value, Buffer.alloc(pad4(value.length) - value.length));
  }
  return Buffer.concat(parts);
}

function header(msg: StunMessage, bodyLength: number): Buffer {
  const h = Buffer.alloc(HEADER);
  h.writeUInt16BE(messageType(msg.method, msg.cls), 0);
  h.writeUInt16BE(bodyLength, 2);
  h.writeUInt32BE(MAGIC_COOKIE, 4);
  msg.transactionId.copy(h, 8);
  return h;
}

/** Serialises a message; with `key`, appends MESSAGE-INTEGRITY (HMAC-SHA1 over everything before it). */
export function encode(msg: StunMessage, key?: Buffer): Buffer {
  const body = encodeAttributes(msg.attributes);
  if (!key) return Buffer.concat([header(msg, body.length), body]);
  const withIntegrityLength = body.length + 24;
  const signed = Buffer.concat([header(msg, withIntegrityLength), body]);
  const hmac = createHmac('sha1', key).update(signed).digest();
  return Buffer.concat([signed, encodeAttributes([{ type: Attr.MessageIntegrity, value: hmac }])]);
}

/** Total length of the STUN message at the start of `buf` (for stream framing), or null if incomplete. */
export function framedLength(buf: Buffer): number | null {
  if (buf.length < HEADER) return null;
  const total = HEADER + buf.readUInt16BE(2);
  return buf.length >= total ? total : null;
}

export function isStun(buf: Buffer): boolean {
  return buf.length >= HEADER && (buf[0]! & 0xc0) === 0 && buf.readUInt32BE(4) === MAGIC_COOKIE;
}

export function decode(buf: Buffer): StunMessage {
  if (!isStun(buf)) throw new Error('not a STUN message');
  const length = buf.readUInt16BE(2);
  if (HEADER + length > buf.length) throw new Error('truncated STUN message');
  const { method, cls } = splitType(buf.readUInt16BE(0));
  const attributes: StunMessage['attributes'] = [];
  for (let off = HEADER; off + 4 <= HEADER + length;) {
    const type = buf.readUInt16BE(off);
    const len = buf.readUInt16BE(off + 2);
    attributes.push({ type, value: Buffer.from(buf.subarray(off + 4, off + 4 + len)) });
    off += 4 + pad4(len);
  }
  return { method, cls, transactionId: Buffer.from(buf.subarray(8, 20)), attributes };
}

export function attribute(msg: StunMessage, type: number): Buffer | undefined {
  return msg.attributes.find((a) => a.type === type)?.value;
}

/** XOR-*-ADDRESS value for an IPv4 transport address. */
export function xorAddress({ address, port }: TransportAddress): Buffer {
  const v = Buffer.alloc(8);
  v.writeUInt8(0x01, 1);
  v.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 2);
  const ip = address.split('.').map(Number);
  if (ip.length !== 4) throw new Error(`IPv4 address expected, got ${address}`);
  v.writeUInt32BE((Buffer.from(ip).readUInt32BE(0) ^ MAGIC_COOKIE) >>> 0, 4);
  return v;
}

export function readXorAddress(value: Buffer): TransportAddress {
  if (value.readUInt8(1) !== 0x01) throw new Error('only IPv4 XOR addresses are supported');
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const ip = (value.readUInt32BE(4) ^ MAGIC_COOKIE) >>> 0;
  return { address: [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.'), port };
}

export function errorCode(msg: StunMessage): { code: number; reason: string } | null {
  const v = attribute(msg, Attr.ErrorCode);
  if (!v || v.length < 4) return null;
  return { code: v.readUInt8(2) * 100 + v.readUInt8(3), reason: v.subarray(4).toString('utf8') };
}

export const text = (s: string): Buffer => Buffer.from(s, 'utf8');

export function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** REQUESTED-TRANSPORT UDP (17): the relay is always UDP, whatever the client leg. */
export const REQUESTED_TRANSPORT_UDP = Buffer.from([17, 0, 0, 0]);
