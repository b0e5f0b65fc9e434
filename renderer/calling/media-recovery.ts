/**
 * When a live call's media path gets an ICE restart, and what the agent is told meanwhile. Pure:
 * the call feeds it ICE connection states, its grace timer, network changes and the end of each
 * restart's re-INVITE, and runs the action it returns.
 *
 *                 disconnected                     grace over, still down
 *        up ───────────────────────▶ suspect ─────────────────────────────▶ restarting
 *        ▲  ◀───── connected ──────────┘                                      │  ▲
 *        │                                                                    │  │ failed again after
 *        └──────────────────────── connected / completed ◀────────────────────┘  │ the re-INVITE settled
 *                                                                                 │ (at most MAX_RESTARTS)
 *   failed (from up or suspect), inbound audio stalled, or a network change ──▶ restarting
 *   inbound audio flowing again counts as connected (ICE may have said "connected" throughout);
 *   after a stall only that does: ICE "connected" leaves the notice up until audio is back
 *
 * Why watch the inbound audio too: when UDP is blocked, Chromium moves its sending to a TURN/TCP
 * relay pair it had already checked and keeps reporting "connected", but rtpengine (the ICE
 * peer) does not follow an unannounced switch, so nothing comes back until an ICE restart
 * (measured: "connected" throughout, inbound packets stopped for good).
 * Which recovery an inbound stall gets: a stall while our media leaves over UDP (a host, reflexive
 * or TURN/UDP pair) is what UDP blocked mid-call looks like at the moment it is seen (measured:
 * ICE still "connected" on the dead UDP pair, our packets still leaving). An ICE restart cannot
 * beat Chromium's fixed 2.5 s receiving timeout + 1 s switching delay on that pair, so the call
 * recovers on a new relay-only peer connection over TURN TCP/TLS instead ('recover-on-relay',
 * relay-recovery.ts: measured under 3 s). A stall on a TCP or TLS relay, ICE "disconnected" or
 * "failed", and a network change keep the ICE restart: there UDP is not what failed, and moving
 * the call onto a relay for good would cost every later packet a detour through TURN. A stall
 * over UDP with another cause (the far end stopped sending, an rtpengine restart) lands the call on
 * a TCP relay too: it still carries audio, and an ICE restart would not have brought back a far end
 * that is gone. The call does not stay there: once audio flows on the relay it tries its way back
 * to UDP on the same peer connection, a few times with back-off (udp-return.ts).
 * "disconnected" is often a blip (a lost burst, Chromium moving to another candidate pair it
 * already checked, e.g. a TURN/TCP relay): the grace lets ICE heal by itself before a
 * renegotiation. "failed", or a network change (the old 5-tuple is gone), restarts at once.
 */
export type MediaPath = 'up' | 'suspect' | 'restarting';

export interface MediaRecovery {
  readonly path: MediaPath;
  /** An ICE-restart re-INVITE is out and not yet answered. */
  readonly inFlight: boolean;
  /** Restarts since media was last up. */
  readonly restarts: number;
  /** What the agent is told while media is being recovered (null when all is well). */
  readonly notice: string | null;
  /**
   * Inbound audio stopped and has not come back. ICE saying "connected" again does not clear this
   * (or the notice): after a restart ICE connects well before the relayed audio arrives, and it said
   * "connected" throughout the stall itself. Only audio flowing again does.
   */
  readonly audioStalled: boolean;
}

export type MediaEvent =
  | { readonly type: 'ice'; readonly state: RTCIceConnectionState }
  | { readonly type: 'grace-over' }
  | { readonly type: 'inbound'; readonly flowing: true }
  /** `overUdp`: our media left over UDP when the stall was seen (call-stats.ts's mediaLeavesOverUdp). */
  | { readonly type: 'inbound'; readonly flowing: false; readonly overUdp: boolean }
  | { readonly type: 'network-changed' }
  | { readonly type: 'restart-settled' };

export type MediaAction = 'none' | 'start-grace' | 'restart' | 'recover-on-relay';

/** How long a "disconnected" may last before we renegotiate. */
export const DISCONNECTED_GRACE_MS = 1000;
/** Restarts in a row that did not bring media back before we stop trying (the agent is told). */
export const MAX_RESTARTS = 3;

export const NOTICE_NETWORK_CHANGED = 'Network changed — reconnecting audio…';
export const NOTICE_PATH_LOST = 'Audio interrupted — reconnecting audio…';
export const NOTICE_GAVE_UP = 'Audio could not be reconnected — check the network, or hang up and call again.';

