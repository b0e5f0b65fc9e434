import { Web, type SessionDescriptionHandlerModifier } from 'sip.js';
import { OriginContinuation, sdpOrigin, type SdpOrigin } from './sdp-origin.js';

/**
 * Recovery from UDP blocked mid-call on a NEW peer connection, relayed over TURN TCP/TLS.
 *
 * Why not an ICE restart on the call's own peer connection: measured on this stack, the stall is
 * seen (media-recovery.ts), the restart's re-INVITE answered and the TURN/TCP pair checked about
 * 1.4 s after the block, yet audio came back only after 3.5 s. Chromium keeps the dead UDP pair
 * selected until its fixed receiving timeout (2.5 s) and switching delay (1 s) have run: neither
 * can be set from a page nor by field trial, rtpengine (the ICE peer) picks the highest-priority
 * valid pair, and ICE-lite does not change that. A peer connection made for the recovery has no
 * UDP pair to cling to: relay-only (`iceTransportPolicy: 'relay'`) with only the TCP and TLS TURN
 * servers, it gathers, checks and does its DTLS handshake over the relay and carries audio as
 * soon as the re-INVITE with its offer is answered. The re-INVITE goes in the call's own
 * authenticated dialog, as every re-INVITE does; nothing new is reachable.
 *
 * The old peer connection stays open (still sending, in case the far end hears it) until the
 * new one carries audio (`commit`), or is put back if the re-INVITE fails (`abort`).
 *
 * The new peer connection takes the DTLS client role (its offers say `a=setup:active`). Measured:
 * offered `actpass`, rtpengine answered `active` and ICE connected 7 ms after the answer, but its
 * DTLS handshake completed only 1.57 s later (our reading, which rtpengine's log level does not
 * show: its first ClientHello went out before the relay path was usable, and DTLS retransmits
 * after 1 s). Offered `active`, rtpengine answered `passive` and DTLS completed 3 ms after ICE:
 * as the client, Chromium sends its ClientHello the moment ICE connects, over the pair it checked. Every offer of that peer connection says
 * so (a later `actpass` could let rtpengine pick `active` again: a role change mid-session).
 */

/**
 * The recovery peer connection's configuration: the current one (TURN credentials as refreshed,
 * rtcp-mux, bundle), relay-only, with only the TURN servers reached over TCP or TLS — a TURN/UDP
 * allocation cannot be made with UDP blocked, and waiting for one would only delay the offer.
 * Null when the account lists no TURN over TCP or TLS: then there is nothing to recover onto.
 */
export function relayRecoveryConfiguration(current: RTCConfiguration): RTCConfiguration | null {
  const iceServers = (current.iceServers ?? []).flatMap((server) => {
    const urls = [server.urls].flat().filter((url) => /^turns:/i.test(url) || (/^turn:/i.test(url) && /[?&]transport=tcp\b/i.test(url)));
    return urls.length > 0 ? [{ ...server, urls }] : [];
  });
  return iceServers.length > 0 ? { ...current, iceServers, iceTransportPolicy: 'relay' } : null;
}

/** A peer connection swapped in for a recovery: kept once it carries audio, or undone. */
export interface PeerConnectionSwap {
  /** The new peer connection carries audio: close the old one. */
  commit(): void;
  /** The recovery re-INVITE failed: the old peer connection is the call's again; the new one is closed. */
  abort(): void;
}

/**
 * SIP.js's WebRTC media handler that can make a new peer connection the call's own mid-call:
 * every offer, answer, stats reading, track switch and DTMF tone after `replacePeerConnection`
 * goes to the new one (SIP.js reads `_peerConnection` for each). The local tracks (the same
 * microphone, its mute state with it) are added to the new one; the far end's new track replaces
 * the old one in `remoteMediaStream` when the answer is applied (SIP.js's `ontrack`).
 */
export class RecoverableSessionDescriptionHandler extends Web.SessionDescriptionHandler {
  /** The peer connection a swap replaced, open until the swap is committed or undone. */
  private replaced: RTCPeerConnection | undefined;
  /**
   * Peer connections made by a swap: the DTLS client in every offer they make, and the session's
   * `o=` line carried on in every description (a re-offer keeps the session id and raises the
   * version, RFC 3264 §8; a new peer connection would start its own).
   */
  private readonly swappedIn = new WeakMap<RTCPeerConnection, OriginContinuation>();
  /** The `o=` of the last description we sent: what a swapped-in peer connection continues. */
  private sentOrigin: SdpOrigin | null = null;

