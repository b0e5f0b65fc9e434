import type { RegistrationFailure, RegistrationState } from './phone-api.js';

/**
 * The agent's registration, as the UI sees it. `SipConnection` moves it only through `nextRegistration`.
 *
 * ```
 *   ┌──────────────┐  refuse (the configuration can never work: ws:// to another computer)
 *   │ unregistered │─────────────────────────────────────────────┐
 *   └──────────────┘                                             │
 *          │ connect (start)                                     ▼
 *          ▼                    fail (connect or REGISTER   ┌──────────┐
 *   ┌──────────────┐            failed, timed out, refused) │  failed  │──fail──┐
 *   │  connecting  │───────────────────────────────────────▶│          │◀───────┘
 *   │              │◀───────────────────────────────────────│          │
 *   └──────────────┘  connect (retry timer, resume)         └──────────┘
 *      │        ▲                                                ▲
 *      │accepted│ connect (resume, network change)               │ fail (transport lost,
 *      ▼        │                                                │  re-REGISTER refused)
 *   ┌──────────────┐─────────────────────────────────────────────┘
 *   │  registered  │──accepted (registered again after a lapse)──▶ registered
 *   └──────────────┘
 *
 *   any state ──stop──▶ unregistered        connecting ──connect──▶ connecting (resume meanwhile)
 *   failed with retryInMs n: a reconnect timer fires `connect` after n ms; null: waits for the user
 * ```
 * Anything not drawn is illegal: `nextRegistration` returns an error instead of a state, so a late answer
 * (a REGISTER accepted after we already gave up on it, a callback after stop) cannot show
 * "Registered" on a line that is not.
 */
export type RegistrationEvent =
  | { type: 'connect' }
  | { type: 'accepted'; since: number }
  | { type: 'fail'; reason: RegistrationFailure; message: string; retryInMs: number | null }
  | { type: 'refuse'; reason: RegistrationFailure; message: string }
  | { type: 'stop' };

type Kind = RegistrationState['kind'];

const LEGAL: Record<Kind, ReadonlySet<RegistrationEvent['type']>> = {
  unregistered: new Set(['connect', 'refuse', 'stop']),
  connecting: new Set(['connect', 'accepted', 'fail', 'stop']),
  registered: new Set(['connect', 'accepted', 'fail', 'stop']),
  failed: new Set(['connect', 'fail', 'stop']),
};

export type RegistrationTransition = { ok: true; state: RegistrationState } | { ok: false; error: string };

export function nextRegistration(state: RegistrationState, event: RegistrationEvent): RegistrationTransition {
  if (!LEGAL[state.kind].has(event.type)) {
    return { ok: false, error: `illegal registration transition: ${event.type} while ${state.kind}` };
  }
  switch (event.type) {
    case 'connect':
      return { ok: true, state: { kind: 'connecting' } };
    case 'accepted':
      return { ok: true, state: { kind: 'registered', since: event.since } };
    case 'fail':
      return { ok: true, state: { kind: 'failed', reason: event.reason, message: event.message, retryInMs: event.retryInMs } };
    case 'refuse':
      return { ok: true, state: { kind: 'failed', reason: event.reason, message: event.message, retryInMs: null } };
    case 'stop':
      return { ok: true, state: { kind: 'unregistered' } };
  }
}
