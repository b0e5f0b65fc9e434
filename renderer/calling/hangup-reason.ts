/**
 * Why the far end (or the server) ended a call, from the BYE's Reason header (RFC 3326), in words
 * an agent understands (pure). The server ends dead calls itself (backend/README.md "Dead calls"):
 * `Reason: Q.850;cause=102;text="media timeout"` when no audio flowed either way for the
 * configured time.
 */

/** A call that had no audio either way for the media timeout, ended by the server or by us. */
export const NO_AUDIO_ENDED_MESSAGE = 'Call ended: no audio in either direction — the network path was lost';

/** The `text` parameter of a Reason header (`Q.850;cause=102;text="media timeout"`), or null. */
export function reasonText(header: string | undefined): string | null {
  if (!header) return null;
  const text = /;\s*text\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header)?.[1];
  return text === undefined ? null : text.replace(/\\(.)/g, '$1').trim() || null;
}

/** The sentence the UI shows for a call the other side (or the server) ended with this Reason. */
export function remoteHangupMessage(header: string | undefined): string | null {
  const text = reasonText(header);
  if (text === null) return null;
  if (/^media timeout$/i.test(text)) return NO_AUDIO_ENDED_MESSAGE;
  // Attacker-chosen text from the far end: bounded, and shown only as text.
  return `Call ended — ${text.slice(0, 80)}`;
}
