/**
 * SDP (RFC 4566) for one plain-RTP audio stream, and offer/answer (RFC 3264) over the codecs
 * the carrier speaks: PCMU (0), PCMA (8) and telephone-event (RFC 4733, offered as 101). The
 * text is read and written by sdp-transform; this module decides what it means.
 */
import { parse, write } from 'sdp-transform';

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
export type CodecName = 'PCMU' | 'PCMA';

export interface AudioDescription {
  /** Connection address of the audio stream (media-level c= wins over session-level). */
  readonly address: string;
  readonly port: number;
  /** Payload types in preference order, as listed on the m= line. */
  readonly formats: number[];
  /** Payload type → `NAME/RATE` (name upper case) from a=rtpmap or the static table. */
  readonly encodings: Map<number, string>;
  readonly direction: Direction;
}

export interface SessionDescription {
  readonly sessionId: string;
  readonly version: number;
  readonly audio?: AudioDescription;
}

/** What was agreed for one side of a call. */
export interface NegotiatedMedia {
  readonly codec: CodecName;
  readonly payloadType: number;
  /** Telephone-event payload type the peer listens on, if it accepts RFC 4733 at all. */
  readonly telephoneEventPayloadType?: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Our direction (what we may do), after the answer. */
  readonly localDirection: Direction;
}

export const TELEPHONE_EVENT_PT = 101;
const STATIC_ENCODINGS: Record<number, string> = { 0: 'PCMU/8000', 8: 'PCMA/8000' };
/** Browsers also offer telephone-event/48000 (for Opus); G.711 calls need the 8 kHz one. */
const TELEPHONE_EVENT = 'TELEPHONE-EVENT/8000';
const SUPPORTED_CODECS: readonly CodecName[] = ['PCMU', 'PCMA'];

/** The first audio stream of `text`, read by sdp-transform; undefined when it is not SDP (no v=0). */
export function parseSdp(text: string): SessionDescription | undefined {
  const session = parse(text);
  if (session.version !== 0) return undefined;
  const media = session.media.find((m) => m.type === 'audio');
  const address = media?.connection?.ip ?? session.connection?.ip;
  const base = { sessionId: String(session.origin?.sessionId ?? ''), version: Number(session.origin?.sessionVersion ?? 0) || 0 };
  if (!media || !address) return base;
  const formats = String(media.payloads ?? '')
    .split(/\s+/)
    .filter((pt) => /^\d{1,3}$/.test(pt))
    .map(Number)
    .filter((pt) => pt <= 127);
  const encodings = new Map<number, string>();
  for (const pt of formats) if (STATIC_ENCODINGS[pt]) encodings.set(pt, STATIC_ENCODINGS[pt]!);
  for (const r of media.rtp) encodings.set(r.payload, `${r.codec.toUpperCase()}/${r.rate ?? ''}`);
  return {
    ...base,
    audio: { address, port: media.port, formats, encodings, direction: media.direction ?? session.direction ?? 'sendrecv' },
  };
}

/** What the other side may do, seen from us: their sendonly is our recvonly. */
export function reverseDirection(d: Direction): Direction {
  return d === 'sendonly' ? 'recvonly' : d === 'recvonly' ? 'sendonly' : d;
}

/** The most we may do given what we want and what the peer allows (RFC 3264 §6.1). */
export function intersectDirection(wanted: Direction, allowedByPeer: Direction): Direction {
  const send = wanted !== 'recvonly' && wanted !== 'inactive' && allowedByPeer !== 'recvonly' && allowedByPeer !== 'inactive';
  const recv = wanted !== 'sendonly' && wanted !== 'inactive' && allowedByPeer !== 'sendonly' && allowedByPeer !== 'inactive';
  return send && recv ? 'sendrecv' : send ? 'sendonly' : recv ? 'recvonly' : 'inactive';
}

function telephoneEventPt(audio: AudioDescription): number | undefined {
  return audio.formats.find((pt) => audio.encodings.get(pt) === TELEPHONE_EVENT);
}

export type AnswerResult = { ok: true; media: NegotiatedMedia } | { ok: false; status: 488; reason: string };

/**
 * Chooses what to answer to `offer`: its first codec we support, its telephone-event payload
 * type if offered, and our direction reduced by what the offerer allows. The same reading
 * applies to an answer we receive (the peer picked from what we offered).
 */
export function negotiateAnswer(offer: SessionDescription, wanted: Direction = 'sendrecv'): AnswerResult {
  const audio = offer.audio;
  if (!audio || audio.port === 0) return { ok: false, status: 488, reason: 'no active audio stream offered' };
  const codecOf = (pt: number) => SUPPORTED_CODECS.find((c) => audio.encodings.get(pt) === `${c}/8000`);
  const pt = audio.formats.find((f) => codecOf(f) !== undefined);
  if (pt === undefined) return { ok: false, status: 488, reason: 'none of PCMU/PCMA offered' };
  return {
    ok: true,
    media: {
      codec: codecOf(pt)!,
      payloadType: pt,
      telephoneEventPayloadType: telephoneEventPt(audio),
      remoteAddress: audio.address,
      remotePort: audio.port,
      localDirection: intersectDirection(wanted, reverseDirection(audio.direction)),
    },
  };
}

export interface LocalDescription {
  readonly sessionId: string;
  readonly version: number;
  readonly address: string;
  readonly port: number;
  readonly direction: Direction;
  /** The codecs to list, in preference order (an answer lists only the chosen one). */
  readonly codecs: readonly { pt: number; name: CodecName }[];
  readonly telephoneEventPayloadType?: number;
}

export function buildSdp(d: LocalDescription): string {
  const te = d.telephoneEventPayloadType;
  const pts = [...d.codecs.map((c) => c.pt), ...(te !== undefined ? [te] : [])];
  return write({
    version: 0,
    origin: {
      username: 'clearline-carrier',
      sessionId: d.sessionId,
      sessionVersion: d.version,
      netType: 'IN',
      ipVer: 4,
      address: d.address,
    },
    name: 'clearline carrier',
    connection: { version: 4, ip: d.address },
    timing: { start: 0, stop: 0 },
    media: [
      {
        type: 'audio',
        port: d.port,
        protocol: 'RTP/AVP',
        payloads: pts.join(' '),
        rtp: [
          ...d.codecs.map((c) => ({ payload: c.pt, codec: c.name, rate: 8000 })),
          ...(te !== undefined ? [{ payload: te, codec: 'telephone-event', rate: 8000 }] : []),
        ],
        fmtp: te !== undefined ? [{ payload: te, config: '0-16' }] : [],
        ptime: 20,
        direction: d.direction,
      },
    ],
  });
}

/** Every codec we can speak, for offers. */
export const OFFERED_CODECS: readonly { pt: number; name: CodecName }[] = [
  { pt: 0, name: 'PCMU' },
  { pt: 8, name: 'PCMA' },
];
