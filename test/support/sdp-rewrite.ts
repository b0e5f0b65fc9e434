/**
 * Test-side fault injection on SIP frames: removes RFC 4733 telephone-event from an SDP body
 * (as a far end without it would answer), fixing Content-Length. Used to drive the calling core
 * onto its SIP INFO DTMF fallback through a real call. The body is read and written by
 * sdp-transform.
 */
import { parse, write } from 'sdp-transform';

export function withoutTelephoneEvent(frame: string): string {
  const split = frame.indexOf('\r\n\r\n');
  if (split < 0 || !/^content-type:\s*application\/sdp/im.test(frame.slice(0, split))) return frame;
  const head = frame.slice(0, split);
  const session = parse(frame.slice(split + 4));
  let removed = false;
  for (const media of session.media) {
    const eventPts = new Set(media.rtp.filter((r) => r.codec.toLowerCase() === 'telephone-event').map((r) => r.payload));
    if (eventPts.size === 0) continue;
    removed = true;
    media.rtp = media.rtp.filter((r) => !eventPts.has(r.payload));
    media.fmtp = media.fmtp.filter((f) => !eventPts.has(f.payload));
    media.payloads = String(media.payloads ?? '')
      .split(' ')
      .filter((pt) => !eventPts.has(Number(pt)))
      .join(' ');
  }
  if (!removed) return frame;
  const newBody = write(session);
  const newHead = head.replace(/^(content-length|l)\s*:\s*\d+/im, `$1: ${Buffer.byteLength(newBody, 'utf8')}`);
  return `${newHead}\r\n\r\n${newBody}`;
}
