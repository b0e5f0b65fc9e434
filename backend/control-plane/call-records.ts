/**
 * Call records derived from SIP audit events (pure). One record per dialog-creating INVITE — its
 * Call-ID and the caller's From tag, so a Call-ID reused by another dialog gets its own record:
 * started when Kamailio accepted and relayed it, answered on its 2xx, ended on a final failure,
 * a CANCEL's 487, or a BYE. Which events count, and how, is read from the outcome's kind
 * (audit-event.ts), never from its wording.
 */
import { outcomeKind, type SipEvent } from './audit-event.js';

export type { SipEvent };

export type Disposition = 'ringing' | 'answered' | 'busy' | 'no-answer' | 'cancelled' | 'not-found' | 'rejected' | 'failed';

export interface CallRecord {
  readonly callId: string;
  /** The caller's From tag ('' for records of earlier releases). */
  readonly fromTag: string;
  readonly from: string;
  readonly to: string;
  readonly startedAt: number;
  readonly answeredAt: number | null;
  readonly endedAt: number | null;
  readonly durationMs: number | null;
  readonly disposition: Disposition;
}

export function dispositionOf(code: number, outcome: string): Disposition {
  if (outcomeKind(outcome) === 'cancelled' || code === 487) return 'cancelled';
  if (code === 486 || code === 600) return 'busy';
  if (code === 408 || code === 480) return 'no-answer';
  if (code === 404 || code === 604) return 'not-found';
  if (code === 403 || code === 603) return 'rejected';
  return 'failed';
}

function startedCall(event: SipEvent, now: number): CallRecord {
  return {
    callId: event.callId,
    fromTag: event.fromTag ?? '',
    from: event.from,
    to: event.to,
    startedAt: now,
    answeredAt: null,
    endedAt: null,
    durationMs: null,
    disposition: 'ringing',
  };
}

/** The call (or, without one, a call that ended as it began) failed with `event`'s status. */
function failed(call: CallRecord, event: SipEvent, now: number): CallRecord {
  return { ...call, endedAt: now, durationMs: 0, disposition: dispositionOf(event.code, event.outcome) };
}

/** The call record after `event` at time `now`, or `prev` unchanged when the event is unrelated. */
export function applySipEvent(prev: CallRecord | undefined, event: SipEvent, now: number): CallRecord | undefined {
  const kind = outcomeKind(event.outcome);
  if (event.method === 'INVITE' && !event.inDialog) {
    // Bad credentials, a lockout, a disabled agent or a flood ban: the sender never got to call.
    if (kind === 'access refused' || kind === 'flood') return prev;
    if (event.code === 0) return prev ?? startedCall(event, now); // 'received': accepted and relayed
    // Refused before relaying, so it cannot be about a call already under way: another INVITE
    // reusing that call's Call-ID and From tag does not end it.
    if (kind === 'call refused') return prev ?? failed(startedCall(event, now), event, now);
    if (event.code >= 200 && event.code < 300) {
      if (!prev || prev.answeredAt !== null || prev.endedAt !== null) return prev;
      return { ...prev, answeredAt: now, disposition: 'answered' };
    }
    if (event.code >= 300) {
      if (prev && (prev.answeredAt !== null || prev.endedAt !== null)) return prev;
      return failed(prev ?? startedCall(event, now), event, now); // without prev: its 'received' event was lost
    }
    return prev;
  }
  // A BYE relayed, or sent by the system ('max call duration', 'agent revoked'); not a banned flood.
  if (event.method === 'BYE' && event.code === 0 && kind !== 'flood') {
    if (!prev || prev.endedAt !== null) return prev;
    const durationMs = prev.answeredAt !== null ? now - prev.answeredAt : 0;
    return { ...prev, endedAt: now, durationMs };
  }
  return prev;
}
