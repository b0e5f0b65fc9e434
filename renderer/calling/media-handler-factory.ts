import { Web, type SessionDescriptionHandlerFactory } from 'sip.js';
import { gatheringIsGoodEnough, ICE_GATHERING_TIMEOUT_MS } from './ice-gathering.js';

/**
 * Each call's media handler: SIP.js's WebRTC handler with the ICE servers current when the call
 * starts (so refreshed TURN credentials apply to the next call) and an early end to candidate
 * gathering once the offer is good enough (ice-gathering.ts).
 */
export function webRtcMediaHandlerFactory(iceServers: () => RTCIceServer[]): SessionDescriptionHandlerFactory {
  const defaultFactory = Web.defaultSessionDescriptionHandlerFactory();
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
    return sdh;
  };
}
