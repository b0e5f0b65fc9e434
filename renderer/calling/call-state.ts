import type { CallDirection, CallState } from './phone-api.js';

/**
 * The life of one call, as the UI sees it. Hold and mute are flags on an `active` call, not
 * states: a held call is still connected and can be hung up, transferred or resumed.
 *
 * ```
 *   outbound                                   inbound
 *   ────────                                   ───────
 *   ┌─────────┐ provisional (180/183)           INVITE arrives
 *   │ dialing │──────────────┐                       │
 *   └─────────┘              ▼                       ▼
 *        │             ┌─────────┐ provisional ┌─────────┐
 *        │             │ ringing │◀────────────│ ringing │ (one state; shown twice)
 *        │             └─────────┘             └─────────┘
 *        │ answered (2xx)   │ answered (2xx / we accepted)
 *        ▼                  ▼
 *   ┌────────────────────────────┐
 *   │         connecting         │  SIP dialog up, waiting for ICE/DTLS
 *   └────────────────────────────┘
 *                 │ media-up (ICE connected)
 *                 ▼
 *   ┌────────────────────────────┐
 *   │           active           │  ──media-up (ICE restart) → active
 *   └────────────────────────────┘
 *
 *   dialing | ringing | connecting | active ──end(reason)──▶ ended   (terminal)
 * ```
 * Anything not drawn is illegal: `transition` returns an error instead of a state, so a late or
 * duplicated SIP event cannot revive an ended call or skip the answer.
 */

export type CallEvent = { type: 'provisional' } | { type: 'answered' } | { type: 'media-up' } | { type: 'end' };

export function initialCallState(direction: CallDirection): CallState {
  return direction === 'outbound' ? 'dialing' : 'ringing';
}

const LEGAL: Record<CallState, Partial<Record<CallEvent['type'], CallState>>> = {
  dialing: { provisional: 'ringing', answered: 'connecting', end: 'ended' },
  ringing: { provisional: 'ringing', answered: 'connecting', end: 'ended' },
  connecting: { 'media-up': 'active', end: 'ended' },
  active: { 'media-up': 'active', end: 'ended' },
  ended: {},
};

export type TransitionResult = { ok: true; state: CallState } | { ok: false; error: string };

export function transition(state: CallState, event: CallEvent): TransitionResult {
  const next = LEGAL[state][event.type];
  return next === undefined ? { ok: false, error: `illegal call transition: ${event.type} while ${state}` } : { ok: true, state: next };
}
