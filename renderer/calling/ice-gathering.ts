/**
 * SIP carries no trickle ICE: SIP.js sends the INVITE (or re-INVITE) only once candidate
 * gathering is complete or its timeout fires. Chromium keeps gathering long after the useful
 * candidates are in (measured here: every call waited for the full timeout), so we end it early —
 * but not at the first relay candidate: a UDP relay alone cannot survive UDP being blocked later
 * in the call (Wi-Fi captive portals, VPNs coming up, enterprise firewalls), while a TURN/TCP or
 * TURN/TLS relay pair already in the offer lets ICE move there by itself or after a restart. So
 * the offer is complete once a relay candidate of every TURN transport the account lists has
 * arrived. A transport that never answers (UDP blocked, TLS filtered) must not cost the whole
 * budget, least of all in an ICE restart that is bringing audio back: once the first relay is in,
 * the others get a grace of twice the time that one took (they cost a round trip or two more: a
 * TCP or TLS handshake), at least RELAY_GRACE_MIN_MS. Pure decisions; the core calls
 * `iceGatheringComplete()` when they say so.
 */

/** How the browser reaches the TURN server for a relay candidate (RTCIceCandidate.relayProtocol). */
export type RelayTransport = 'udp' | 'tcp' | 'tls';

export interface CandidateInfo {
  /** RTCIceCandidate.type: host | srflx | prflx | relay (null for the end-of-candidates event). */
  readonly type: string | null;
  /** RTCIceCandidate.relayProtocol: udp | tcp | tls for relay candidates, else null/undefined. */
  readonly relayProtocol?: string | null;
}

/** Upper bound when no relay arrives at all (e.g. TURN unreachable): then send what we have. */
export const ICE_GATHERING_TIMEOUT_MS = 1000;
/** The least the other transports' relays are waited for after the first one arrived. */
export const RELAY_GRACE_MIN_MS = 150;

/**
 * The relay transports the TURN URLs offer: `turns:` is TLS, `turn:` is `?transport=tcp` or UDP
 * (RFC 7065's default when no transport is named).
 */
export function relayTransportsOf(iceServers: readonly RTCIceServer[]): ReadonlySet<RelayTransport> {
  const wanted = new Set<RelayTransport>();
  for (const url of iceServers.flatMap((server) => [server.urls].flat())) {
    if (/^turns:/i.test(url)) wanted.add('tls');
    else if (/^turn:/i.test(url)) wanted.add(/[?&]transport=tcp\b/i.test(url) ? 'tcp' : 'udp');
  }
  return wanted;
}

/**
 * Collects one offer's candidates; `add` says true once a relay candidate of every wanted
 * transport is in. Without TURN it never says so (host/srflx gathering ends quickly by itself).
 */
export class RelayGathering {
  private readonly missing: Set<RelayTransport>;
  /** When the offer is good enough even if some relay is still missing (set by the first relay). */
  private graceEndsAt: number | null = null;

  /** `startedAt`: when gathering began, on the same clock as `add`'s `now`. */
  constructor(
    wanted: ReadonlySet<RelayTransport>,
    private readonly startedAt: number,
  ) {
    this.missing = new Set(wanted);
  }

  /** Time (same clock) after which to complete anyway; null until the first relay arrived. */
  get deadline(): number | null {
    return this.graceEndsAt;
  }

  add(candidate: CandidateInfo, now: number): boolean {
    if (this.missing.size === 0 || candidate.type !== 'relay') return false;
    const transport = candidate.relayProtocol?.toLowerCase();
    if (transport !== 'udp' && transport !== 'tcp' && transport !== 'tls') return false;
    if (!this.missing.delete(transport)) return false;
    this.graceEndsAt ??= now + Math.max(RELAY_GRACE_MIN_MS, 2 * (now - this.startedAt));
    return this.missing.size === 0;
  }
}
