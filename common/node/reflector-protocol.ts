/**
 * Wire format between the diagnostics and the backend's reflector (UDP). Shared by both sides.
 *
 *   request: "CLRF" | ver 1 | kind | seq u32 | clientSentMs f64 | zero padding
 *   reply:   "CLRF" | ver 1 | kind|0x80 | seq u32 | clientSentMs f64 | serverReceivedMs f64 |
 *            receivedTos u8 (255 = unknown) | observed IPv4 (4) | observed port u16 | padding
 *
 * A reply is never longer than its request, so the reflector cannot amplify spoofed traffic:
 * requests shorter than REPLY_BYTES are dropped.
 */
const REFLECTOR_MAGIC = Buffer.from('CLRF');
const REFLECTOR_VERSION = 1;
export const REPLY_BYTES = 36;
/** Probe size: close to a 20 ms Opus voice frame with RTP header. */
export const PROBE_BYTES = 160;

export type ReflectorKind = 'probe' | 'time';
const KIND_CODE: Record<ReflectorKind, number> = { probe: 1, time: 2 };
const TOS_UNKNOWN = 255;

export interface ReflectorRequest {
  kind: ReflectorKind;
  seq: number;
  clientSentMs: number;
}

export interface ReflectorReply extends ReflectorRequest {
  serverReceivedMs: number;
  receivedTos: number | null;
  observed: { address: string; port: number };
}

function kindOf(code: number): ReflectorKind | null {
  return (Object.keys(KIND_CODE) as ReflectorKind[]).find((k) => KIND_CODE[k] === code) ?? null;
}

export function encodeRequest(r: ReflectorRequest, size = PROBE_BYTES): Buffer {
  const b = Buffer.alloc(Math.max(size, REPLY_BYTES));
  REFLECTOR_MAGIC.copy(b, 0);
  b.writeUInt8(REFLECTOR_VERSION, 4);
  b.writeUInt8(KIND_CODE[r.kind], 5);
  b.writeUInt32BE(r.seq >>> 0, 6);
  b.writeDoubleBE(r.clientSentMs, 10);
  return b;
}

function hasHeader(b: Buffer): boolean {
  return b.length >= 18 && b.subarray(0, 4).equals(REFLECTOR_MAGIC) && b.readUInt8(4) === REFLECTOR_VERSION;
}

export function decodeRequest(b: Buffer): ReflectorRequest | null {
  if (!hasHeader(b) || b.length < REPLY_BYTES) return null;
  const kind = kindOf(b.readUInt8(5));
  return kind ? { kind, seq: b.readUInt32BE(6), clientSentMs: b.readDoubleBE(10) } : null;
}

export function encodeReply(r: ReflectorReply, requestLength: number): Buffer {
  const b = Buffer.alloc(Math.max(REPLY_BYTES, requestLength));
  REFLECTOR_MAGIC.copy(b, 0);
  b.writeUInt8(REFLECTOR_VERSION, 4);
  b.writeUInt8(KIND_CODE[r.kind] | 0x80, 5);
  b.writeUInt32BE(r.seq >>> 0, 6);
  b.writeDoubleBE(r.clientSentMs, 10);
  b.writeDoubleBE(r.serverReceivedMs, 18);
  b.writeUInt8(r.receivedTos ?? TOS_UNKNOWN, 26);
  const ip = r.observed.address.split('.').map(Number);
  if (ip.length === 4) Buffer.from(ip).copy(b, 27);
  b.writeUInt16BE(r.observed.port, 31);
  return b;
}

export function decodeReply(b: Buffer): ReflectorReply | null {
  if (!hasHeader(b) || b.length < REPLY_BYTES) return null;
  const code = b.readUInt8(5);
  if (!(code & 0x80)) return null;
  const kind = kindOf(code & 0x7f);
  if (!kind) return null;
  const tos = b.readUInt8(26);
  return {
    kind,
    seq: b.readUInt32BE(6),
    clientSentMs: b.readDoubleBE(10),
    serverReceivedMs: b.readDoubleBE(18),
    receivedTos: tos === TOS_UNKNOWN ? null : tos,
    observed: { address: [27, 28, 29, 30].map((i) => b.readUInt8(i)).join('.'), port: b.readUInt16BE(31) },
  };
}
