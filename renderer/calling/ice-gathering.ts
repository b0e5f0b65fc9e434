/**
 * SIP carries no trickle ICE: SIP.js sends the INVITE only once candidate gathering is complete
 * (or its timeout fires). Chromium keeps gathering for TURN/TCP and TURN/TLS long after the
 * useful candidates are in — measured here, every call waited for the full timeout. A UDP relay
 * candidate is the one that works through any NAT/firewall that lets TURN through at all, so once
 * it (or, without TURN, the first server-reflexive/host set) is in, the offer is good enough.
 * Pure decision; the core calls `iceGatheringComplete()` when it says so.
 */
export interface CandidateInfo {
  /** RTCIceCandidate.type: host | srflx | prflx | relay (null for the end-of-candidates event). */
  readonly type: string | null;
  /** RTCIceCandidate.protocol: udp | tcp. */
  readonly protocol: string | null;
}

/** Upper bound when no decisive candidate arrives (e.g. TURN unreachable): then send what we have. */
export const ICE_GATHERING_TIMEOUT_MS = 1000;

export function gatheringIsGoodEnough(candidate: CandidateInfo, turnConfigured: boolean): boolean {
  if (turnConfigured) return candidate.type === 'relay' && candidate.protocol === 'udp';
  return false; // without TURN, host/srflx gathering completes quickly by itself
}
