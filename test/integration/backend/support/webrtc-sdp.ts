import { randomBytes } from 'node:crypto';

/**
 * An SDP shaped like Chromium's for one audio m-line: ICE credentials and a host candidate,
 * DTLS fingerprint, rtcp-mux, Opus + PCMU. What rtpengine sees from a browser leg.
 */
export function browserSdp(o: { address: string; port: number; setup: 'actpass' | 'active' }): string {
  const fp = [...randomBytes(32)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
  const sess = BigInt('0x' + randomBytes(6).toString('hex')).toString();
  return (
    [
      'v=0',
      `o=- ${sess} 2 IN IP4 127.0.0.1`,
      's=-',
      't=0 0',
      'a=group:BUNDLE 0',
      'a=msid-semantic: WMS',
      `m=audio ${o.port} UDP/TLS/RTP/SAVPF 111 0 126`,
      `c=IN IP4 ${o.address}`,
      `a=rtcp:${o.port} IN IP4 ${o.address}`,
      `a=candidate:1 1 udp 2122260223 ${o.address} ${o.port} typ host generation 0`,
      `a=ice-ufrag:${randomBytes(3).toString('hex')}`,
      `a=ice-pwd:${randomBytes(12).toString('hex')}`,
      'a=ice-options:trickle',
      `a=fingerprint:sha-256 ${fp}`,
      `a=setup:${o.setup}`,
      'a=mid:0',
      'a=sendrecv',
      'a=rtcp-mux',
      'a=rtpmap:111 opus/48000/2',
      'a=fmtp:111 minptime=10;useinbandfec=1',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:126 telephone-event/8000',
    ].join('\r\n') + '\r\n'
  );
}

/** The media line facts a test asserts on. */
export function sdpFacts(sdp: string): {
  address: string | null;
  port: number | null;
  proto: string | null;
  hasFingerprint: boolean;
  hasIce: boolean;
  rtcpMux: boolean;
  codecs: string[];
} {
  const m = /^m=audio (\d+) (\S+) /m.exec(sdp);
  return {
    address: /^c=IN IP4 (\S+)/m.exec(sdp)?.[1] ?? null,
    port: m ? Number(m[1]) : null,
    proto: m ? m[2]! : null,
    hasFingerprint: /^a=fingerprint:/m.test(sdp),
    hasIce: /^a=ice-ufrag:/m.test(sdp) && /^a=candidate:/m.test(sdp),
    rtcpMux: /^a=rtcp-mux/m.test(sdp),
    codecs: [...sdp.matchAll(/^a=rtpmap:\d+ ([^/\s]+)/gm)].map((x) => x[1]!),
  };
}
