import { Web, type SessionDescriptionHandlerFactory } from 'sip.js';
import { ICE_GATHERING_TIMEOUT_MS, RelayGathering, relayTransportsOf } from './ice-gathering.js';

/**
 * Each call's media handler: SIP.js's WebRTC handler opening the microphone through the phone's
 * `getUserMedia` (which falls back when the saved device is gone), with the ICE servers current when the call
 * starts (so refreshed TURN credentials apply to the next call) and an early end to candidate
 * gathering once every TURN transport's relay candidate is in, or the grace after the first one
 * ran out (ice-gathering.ts) — for the first offer and for every ICE restart, which gathers again.
 */
export function webRtcMediaHandlerFactory(
  iceServers: () => RTCIceServer[],
  getUserMedia: (constraints: MediaStreamConstraints) => Promise<MediaStream>,
  /** Sees each call's peer connection as it is made (the network test times ICE and DTLS on it). */
  onPeerConnection?: (pc: RTCPeerConnection) => void,
): SessionDescriptionHandlerFactory {
  // SIP.js opens the microphone through this: the phone's getUserMedia, with its fallback.
  const defaultFactory = Web.defaultSessionDescriptionHandlerFactory((constraints) => getUserMedia(constraints));
  return (sipSession, options) => {
    const servers = iceServers();
    const sdh = defaultFactory(sipSession, {
      ...(options as object),
      iceGatheringTimeout: ICE_GATHERING_TIMEOUT_MS,
      peerConnectionConfiguration: { iceServers: servers },
    }) as Web.SessionDescriptionHandler;
    const wanted = relayTransportsOf(servers);
    let gathering = new RelayGathering(wanted, performance.now());
    let grace: ReturnType<typeof setTimeout> | undefined;
    const complete = () => {
      clearTimeout(grace);
      sdh.iceGatheringComplete();
    };
    sdh.peerConnectionDelegate = {
      onicegatheringstatechange: () => {
        if (sdh.peerConnection?.iceGatheringState !== 'gathering') return;
        clearTimeout(grace);
        gathering = new RelayGathering(wanted, performance.now());
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