export const initialMediaRecovery: MediaRecovery = { path: 'up', inFlight: false, restarts: 0, notice: null, audioStalled: false };

export function nextMediaRecovery(s: MediaRecovery, e: MediaEvent): { state: MediaRecovery; action: MediaAction } {
  const restart = (notice: string, audioStalled = s.audioStalled, action: 'restart' | 'recover-on-relay' = 'restart') =>
    s.inFlight
      ? { state: { ...s, path: 'restarting' as const, notice, audioStalled }, action: 'none' as const }
      : s.restarts >= MAX_RESTARTS
        ? { state: { ...s, path: 'restarting' as const, notice: NOTICE_GAVE_UP, audioStalled }, action: 'none' as const }
        : {
            state: { ...s, path: 'restarting' as const, inFlight: true, restarts: s.restarts + 1, notice, audioStalled },
            action,
          };
  switch (e.type) {
    case 'ice':
      if (e.state === 'connected' || e.state === 'completed')
        return s.audioStalled ? { state: s, action: 'none' } : { state: { ...s, path: 'up', restarts: 0, notice: null }, action: 'none' };
      if (e.state === 'disconnected' && s.path === 'up')
        return { state: { ...s, path: 'suspect', notice: NOTICE_PATH_LOST }, action: 'start-grace' };
      if (e.state === 'failed') return restart(NOTICE_PATH_LOST);
      return { state: s, action: 'none' };
    case 'inbound':
      if (e.flowing)
        return s.path === 'up' && !s.audioStalled
          ? { state: s, action: 'none' }
          : { state: { ...s, path: 'up', restarts: 0, notice: null, audioStalled: false }, action: 'none' };
      return restart(NOTICE_PATH_LOST, true, e.overUdp ? 'recover-on-relay' : 'restart');
    case 'grace-over':
      return s.path === 'suspect' ? restart(NOTICE_PATH_LOST) : { state: s, action: 'none' };
    case 'network-changed':
      return restart(NOTICE_NETWORK_CHANGED);
    case 'restart-settled':
      return { state: { ...s, inFlight: false }, action: 'none' };
  }
}

/**
 * Inbound audio that grew by no packet for this long is stalled: 40 packets of 20 ms missed, twice
 * the 400 ms of a DTX pause; short enough that the restart brings audio back within 3 s.
 */
export const INBOUND_STALL_MS = 800;

/**
 * Edge detector over the receiver's packet count, sampled by the call: says `false` once when
 * the count stood still for INBOUND_STALL_MS while audio was expected, `true` once when it moves
 * again. It arms only once the first packet arrived (a call whose media is slow to start is not
 * stalled: ICE decides that), and samples while nothing is expected (on hold either way) reset it.
 * The stall clock runs only while we send: a far end that plays back what it hears (an echo test,
 * an IVR prompt keyed to speech, a conference bridge's loop) goes quiet whenever our microphone
 * does — a headset unplugged, a device swap opening the new capture — and that silence is no path
 * failure (measured: every unplug on an echo call restarted ICE, and the restart cost seconds of
 * audio). A dead path does not stop our sending: packets still leave the sender.
 */
export class InboundWatch {
  private lastPackets = -1;
  private lastSent = -1;
  private wasSending = false;
  private lastGrowthAt = 0;
  private stalled = false;

  sample(packets: number, sent: number, now: number, expected: boolean): boolean | null {
    if (!expected) {
      this.lastPackets = -1;
      this.lastSent = -1;
      this.wasSending = false;
      this.stalled = false;
      return null;
    }
    const sending = this.lastSent >= 0 && sent > this.lastSent;
    const resumed = sending && !this.wasSending;
    this.lastSent = sent;
    this.wasSending = sending;
    if (packets === 0) return null;
    if (packets !== this.lastPackets) {
      const first = this.lastPackets < 0;
      this.lastPackets = packets;
      this.lastGrowthAt = now;
      if (!first && this.stalled) {
        this.stalled = false;
        return true;
      }
      return null;
    }
    if (!sending || resumed) {
      this.lastGrowthAt = now; // the clock starts (again) at the first sample that saw us send
      return null;
    }
    if (!this.stalled && now - this.lastGrowthAt >= INBOUND_STALL_MS) {
      this.stalled = true;
      return false;
    }
    return null;
  }
}
