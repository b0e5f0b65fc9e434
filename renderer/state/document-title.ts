import type { AppState } from './app-state.js';
import { formatPeer } from './format.js';
import { selectCurrentCall, selectIncomingCalls } from './selectors.js';

/**
 * The window/tab title: says a call is ringing or up, so an agent in another window or tab sees
 * it in the taskbar. Pure.
 */
export function documentTitle(state: AppState): string {
  const domain = state.config?.sip.domain ?? null;
  const incoming = selectIncomingCalls(state)[0];
  if (incoming) return `Incoming call: ${formatPeer(incoming.peer, incoming.peerDisplayName, domain)} — Clearline`;
  const current = selectCurrentCall(state);
  if (current) {
    const answered = current.state === 'active' || current.state === 'connecting';
    const what = current.held ? 'On hold' : answered ? 'In call' : 'Calling';
    return `${what}: ${formatPeer(current.peer, current.peerDisplayName, domain)} — Clearline`;
  }
  return 'Clearline';
}
