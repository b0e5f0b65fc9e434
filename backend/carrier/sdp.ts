/**
 * SDP (RFC 4566) for one plain-RTP audio stream, and offer/answer (RFC 3264) over the codecs
 * the carrier speaks: PCMU (0), PCMA (8) and telephone-event (RFC 4733, offered as 101).
 */
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
const DIRECTIONS: readonly Direction[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

export function parseSdp(text: string): SessionDescription | undefined {
  let sessionId = '';
  let version = 0;
  let sessionAddress: string | undefined;
  let sessionDirection: Direction = 'sendrecv';
  let audio: { address?: string; port: number; formats: number[]; encodings: Map<number, string>; direction?: Direction } | undefined;
  let inOtherMedia = false;
  let sawVersion = false;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '') continue;
    const m = /^([a-z])=(.*)$/.exec(line);
    if (!m) return undefined;
    const [, type, value] = m as unknown as [string, string, string];
    if (type === 'v') sawVersion = value === '0';
    else if (type === 'o') {
      const parts = value.split(/\s+/);
      sessionId = parts[1] ?? '';
      version = Number(parts[2] ?? 0) || 0;
    } else if (type === 'c') {
      const addr = /^IN\s+IP[46]\s+([^\s/]+)/.exec(value)?.[1];
      if (audio && !inOtherMedia) audio.address = addr;
      else if (!audio && !inOtherMedia) sessionAddress = addr;
    } else if (type === 'm') {
      const parts = value.split(/\s+/);
      if (parts[0] === 'audio' && !audio) {
        inOtherMedia = false;
        const formats = parts.slice(3).map(Number).filter((n) => Number.isInteger(n) && n >= 0 && n <= 127);
        const encodings = new Map<number, string>();
        for (const pt of formats) if (STATIC_ENCODINGS[pt]) encodings.set(pt, STATIC_ENCODINGS[pt]!);
        audio = { port: Number(parts[1]) || 0, formats, encodings };
      } else inOtherMedia = true;
    } else if (type === 'a') {
      const dir = DIRECTIONS.find((d) => d === value);
      if (dir) {
        if (audio && !inOtherMedia) audio.direction = dir;
        else if (!audio) sessionDirection = dir;
        continue;
      }
      const rtpmap = /^rtpmap:(\d+)\s+([^/\s]+)\/(\d+)/.exec(value);
      if (rtpmap && audio && !inOtherMedia) audio.encodings.set(Number(rtpmap[1]), `${rtpmap[2]!.toUpperCase()}/${rtpmap[3]}`);
    }
  }
  if (!sawVersion) return undefined;
  const address = audio?.address ?? sessionAddress;
  return {
    sessionId,
    version,
    audio:
      audio && address
        ? { address, port: audio.port, formats: audio.formats, encodings: audio.encodings, direction: audio.direction ?? sessionDirection }
        : undefined,
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
  const pts = [...d.codecs.map((c) => c.pt), ...(d.telephoneEventPayloadType !== undefined ? [d.telephoneEventPayloadType] : [])];
  const lines = [
    'v=0',
    `o=clearline-carrier ${d.sessionId} ${d.version} IN IP4 ${d.address}`,
    's=clearline carrier',
    `c=IN IP4 ${d.address}`,
    't=0 0',
    `m=audio ${d.port} RTP/AVP ${pts.join(' ')}`,
    ...d.codecs.map((c) => `a=rtpmap:${c.pt} ${c.name}/8000`),
    ...(d.telephoneEventPayloadType !== undefined
      ? [`a=rtpmap:${d.telephoneEventPayloadType} telephone-event/8000`, `a=fmtp:${d.telephoneEventPayloadType} 0-16`]
      : []),
    'a=ptime:20',
    `a=${d.direction}`,
  ];
  return lines.join('\r\n') + '\r\n';
}

/** Every codec we can speak, for offers. */
export const OFFERED_CODECS: readonly { pt: number; name: CodecName }[] = [
  { pt: 0, name: 'PCMU' },
  { pt: 8, name: 'PCMA' },
];
