/** RTP fixed header (RFC 3550 §5.1): parse what arrives, build what we send. */
export interface RtpPacket {
  readonly payloadType: number;
  readonly marker: boolean;
  readonly sequence: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly payload: Buffer;
}

/** Returns undefined for anything that is not a well-formed RTP version 2 packet. */
export function parseRtp(data: Buffer): RtpPacket | undefined {
  if (data.length < 12 || data[0]! >> 6 !== 2) return undefined;
  const padding = (data[0]! & 0x20) !== 0;
  const extension = (data[0]! & 0x10) !== 0;
  const csrcCount = data[0]! & 0x0f;
  let offset = 12 + csrcCount * 4;
  if (extension) {
    if (data.length < offset + 4) return undefined;
    offset += 4 + data.readUInt16BE(offset + 2) * 4;
  }
  let end = data.length;
  if (padding) end -= data[data.length - 1]!;
  if (offset > end) return undefined;
  const payloadType = data[1]! & 0x7f;
  // 72–76 are RTCP packet types arriving on a muxed port, not RTP (RFC 5761 §4).
  if (payloadType >= 72 && payloadType <= 76) return undefined;
  return {
    payloadType,
    marker: (data[1]! & 0x80) !== 0,
    sequence: data.readUInt16BE(2),
    timestamp: data.readUInt32BE(4),
    ssrc: data.readUInt32BE(8),
    payload: data.subarray(offset, end),
  };
}

export function serializeRtp(p: RtpPacket): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  header.writeUInt16BE(p.sequence & 0xffff, 2);
  header.writeUInt32BE(p.timestamp >>> 0, 4);
  header.writeUInt32BE(p.ssrc >>> 0, 8);
  return Buffer.concat([header, p.payload]);
}
