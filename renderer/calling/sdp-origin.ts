/**
 * The `o=` line of an SDP we send (RFC 4566 §5.2): `o=<username> <sess-id> <sess-version> …`.
 * RFC 3264 §8: every offer or answer in a session carries the same session id, and a version one
 * higher whenever the description changed. A peer connection made mid-call (relay-recovery.ts)
 * starts its own id and version; `continueOrigin` carries the call's on.
 */
export interface SdpOrigin {
  readonly id: string;
  readonly version: bigint;
}

const ORIGIN = /^(o=\S+ )(\d+) (\d+)(?= )/m;

/** The session id and version of `sdp`, or null when it has no well-formed `o=` line. */
export function sdpOrigin(sdp: string): SdpOrigin | null {
  const match = ORIGIN.exec(sdp);
  return match ? { id: match[2]!, version: BigInt(match[3]!) } : null;
}

/** `sdp` with its `o=` line's session id and version replaced (the rest of the line kept). */
export function withOrigin(sdp: string, origin: SdpOrigin): string {
  return sdp.replace(ORIGIN, (_line, head: string) => `${head}${origin.id} ${origin.version}`);
}

/**
 * How a second description source (a new peer connection) continues a session: its own versions
 * (which its browser already increments per new description) shifted so that its first one is one
 * above the last version sent, under the session's id.
 */
export class OriginContinuation {
  private offset: bigint | null = null;
  /** `session`: the last `o=` sent (null: none yet, so nothing to continue). */
  constructor(private readonly session: SdpOrigin | null) {}

  apply(sdp: string): string {
    const own = sdpOrigin(sdp);
    if (!own || !this.session) return sdp;
    this.offset ??= this.session.version + 1n - own.version;
    return withOrigin(sdp, { id: this.session.id, version: own.version + this.offset });
  }
}
