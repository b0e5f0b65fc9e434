import { randomBytes } from 'node:crypto';
import { parse, write } from 'sdp-transform';

/**
 * An SDP shaped like Chromium's for one audio m-line: ICE credentials and a host candidate,
 * DTLS fingerprint, rtcp-mux, Opus + PCMU. What rtpengine sees from a browser leg.
 */
export function browserSdp(o: { address: string; port: number; setup: 'actpass' | 'active' }): string {
  const fingerprint = [...randomBytes(32)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
  return write({
    version: 0,
    origin: {
      username: '-',
      sessionId: BigInt('0x' + randomBytes(6).toString('hex')).toString(),
      sessionVersion: 2,
      netType: 'IN',
      ipVer: 4,
      address: '127.0.0.1',
    },
    name: '-',
    timing: { start: 0, stop: 0 },
    groups: [{ type: 'BUNDLE', mids: '0' }],
    media: [
      {
        type: 'audio',
        port: o.port,
        protocol: 'UDP/TLS/RTP/SAVPF',
        payloads: '111 0 126',
        connection: { version: 4, ip: o.address },
        rtcp: { port: o.port, netType: 'IN', ipVer: 4, address: o.address },
        candidates: [
          {
            foundation: '1',
            component: 1,
            transport: 'udp',
            priority: 2122260223,
            ip: o.address,
            port: o.port,
            type: 'host',
            generation: 0,
          },
        ],
        iceUfrag: randomBytes(3).toString('hex'),
        icePwd: randomBytes(12).toString('hex'),
        iceOptions: 'trickle',
        fingerprint: { type: 'sha-256', hash: fingerprint },
        setup: o.setup,
        mid: '0',
        direction: 'sendrecv',
        rtcpMux: 'rtcp-mux',
        rtp: [
          { payload: 111, codec: 'opus', rate: 48000, encoding: 2 },
          { payload: 0, codec: 'PCMU', rate: 8000 },
          { payload: 126, codec: 'telephone-event', rate: 8000 },
        ],
        fmtp: [{ payload: 111, config: 'minptime=10;useinbandfec=1' }],
      },
    ],
  });
}

/** The media line facts a test asserts on (the first audio m-line, read by sdp-transform). */
export function sdpFacts(sdp: string): {
  address: string | null;
  port: number | null;
  proto: string | null;
  hasFingerprint: boolean;
  hasIce: boolean;
  rtcpMux: boolean;
  codecs: string[];
} {
  const session = parse(sdp);
  const audio = session.media.find((m) => m.type === 'audio');
  return {
    address: audio?.connection?.ip ?? session.connection?.ip ?? null,
    port: audio?.port ?? null,
    proto: audio?.protocol ?? null,
    hasFingerprint: (audio?.fingerprint ?? session.fingerprint) !== undefined,
    hasIce: (audio?.iceUfrag ?? session.iceUfrag) !== undefined && (audio?.candidates?.length ?? 0) > 0,
    rtcpMux: audio?.rtcpMux !== undefined,
    codecs: audio?.rtp.map((r) => r.codec) ?? [],
  };
}
