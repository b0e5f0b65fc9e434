/**
 * Call records derived from SIP audit events (pure). One record per dialog-creating INVITE — its
 * Call-ID and the caller's From tag, so a Call-ID reused by another dialog gets its own record:
 * started when Kamailio accepted and relayed it, answered on its 2xx, ended on a final failure,
 * a CANCEL's 487, or a BYE.
 */

export interface SipEvent {
  readonly method: string;
  readonly code: number;
  readonly outcome: string;
  readonly callId: string;
  /** The From tag of the request (absent from Kamailio configs of earlier releases). */
  readonly fromTag?: string;
  /** The To tag of the request, when it has one: lets a BYE from the callee find the call. */
  readonly toTag?: string;
  readonly from: string;
  readonly to: string;
  readonly inDialog: boolean;
}

export type Disposition =
  | 'ringing'
  | 'answered'
  | 'busy'
  | 'no-answer'
  | 'cancelled'
  | 'not-found'
  | 'rejected'
  | 'failed';

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

/** Outcomes of requests that never became a call: digest challenges and refused credentials. */
const NOT_A_CALL = new Set(['challenge', 'wrong password', 'unknown user', 'auth user mismatch']);

export function dispositionOf(code: number, outcome: string): Disposition {
  if (outcome === 'cancelled' || code === 487) return 'cancelled';
  if (code === 486 || code === 600) return 'busy';
  if (code === 408 || code === 480) return 'no-answer';
  if (code === 404 || code === 604) return 'not-found';
  if (code === 403 || code === 603) return 'rejected';
  return 'failed';
}

function startedCall(event: SipEvent, now: number): CallRecord {
  return { callId: event.callId, fromTag: event.fromTag ?? '', from: event.from, to: event.to, startedAt: now, answeredAt: null, endedAt: null, durationMs: null, disposition: 'ringing' };
}

/** The call record after `event` at time `now`, or `prev` unchanged when the event is unrelated. */
export function applySipEvent(prev: CallRecord | undefined, event: SipEvent, now: number): CallRecord | undefined {
  if (event.method === 'INVITE' && !event.inDialog) {
    if (NOT_A_CALL.has(event.outcome)) return prev;
    if (event.code === 0) return prev ?? startedCall(event, now);
    if (event.code >= 200 && event.code < 300) {
      if (!prev || prev.answeredAt !== null || prev.endedAt !== null) return prev;
      return { ...prev, answeredAt: now, disposition: 'answered' };
    }
    if (event.code >= 300) {
      if (prev && (prev.answeredAt !== null || prev.endedAt !== null)) return prev;
      // A failure without a relayed INVITE before it (e.g. 404) is a call that ended as it began.
      return { ...(prev ?? startedCall(event, now)), endedAt: now, durationMs: 0, disposition: dispositionOf(event.code, event.outcome) };
    }
    return prev;
  }
  if (event.method === 'BYE' && event.code === 0) {
    if (!prev || prev.endedAt !== null) return prev;
    const durationMs = prev.answeredAt !== null ? now - prev.answeredAt : 0;
    return { ...prev, endedAt: now, durationMs };
  }
  return prev;
}
