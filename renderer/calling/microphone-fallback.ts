/**
 * Opening the microphone when the saved one may be gone. A saved deviceId is asked for `exact`, so
 * the phone knows which device it got; when that device is unplugged the browser refuses the
 * constraint (OverconstrainedError, NotFoundError in some browsers) and, before this, the call
 * failed. Now the request is retried once without a device — the system default — and the call
 * carries on. `ideal` would never fail either, but it would hide that the device was missing: the
 * explicit retry lets the call compare what it asked for with what it got and tell the agent.
 */

type GetUserMedia = (constraints: MediaStreamConstraints) => Promise<MediaStream>;

/** The microphone `constraints` ask for: a deviceId, or 'default' when they name none. */
export function requestedMicrophone(constraints: MediaStreamConstraints): string {
  const audio = constraints.audio;
  if (typeof audio !== 'object') return 'default';
  const deviceId = audio.deviceId;
  if (typeof deviceId === 'string') return deviceId;
  if (deviceId && !Array.isArray(deviceId) && typeof deviceId === 'object') {
    const exact = deviceId.exact ?? deviceId.ideal;
    if (typeof exact === 'string') return exact;
  }
  return 'default';
}

function withoutDevice(constraints: MediaStreamConstraints): MediaStreamConstraints {
  if (typeof constraints.audio !== 'object') return constraints;
  const { deviceId: _gone, ...audio } = constraints.audio;
  return { ...constraints, audio };
}

function isMissingDevice(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'OverconstrainedError' || name === 'NotFoundError';
}

/** `getUserMedia` that falls back to the system default microphone when the one asked for is gone. */
export function withMicrophoneFallback(getUserMedia: GetUserMedia, onFallback: (missingId: string) => void): GetUserMedia {
  return async (constraints) => {
    try {
      return await getUserMedia(constraints);
    } catch (error) {
      const missing = requestedMicrophone(constraints);
      if (missing === 'default' || !isMissingDevice(error)) throw error;
      onFallback(missing);
      return getUserMedia(withoutDevice(constraints));
    }
  };
}
