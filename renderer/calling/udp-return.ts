/**
 * Back to the direct UDP path after a relay recovery (relay-recovery.ts). The recovery cannot tell
 * a firewall that blocks UDP from a stall with another cause (an rtpengine restart, a far end that
 * paused): both look the same within its 0.8 s. So once audio flows on the relay-only peer
 * connection, the call tries its way back: it allows every candidate type again on that peer
 * connection (`iceTransportPolicy: 'all'`, the account's full ICE server list) and restarts ICE in
 * a re-INVITE. ICE then picks a UDP pair if one works, and keeps the TURN/TCP pair it has if not:
 * Chromium goes on sending on the selected pair of the old ICE generation until a pair of the new
 * one is nominated, and with UDP still blocked the only pairs that pass their checks are the TCP
 * and TLS relays (measured in e2e/recovery: audio without a gap through an attempt with UDP blocked).
 * The UDP pairs an attempt gathered stay in play: once UDP passes again, ICE's own checks make
 * one valid and Chromium moves to it without a further attempt (measured: 0.8 s after the block
 * was lifted); each attempt first looks whether that already happened.
 *
 * When: 5 s after audio is back on the relay. Not at once: the relay path has just been set up
 * (its re-INVITE, DTLS handshake, the old peer connection closed), a firewall that just dropped
 * UDP rarely lets it through again within seconds, and an rtpengine that just restarted is serving
 * again after about 0.6 s; 5 s keeps the TCP detour short after a restart. Then 15 s, then 45 s
 * while UDP stays blocked: each attempt costs a re-INVITE and an ICE restart (signalling and
 * checks, no audio gap), so their rate falls, and after three the call stays on the relay for good
 * (a network that blocks UDP for a minute is one that blocks it). Each attempt is an entry not
 * before its time in the call's re-INVITE schedule (reinvite-schedule.ts): one due while the
 * agent's hold is in flight waits for it, and a hold pressed during an attempt waits for the attempt.
 */
export const UDP_RETURN_DELAYS_MS: readonly number[] = [5000, 15_000, 45_000];

/**
 * How long after an attempt's re-INVITE is answered the selected pair is read: ICE checks over UDP
 * take a few round trips, and Chromium switches to the new generation's pair once one is nominated
 * (measured on loopback: well within a second).
 */
export const UDP_RETURN_SETTLE_MS = 2000;

export type UdpReturnStep =
  /** The media leaves over UDP again: done. */
  | { readonly type: 'returned' }
  /** Try (again) after `ms`. */
  | { readonly type: 'attempt'; readonly ms: number }
  /** Every attempt kept the relay: the call stays there. */
  | { readonly type: 'stay-on-relay' };

/** What to do after `attempts` attempts, the media leaving over UDP (`overUdp`) or not. */
export function nextUdpReturn(attempts: number, overUdp: boolean): UdpReturnStep {
  if (overUdp) return { type: 'returned' };
  const ms = UDP_RETURN_DELAYS_MS[attempts];
  return ms === undefined ? { type: 'stay-on-relay' } : { type: 'attempt', ms };
}

/** The relay-only configuration with every candidate type allowed again, over the account's full ICE server list. */
export function udpReturnConfiguration(current: RTCConfiguration, iceServers: RTCIceServer[]): RTCConfiguration {
  return { ...current, iceServers, iceTransportPolicy: 'all' };
}