  /** Our offer or answer; one of a swap's peer connection continues the session's `o=` and, offering, asks to be the DTLS client. */
  override async getDescription(
    options?: Web.SessionDescriptionHandlerOptions,
    modifiers?: SessionDescriptionHandlerModifier[],
  ): Promise<{ body: string; contentType: string }> {
    const description = await super.getDescription(options, modifiers);
    const pc = this._peerConnection;
    const origin = pc && this.swappedIn.get(pc);
    let body = description.body;
    if (origin) body = origin.apply(pc.signalingState === 'have-local-offer' ? asDtlsClient(body) : body);
    this.sentOrigin = sdpOrigin(body) ?? this.sentOrigin;
    return { ...description, body };
  }

  replacePeerConnection(configuration: RTCConfiguration): PeerConnectionSwap {
    const old = this._peerConnection;
    if (!old) throw new Error('Peer connection closed.');
    if (this.replaced) throw new Error('A peer connection swap is already pending.');
    const next = new RTCPeerConnection(configuration);
    this.swappedIn.set(next, new OriginContinuation(this.sentOrigin));
    for (const track of this._localMediaStream.getTracks()) next.addTrack(track, this._localMediaStream);
    const use = (pc: RTCPeerConnection) => {
      this._peerConnection = pc;
      // SIP.js's own handlers (ICE gathering end, remote track, the delegate): private in its typings only.
      (this as unknown as { initPeerConnectionEventHandlers(): void }).initPeerConnectionEventHandlers();
    };
    this.replaced = old;
    // SIP.js's handlers on the old one would feed the new one's ICE gathering wait and remote stream.
    detachHandlers(old);
    use(next);
    return {
      commit: () => {
        if (this.replaced !== old) return;
        this.replaced = undefined;
        old.close();
      },
      abort: () => {
        if (this.replaced !== old || this._peerConnection !== next) return;
        this.replaced = undefined;
        detachHandlers(next);
        use(old);
        next.close();
      },
    };
  }

  /**
   * Withdraws an offer still unanswered — SIP.js calls this when a re-INVITE is refused (RFC 3264:
   * the session stays as it was), and the call before retrying one that went unanswered. SIP.js's
   * WebRTC handler has none, so a refused re-INVITE (a recovery, an ICE restart, a hold) left the
   * peer connection in have-local-offer and every later offer failed ("Invalid signaling state",
   * seen after rtpengine refused a recovery with 488). Nothing to withdraw when stable: resolves,
   * because a rejection here makes SIP.js end the call.
   */
  async rollbackDescription(): Promise<void> {
    const pc = this._peerConnection;
    if (pc?.signalingState === 'have-local-offer' || pc?.signalingState === 'have-remote-offer') {
      await pc.setLocalDescription({ type: 'rollback' });
    }
  }

  /** The call ended: the peer connection a pending swap replaced closes too. */
  override close(): void {
    this.replaced?.close();
    this.replaced = undefined;
    super.close();
  }
}

/**
 * An offer whose `actpass` becomes `active`: the answerer must then be the DTLS server, and
 * Chromium, whose local description still says `actpass`, takes the client role the answer leaves
 * it (JSEP 5.1.1: an offerer's actpass may be narrowed only in what is sent).
 */
export function asDtlsClient(sdp: string): string {
  return sdp.replace(/^a=setup:actpass(?=\r?$)/gm, 'a=setup:active');
}

/**
 * Every event handler SIP.js's WebRTC handler sets on its peer connection
 * (initPeerConnectionEventHandlers): what a swap takes off the peer connection that is no longer
 * the call's. The unit test checks a swap against this same list.
 */
export const PEER_CONNECTION_HANDLERS = [
  'onconnectionstatechange',
  'ondatachannel',
  'onicecandidate',
  'onicecandidateerror',
  'oniceconnectionstatechange',
  'onicegatheringstatechange',
  'onnegotiationneeded',
  'onsignalingstatechange',
  'ontrack',
] as const satisfies ReadonlyArray<keyof RTCPeerConnection>;

/** SIP.js's handlers off a peer connection that is no longer the call's. */
function detachHandlers(pc: RTCPeerConnection): void {
  for (const handler of PEER_CONNECTION_HANDLERS) pc[handler] = null;
}
