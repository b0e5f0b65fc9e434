import { NO_AUDIO_ENDED_MESSAGE } from './hangup-reason.js';
import type { CallDirection, CallEndReason } from './phone-api.js';

/**
 * How a call ended, and the sentence the UI shows for it. Pure: the core records what it saw
 * (final SIP status, who hung up, what we asked for) and this decides.
 */
export interface EndEvidence {
  readonly direction: CallDirection;
  readonly wasAnswered: boolean;
  /** Final non-2xx status of the INVITE, if one arrived (outbound) or we sent one (inbound). */
  readonly finalStatus: { code: number; reason: string } | null;
  /** What we did ourselves, if anything, before the call ended. */
  readonly localAction: 'hangup' | 'cancel' | 'decline' | 'transfer' | 'ring-timeout' | 'media-timeout' | null;
  readonly transferTarget?: string;
}

export interface CallOutcome {
  readonly reason: CallEndReason;
  readonly message: string;
}

export function callOutcome(e: EndEvidence): CallOutcome {
  if (e.localAction === 'media-timeout') return { reason: 'failed', message: NO_AUDIO_ENDED_MESSAGE };
  if (e.localAction === 'transfer') return { reason: 'transferred', message: `Transferred to ${e.transferTarget ?? 'the new party'}` };
  if (e.wasAnswered) {
    return e.localAction === 'hangup'
      ? { reason: 'local-hangup', message: 'Call ended' }
      : { reason: 'remote-hangup', message: 'Call ended — the other party hung up' };
  }
  if (e.localAction === 'ring-timeout') return { reason: 'no-answer', message: 'No answer — nobody picked up' };
  if (e.localAction === 'cancel' || e.localAction === 'hangup') {
    return e.direction === 'outbound'
      ? { reason: 'cancelled', message: 'Call cancelled' }
      : { reason: 'declined', message: 'Call declined' };
  }
  if (e.localAction === 'decline') return { reason: 'declined', message: 'Call declined' };
  if (e.direction === 'inbound') return { reason: 'missed', message: 'Missed call — the caller hung up' };
  const status = e.finalStatus;
  if (!status) return { reason: 'failed', message: 'Call failed — the connection to the phone server was lost' };
  const code = `${status.code} ${status.reason}`.trim();
  switch (status.code) {
    case 486:
    case 600:
      return { reason: 'busy', message: 'Busy — the number you called is busy' };
    case 603:
      return { reason: 'declined', message: 'Declined — the other party declined the call' };
    case 404:
    case 604:
      return { reason: 'not-found', message: 'Not found — that number or colleague does not exist' };
    case 408:
    case 480:
      return { reason: 'no-answer', message: 'No answer — nobody picked up' };
    case 487:
      return { reason: 'cancelled', message: 'Call cancelled' };
    default:
      return { reason: 'failed', message: `Call failed — ${code}` };
  }
}
