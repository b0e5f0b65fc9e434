import { Web, type SessionDescriptionHandlerFactory } from 'sip.js';
import { ICE_GATHERING_TIMEOUT_MS, RelayGathering, relayTransportsOf } from './ice-gathering.js';
import { RecoverableSessionDescriptionHandler } from './relay-recovery.js';

/**
 * Each call's media handler: SIP.js's WebRTC handler opening the microphone through the phone's
 * `getUserMedia` (which falls back when the saved device is gone), with the ICE servers current when the call
 * starts (so refreshed TURN credentials apply to the next call) and an early end to candidate
 * gathering once every TURN transport's relay candidate is in, or the grace after the first one
 * ran out (ice-gathering.ts) — for the first offer and for every ICE restart, which gathers again,
 * and for a recovery peer connection (relay-recovery.ts), whose relays are those of its own servers.
 */
export function webRtcMediaHandlerFactory(
  iceServers: () => RTCIceServer[],
  getUserMedia: (constraints: MediaStreamConstraints) => Promise<MediaStream>,
  /** Sees each call's peer connection as it is made (the network test times ICE and DTLS on it). */
  onPeerConnection?: (pc: RTCPeerConnection) => void,
): SessionDescriptionHandlerFactory {
  return (sipSession) => {
    const servers = iceServers();
    // As SIP.js's default factory builds it; the microphone opens through the phone's getUserMedia, with its fallback.
    const sdh = new RecoverableSessionDescriptionHandler(
      sipSession.userAgent.getLogger('sip.SessionDescriptionHandler'),
      (constraints) => getUserMedia(constraints),
      {
        iceGatheringTimeout: ICE_GATHERING_TIMEOUT_MS,
        peerConnectionConfiguration: { ...Web.defaultPeerConnectionConfiguration(), iceServers: servers },
      },
    );
    const wantedNow = () => relayTransportsOf(sdh.peerConnection?.getConfiguration().iceServers ?? servers);
    let gathering = new RelayGathering(wantedNow(), performance.now());
    let grace: ReturnType<typeof setTimeout> | undefined;
    const complete = () => {
      clearTimeout(grace);
      sdh.iceGatheringComplete();
    };
    sdh.peerConnectionDelegate = {
      onicegatheringstatechange: () => {
        if (sdh.peerConnection?.iceGatheringState !== 'gathering') return;
        clearTimeout(grace);
        gathering = new RelayGathering(wantedNow(), performance.now());
      },
      onicecandidate: (event) => {
        const c = event.candidate;
        if (!c) return;
        // relayProtocol is in Chromium and the spec, not yet in TypeScript's DOM types.
        const relayProtocol = (c as RTCIceCandidate & { relayProtocol?: string }).relayProtocol ?? null;
        const hadDeadline = gathering.deadline !== null;
        if (gathering.add({ type: c.type, relayProtocol }, performance.now())) return complete();
        const deadline = gathering.deadline;
        if (!hadDeadline && deadline !== null) grace = setTimeout(complete, deadline - performance.now());
      },
    };
    if (onPeerConnection && sdh.peerConnection) onPeerConnection(sdh.peerConnection);
    return sdh;
  };
}
