import { Web, type SessionDescriptionHandlerFactory } from 'sip.js';
import { gatheringIsGoodEnough, ICE_GATHERING_TIMEOUT_MS } from './ice-gathering.js';

/**
 * Each call's media handler: SIP.js's WebRTC handler opening the microphone through the phone's
 * `getUserMedia` (which falls back when the saved device is gone), with the ICE servers current when the call
 * starts (so refreshed TURN credentials apply to the next call) and an early end to candidate
 * gathering once the offer is good enough (ice-gathering.ts).
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
    const turnConfigured = servers.some((server) => [server.urls].flat().some((u) => /^turns?:/.test(u)));
    sdh.peerConnectionDelegate = {
      onicecandidate: (event) => {
        const c = event.candidate;
        if (c && gatheringIsGoodEnough({ type: c.type, protocol: c.protocol }, turnConfigured)) sdh.iceGatheringComplete();
      },
    };
    if (onPeerConnection && sdh.peerConnection) onPeerConnection(sdh.peerConnection);
    return sdh;
  };
}
