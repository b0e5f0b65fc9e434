/**
 * Opus first, G.711 (PCMU, PCMA) accepted, telephone-event kept for RFC 4733 DTMF; every other
 * audio codec (G722, iLBC, CN, …) is removed from our SDP so the gateway never picks one we do not
 * support. Pure SDP rewrite, applied as a SIP.js description modifier to our own offers/answers.
 */
export const AUDIO_CODEC_PREFERENCE = ['opus', 'pcmu', 'pcma', 'telephone-event'] as const;

/** Reorders/filters the payload types of every `m=audio` section. Throws if none would be left. */
export function preferAudioCodecs(sdp: string, preference: readonly string[] = AUDIO_CODEC_PREFERENCE): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.startsWith('m=audio ')) {
      out.push(line);
      i++;
      continue;
    }
    let end = i + 1;
    while (end < lines.length && !lines[end]!.startsWith('m=')) end++;
    out.push(...rewriteAudioSection(lines.slice(i, end), preference));
    i = end;
  }
  return out.join(eol);
}

function rewriteAudioSection(section: string[], preference: readonly string[]): string[] {
  const [mLine, ...attributes] = section as [string, ...string[]];
  const fields = mLine.split(' ');
  const header = fields.slice(0, 3);
  const payloads = fields.slice(3);
  const codecOf = new Map<string, string>();
  for (const a of attributes) {
    const m = /^a=rtpmap:(\d+) ([^/]+)\//.exec(a);
    if (m) codecOf.set(m[1]!, m[2]!.toLowerCase());
  }
  // Static payload types may come without an rtpmap line.
  const staticName: Record<string, string> = { '0': 'pcmu', '8': 'pcma' };
  const nameOf = (pt: string) => codecOf.get(pt) ?? staticName[pt] ?? '';
  const rank = (pt: string) => preference.indexOf(nameOf(pt));
  const kept = payloads.filter((pt) => rank(pt) >= 0);
  if (!kept.some((pt) => nameOf(pt) !== 'telephone-event')) {
    throw new Error(
      `no supported audio codec in SDP (offered: ${payloads.map((pt) => nameOf(pt) || pt).join(', ')}; ` +
        `supported: ${preference.join(', ')})`,
    );
  }
  // Stable sort: keeps the browser's order among payloads of the same codec (e.g. two opus PTs).
  const ordered = kept
    .map((pt, index) => ({ pt, index }))
    .sort((a, b) => rank(a.pt) - rank(b.pt) || a.index - b.index)
    .map((x) => x.pt);
  const keptSet = new Set(ordered);
  const payloadAttribute = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+|\*)[ ]/;
  const filtered = attributes.filter((a) => {
    const m = payloadAttribute.exec(a);
    return !m || m[1] === '*' || keptSet.has(m[1]!);
  });
  return [[...header, ...ordered].join(' '), ...filtered];
}
