import type { CallSnapshot } from '../calling/phone-api.js';
import type { AppState } from './app-state.js';
import { callStatusDetail, callStatusText } from './call-status.js';

/** Derived views of AppState, so components stay free of call-juggling rules. */

const isLive = (call: CallSnapshot) => call.state !== 'ended';
const isIncomingRinging = (call: CallSnapshot) => call.direction === 'inbound' && call.state === 'ringing';

/** Calls ringing in, oldest first (answer order). */
export function selectIncomingCalls(state: AppState): readonly CallSnapshot[] {
  return state.phone.calls.filter(isIncomingRinging);
}

/**
 * The call the main panel shows: the newest live call that is not ringing in, preferring one that
 * is not on hold (after switching between two calls, the one being talked on).
 */
export function selectCurrentCall(state: AppState): CallSnapshot | null {
  let current: CallSnapshot | null = null;
  for (const call of state.phone.calls) {
    if (!isLive(call) || isIncomingRinging(call)) continue;
    const better = current === null || (current.held && !call.held) || (current.held === call.held && call.startedAt >= current.startedAt);
    if (better) current = call;
  }
  return current;
}

/** Live calls besides the current one and those ringing in (e.g. a call parked on hold). */
export function selectOtherCalls(state: AppState): readonly CallSnapshot[] {
  const current = selectCurrentCall(state);
  return state.phone.calls.filter((c) => isLive(c) && !isIncomingRinging(c) && c.id !== current?.id);
}

export function selectHasLiveCall(state: AppState): boolean {
  return state.phone.calls.some(isLive);
}

/** Text of the "Registration" status region: contains "Registered" exactly when registered. */
export function selectRegistrationText(state: AppState): string {
  switch (state.auth.phase) {
    case 'starting':
      return 'Starting…';
    case 'signing-in':
      return 'Signing in…';
    case 'signed-out':
      return state.auth.error ?? 'Signed out';
    case 'signed-in':
      break;
  }
  const registration = state.phone.registration;
  switch (registration.kind) {
    case 'registered':
      return `Registered as ${state.config?.agent.username ?? 'agent'}`;
    case 'connecting':
      return 'Connecting…';
    case 'unregistered':
      return 'Not connected';
    case 'failed': {
      if (registration.retryInMs === null) return registration.message;
      const seconds = Math.max(1, Math.round(registration.retryInMs / 1000));
      // The lockout sentence reads as one: "…: locked, retrying in 300 s".
      return registration.reason === 'locked'
        ? `${registration.message}, retrying in ${seconds} s`
        : `${registration.message} Retrying in ${seconds} s.`;
    }
  }
}

/**
 * Where the saved password is and what protects it, in the agent's words (null until the host
 * said). Obfuscation must never read as encryption: it names the missing keyring to install.
 */
export function selectPasswordStorageText(state: AppState): string | null {
  switch (state.passwordStorage) {
    case null:
      return null;
    case 'os-encrypted':
      return 'Saved password: encrypted with your system keyring.';
    case 'obfuscated':
      return (
        'Saved password: obfuscated only, NOT encrypted: this computer has no system keyring ' +
        '(GNOME Keyring or KWallet), so anyone who can read your profile can recover it. Ask IT to set one up.'
      );
    case 'plain-file':
      return 'Saved password: stored in clear text in your profile (no system encryption available).';
    case 'browser-session':
      return 'Password kept only while this browser tab is open.';
  }
}

export type RegistrationTone = 'ok' | 'busy' | 'error' | 'idle';

export function selectRegistrationTone(state: AppState): RegistrationTone {
  if (state.auth.phase === 'signing-in' || state.auth.phase === 'starting') return 'busy';
  if (state.auth.phase === 'signed-out') return state.auth.error ? 'error' : 'idle';
  switch (state.phone.registration.kind) {
    case 'registered':
      return 'ok';
    case 'connecting':
      return 'busy';
    case 'failed':
      return 'error';
    case 'unregistered':
      return 'idle';
  }
}

/**
 * Text of the "Call status" region: the current call, else how the last one ended, else whether a
 * call can be placed at all ("Ready" / "Offline").
 */
export function selectCallStatus(state: AppState): { text: string; detail: string | null } {
  const call = selectCurrentCall(state) ?? selectIncomingCalls(state)[0] ?? state.lastEndedCall;
  if (call === null) return { text: state.phone.registration.kind === 'registered' ? 'Ready' : 'Offline', detail: null };
  return { text: callStatusText(call), detail: callStatusDetail(call) };
}
