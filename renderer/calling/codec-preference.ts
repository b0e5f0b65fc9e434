import { parse, write, type MediaDescription } from 'sdp-transform';

/**
 * Opus first, G.711 (PCMU, PCMA) accepted, telephone-event kept for RFC 4733 DTMF; every other
 * audio codec (G722, iLBC, CN, …) is removed from our SDP so the gateway never picks one we do not
 * support. Pure SDP rewrite (parsed and written by sdp-transform), applied as a SIP.js description
 * modifier to our own offers/answers.
 */
export const AUDIO_CODEC_PREFERENCE = ['opus', 'pcmu', 'pcma', 'telephone-event'] as const;

/** Static payload types may come without an rtpmap line (RFC 3551). */
const STATIC_PAYLOAD_CODECS: Readonly<Record<number, string>> = { 0: 'pcmu', 8: 'pcma' };

/** Reorders/filters the payload types of every `m=audio` section. Throws if none would be left. */
export function preferAudioCodecs(sdp: string, preference: readonly string[] = AUDIO_CODEC_PREFERENCE): string {
  const session = parse(sdp);
  for (const media of session.media) {
    if (media.type === 'audio') rewriteAudioSection(media, preference);
  }
  // sdp-transform writes CRLF; keep the line ends we were given.
  const out = write(session);
  return sdp.includes('\r\n') ? out : out.replace(/\r\n/g, '\n');
}

function rewriteAudioSection(media: MediaDescription, preference: readonly string[]): void {
  const payloads = String(media.payloads ?? '')
    .split(' ')
    .filter(Boolean)
    .map(Number);
  const codecOf = new Map(media.rtp.map((r) => [r.payload, r.codec.toLowerCase()]));
  const nameOf = (pt: number) => codecOf.get(pt) ?? STATIC_PAYLOAD_CODECS[pt] ?? '';
  const rank = (pt: number) => preference.indexOf(nameOf(pt));
  const kept = payloads.filter((pt) => rank(pt) >= 0);
  if (!kept.some((pt) => nameOf(pt) !== 'telephone-event')) {
    throw new Error(
      `no supported audio codec in SDP (offered: ${payloads.map((pt) => nameOf(pt) || String(pt)).join(', ')}; ` +
        `supported: ${preference.join(', ')})`,
    );
  }
  // Stable sort: keeps the browser's order among payloads of the same codec (e.g. two opus PTs).
  const ordered = kept
    .map((pt, index) => ({ pt, index }))
    .sort((a, b) => rank(a.pt) - rank(b.pt) || a.index - b.index)
    .map((x) => x.pt);
  const keptSet = new Set(ordered);
  media.payloads = ordered.join(' ');
  media.rtp = media.rtp.filter((r) => keptSet.has(r.payload));
  media.fmtp = media.fmtp.filter((f) => keptSet.has(f.payload));
  // '*' feedback applies to every payload type, so it stays.
  if (media.rtcpFb) media.rtcpFb = media.rtcpFb.filter((f) => f.payload === '*' || keptSet.has(Number(f.payload)));
}
