import type { Settings } from '../../common/contract/index.js';
import { SYSTEM_DEFAULT } from './devices.js';

/**
 * When an output device that came back may be played on again. Chromium keeps a device's output
 * stream open for reuse about 5 s after the last player left it; a headset unplugged and plugged
 * back within that time is handed that stale stream, which PulseAudio moved to the laptop speakers
 * at the unplug, so the call goes on playing on the laptop for good while the page believes it
 * routed it to the headset (measured with real PulseAudio devices: plugged back ~3 s after the
 * unplug, the headset stayed silent). So an output role (the call's speaker, the ringer) returns to
 * a device only once that device has been left for longer than the reuse time; until then it stays
 * where it plays, and the caller applies the route again at `retryAt`. The microphone returns at
 * once (capture opens a new stream), and so does anything the agent chooses in Settings.
 */
export const OUTPUT_STREAM_REUSE_MS = 6000;

const OUTPUT_ROLES = ['speakerId', 'ringerId'] as const;

export class OutputReturnGuard {
  /** When each output device was last left by a role. */
  private readonly leftAt = new Map<string, number>();

  /**
   * `playing`: the devices applied now (null before the first route); `wanted`: the route's
   * devices; `byDeviceList`: the route changed because devices came or went (not the agent).
   */
  apply(playing: Settings | null, wanted: Settings, now: number, byDeviceList: boolean): { devices: Settings; retryAt: number | null } {
    const devices = { ...wanted };
    let retryAt: number | null = null;
    for (const role of OUTPUT_ROLES) {
      const from = playing?.[role];
      if (from === undefined || from === wanted[role]) continue;
      const left = this.leftAt.get(wanted[role]);
      if (byDeviceList && left !== undefined && now - left < OUTPUT_STREAM_REUSE_MS) {
        devices[role] = from; // stays where it plays until the stale stream is gone
        retryAt = Math.min(retryAt ?? Infinity, left + OUTPUT_STREAM_REUSE_MS);
      } else if (from !== SYSTEM_DEFAULT.id) {
        this.leftAt.set(from, now);
      }
    }
    return { devices, retryAt };
  }
}
