import { isSameOrigin } from '../../common/app-origin.js';

/**
 * Deny by default. A softphone needs exactly two things from the browser: the microphone and
 * choosing the audio output (headset vs speakers). Camera, screen capture, notifications,
 * geolocation, clipboard, HID/USB/serial… are refused, and nothing at all is granted to a frame
 * that is not our own top-level document.
 */

export interface PermissionRequestInfo {
  requestingUrl: string;
  isMainFrame: boolean;
  /** For 'media' requests: what the page asked for. */
  mediaTypes?: ReadonlyArray<'audio' | 'video'>;
}

export function decidePermissionRequest(permission: string, info: PermissionRequestInfo, appOrigin: string): boolean {
  if (!info.isMainFrame || !isSameOrigin(info.requestingUrl, appOrigin)) return false;
  switch (permission) {
    case 'media': {
      const types = info.mediaTypes ?? [];
      // getUserMedia({audio:true}) only; asking for video too is refused outright.
      return types.length > 0 && types.every((t) => t === 'audio');
    }
    case 'speaker-selection':
      return true;
    default:
      return false;
  }
}

export interface PermissionCheckInfo {
  /** Origin of the frame asking (Electron's `requestingOrigin`). */
  requestingOrigin: string;
  isMainFrame: boolean;
  /** Set for cross-origin subframes: whoever embeds them. */
  embeddingOrigin?: string;
  mediaType?: 'audio' | 'video' | 'unknown';
}

/**
 * Synchronous "is it already granted?" checks (device labels in enumerateDevices, setSinkId).
 * Same rule as requests: audio input and output for our own top-level document only.
 */
export function decidePermissionCheck(permission: string, info: PermissionCheckInfo, appOrigin: string): boolean {
  if (!info.isMainFrame || info.embeddingOrigin !== undefined) return false;
  if (!isSameOrigin(info.requestingOrigin, appOrigin)) return false;
  if (permission === 'media') return info.mediaType === 'audio';
  return permission === 'speaker-selection';
}
