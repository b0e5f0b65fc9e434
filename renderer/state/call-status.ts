import type { CallSnapshot, CallEndReason } from '../calling/phone-api.js';
import type { CallHistoryEntry } from '../../common/contract/index.js';

/**
 * What the "Call status" line says for a call, and how a finished call is filed in the history.
 * Short words first ("Busy", "No answer") so the status is readable at a glance; the phone's own
 * longer message (e.g. why a call failed) is shown next to it as detail.
 */

const ENDED_TEXT: Record<CallEndReason, string> = {
  'local-hangup': 'Call ended',
  'remote-hangup': 'Call ended',
  cancelled: 'Call cancelled',
  declined: 'Declined',
  busy: 'Busy',
  'no-answer': 'No answer',
  missed: 'Missed call',
  transferred: 'Call transferred',
  'not-found': 'Number not found',
  failed: 'Call failed',
};

export function callStatusText(call: CallSnapshot): string {
  switch (call.state) {
    case 'dialing':
      return 'Calling…';
    case 'ringing':
      return call.direction === 'outbound' ? 'Ringing…' : 'Incoming call';
    case 'connecting':
      return 'Connecting…';
    case 'active':
      return call.held ? 'On hold' : 'Connected';
    case 'ended':
      return call.endReason ? ENDED_TEXT[call.endReason] : 'Call ended';
  }
}

/** The phone's message when it explains more than the status word does. */
export function callStatusDetail(call: CallSnapshot): string | null {
  const message = call.message?.trim();
  if (!message || message === callStatusText(call)) return null;
  return message;
}

export type Disposition = 'answered' | 'cancelled' | 'declined' | 'busy' | 'no-answer' | 'missed' | 'failed';

export function dispositionOf(call: CallSnapshot): Disposition {
  if (call.answeredAt !== null) return 'answered';
  switch (call.endReason) {
    case 'cancelled':
    case 'local-hangup':
      return 'cancelled';
    case 'declined':
      return 'declined';
    case 'busy':
      return 'busy';
    case 'no-answer':
      return call.direction === 'inbound' ? 'missed' : 'no-answer';
    case 'missed':
    case 'remote-hangup':
      return call.direction === 'inbound' ? 'missed' : 'failed';
    default:
      return 'failed';
  }
}

export const DISPOSITION_TEXT: Record<string, string> = {
  answered: 'Answered',
  cancelled: 'Cancelled',
  declined: 'Declined',
  busy: 'Busy',
  'no-answer': 'No answer',
  missed: 'Missed',
  failed: 'Failed',
};

/** A finished call as the history stores it; null while the call is still going. */
export function toHistoryEntry(call: CallSnapshot): CallHistoryEntry | null {
  if (call.state !== 'ended') return null;
  return {
    id: call.id.slice(0, 128),
    direction: call.direction,
    // The raw target, so "Redial" dials exactly what reached us.
    peer: call.peer.slice(0, 256),
    startedAt: call.startedAt,
    answeredAt: call.answeredAt,
    endedAt: call.endedAt ?? call.startedAt,
    disposition: dispositionOf(call),
  };
}
