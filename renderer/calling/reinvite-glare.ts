import type { Core, Session } from 'sip.js';
import { statusOf } from './sip-request.js';

/**
 * Crossing re-INVITEs (glare): both ends of a call renegotiate at the same moment — both
 * softphones of an agent-to-agent call see their media stall when rtpengine restarts, or when a
 * network blip hits both — and each offer reaches the other while its own is pending.
 *
 * RFC 3261 §14.2: the UAS answers 491 Request Pending; §14.1: the UAC whose re-INVITE got 491 sends
 * it again after a random wait, 2.1–4 s if it generated the Call-ID, 0–2 s if not, so the two
 * tries no longer cross (the retry is an entry not before that time in the call's re-INVITE
 * schedule, reinvite-schedule.ts). SIP.js answers 491 only once its own re-INVITE has left: while it is still
 * building the offer (an ICE restart gathers candidates first, hundreds of ms with TURN), the far
 * end's offer reaches a peer connection in "have-local-offer", fails, and SIP.js answers 488 — which
 * neither side retries (measured: silence for the rest of the call).
 */

/** RFC 3261 §14.1's wait before a re-INVITE answered 491 goes again, in units of 10 ms. */
export function glareRetryDelayMs(ownsCallId: boolean, random: () => number): number {
  const [min, max] = ownsCallId ? [2100, 4000] : [0, 2000];
  return min + Math.round((random() * (max - min)) / 10) * 10;
}

/**
 * A re-INVITE of ours the far end answered non-2xx. `crossed`: it met one of the far end's, so it
 * is worth sending again after the §14.1 wait — 491, or 500 with Retry-After, which a UA sends to
 * an INVITE that arrives while it is still answering an earlier one (§14.2; SIP.js does).
 */
export class ReInviteRefused extends Error {
  readonly crossed: boolean;
  /** "488 Not Acceptable Here". */
  readonly status: string;
  constructor(response: Core.IncomingResponse) {
    super(`refused (${statusOf(response)})`);
    this.status = statusOf(response);
    const code = response.message.statusCode;
    this.crossed = code === 491 || (code === 500 && response.message.hasHeader('Retry-After'));
  }
}

/**
 * From now on the far end's re-INVITEs in `session`'s dialog get 491 while `offerPending()` (ours is
 * being built or is in flight), instead of reaching SIP.js, which would try to apply it to our
 * pending offer. Call once the session is established (its dialog exists).
 */
export function refuseCrossingReInvites(session: Session, offerPending: () => boolean, onRefused: () => void): void {
  const dialog = session.dialog;
  const delegate = dialog?.delegate;
  const onInvite = delegate?.onInvite;
  if (!dialog || !delegate || !onInvite) return;
  dialog.delegate = {
    ...delegate,
    onInvite: (request) => {
      if (!offerPending()) return onInvite(request);
      onRefused();
      request.reject({ statusCode: 491 });
    },
  };
}
