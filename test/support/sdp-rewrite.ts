/**
 * Test-side fault injection on SIP frames: removes RFC 4733 telephone-event from an SDP body
 * (as a far end without it would answer), fixing Content-Length. Used to drive the calling core
 * onto its SIP INFO DTMF fallback through a real call.
 */
export function withoutTelephoneEvent(frame: string): string {
  const split = frame.indexOf('\r\n\r\n');
  if (split < 0 || !/^content-type:\s*application\/sdp/im.test(frame.slice(0, split))) return frame;
  const head = frame.slice(0, split);
  const body = frame.slice(split + 4);
  const eventPts = [...body.matchAll(/^a=rtpmap:(\d+) telephone-event\/\d+/gim)].map((m) => m[1]!);
  if (eventPts.length === 0) return frame;
  const newBody = body
    .split('\r\n')
    .filter((line) => !eventPts.some((pt) => line.startsWith(`a=rtpmap:${pt} `) || line.startsWith(`a=fmtp:${pt} `)))
    .map((line) => (line.startsWith('m=audio ') ? line.split(' ').filter((f, i) => i < 3 || !eventPts.includes(f)).join(' ') : line))
    .join('\r\n');
  const newHead = head.replace(/^(content-length|l)\s*:\s*\d+/im, `$1: ${Buffer.byteLength(newBody, 'utf8')}`);
  return `${newHead}\r\n\r\n${newBody}`;
}
