/**
 * The states of one carrier call and the only moves between them (pure). Every part of a call
 * (UAS and UAC INVITE handling, in-dialog requests, shutdown) changes state through `nextState`,
 * so a move the table does not draw cannot happen.
 *
 *                        answered (2xx sent, or a usable 2xx received)
 *            ┌─────────┐ ─────────────────────────────────────────────▶ ┌──────────┐
 *  INVITE ──▶│ ringing │                                                │ answered │
 *            └─────────┘                                                └──────────┘
 *              │     │  hungUp (CANCEL received, our CANCEL took, our       │
 *              │     │  480 to theirs, BYE for a 2xx we no longer want,     │ hungUp (BYE from
 *              │     │  shutdown)                                           │ either side, shutdown)
 *              │     ▼                                                      ▼
 *              │   ┌───────┐ ◀──────────────────────────────────────────────┘
 *              │   │ ended │
 *              │   └───────┘
 *              │ failed (a final 3xx-6xx either way, no usable dialog, no answer in time)
 *              ▼
 *            ┌────────┐
 *            │ failed │
 *            └────────┘
 *
 * `ended` and `failed` are final: events there change nothing (a late BYE, a retransmitted 2xx).
 */
export type CallState = 'ringing' | 'answered' | 'ended' | 'failed';
export type CallEvent = 'answered' | 'hungUp' | 'failed';

export const CALL_TRANSITIONS: Readonly<Record<CallState, Readonly<Partial<Record<CallEvent, CallState>>>>> = {
  ringing: { answered: 'answered', hungUp: 'ended', failed: 'failed' },
  answered: { hungUp: 'ended' },
  ended: {},
  failed: {},
};

/** The state after `event`, or undefined when the table has no such move from `state`. */
export function nextState(state: CallState, event: CallEvent): CallState | undefined {
  return CALL_TRANSITIONS[state][event];
}

export const isFinal = (state: CallState): boolean => state === 'ended' || state === 'failed';
