import type { TurnCredentials } from '../../common/contract/index.js';

/**
 * Microphone constraints. Echo cancellation, noise suppression and AGC stay ON for agents; tests
 * (and a future "studio headset" setting) turn them OFF, because the processing treats a steady
 * test tone as noise and suppresses it.
 */
export function microphoneConstraints(deviceId: string, audioProcessing: boolean): MediaStreamConstraints {
  return {
    audio: {
      ...(deviceId && deviceId !== 'default' ? { deviceId: { exact: deviceId } } : {}),
      echoCancellation: audioProcessing,
      noiseSuppression: audioProcessing,
      autoGainControl: audioProcessing,
    },
    video: false,
  };
}

/** Provisioned TURN REST credentials → RTCPeerConnection ICE servers. */
export function iceServersFrom(turn: TurnCredentials): RTCIceServer[] {
  const turnUris = turn.uris.filter((u) => /^turns?:/.test(u));
  const stunUris = turn.uris.filter((u) => /^stuns?:/.test(u));
  return [
    ...(turnUris.length ? [{ urls: turnUris, username: turn.username, credential: turn.password }] : []),
    ...(stunUris.length ? [{ urls: stunUris }] : []),
  ];
}
