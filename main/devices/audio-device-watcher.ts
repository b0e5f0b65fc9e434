import type { EventOf } from '../../common/contract/index.js';
import type { Timers } from '../../common/timers.js';

/** The OS's audio devices by name: what `devices.changed` carries. */
export type AudioDeviceList = EventOf<'devices.changed'>;

/** Where the device list comes from (pactl on Linux: pulse-audio-devices.ts; a fake in unit tests). */
export interface AudioDeviceSource {
  list(): Promise<AudioDeviceList>;
  /**
   * Calls `onEvent` whenever the list may have changed, until the returned function is called;
   * `onEnd` once if the subscription dies by itself: `final` when trying again cannot help (the
   * tool is not installed), otherwise (the sound server restarted) the watcher subscribes again.
   */
  subscribe(onEvent: () => void, onEnd: (reason: string, final: boolean) => void): () => void;
}

export interface AudioDeviceWatcherOptions {
  readonly source: AudioDeviceSource;
  readonly onChange: (devices: AudioDeviceList) => void;
  readonly timers: Timers;
  readonly log: (level: 'info' | 'warn', message: string) => void;
  /** Events that come together (a headset's speaker and microphone) are listed once. */
  readonly settleMs?: number;
  /** After the subscription died: when to subscribe again. */
  readonly resubscribeMs?: number;
}

export const AUDIO_DEVICE_SETTLE_MS = 100;
const RESUBSCRIBE_MS = 5_000;

const fingerprint = (d: AudioDeviceList) => JSON.stringify([[...d.microphones].sort(), [...d.speakers].sort()]);

/**
 * Watches the OS audio device list from the main process, so the renderer hears of a headset
 * plugged in or pulled out even while its window is hidden or where the browser fires no
 * `devicechange`. Reports only real changes of the list (an event burst is listed once, after
 * `settleMs`; an unchanged list is not reported), never the list it started with.
 *
 *   starting ──first list──▶ watching ──event──▶ settling ──settleMs──▶ listing ──▶ watching
 *                              │  ▲                                    (onChange if different)
 *                   subscription died ──resubscribeMs──┘
 */
export function watchAudioDevices(o: AudioDeviceWatcherOptions): () => void {
  const settleMs = o.settleMs ?? AUDIO_DEVICE_SETTLE_MS;
  const resubscribeMs = o.resubscribeMs ?? RESUBSCRIBE_MS;
  let last: string | null = null;
  let stopped = false;
  let settling: unknown = null;
  let resubscribing: unknown = null;
  let unsubscribe: (() => void) | null = null;
  let listing: Promise<void> = Promise.resolve();

  const list = (report: boolean) => {
    listing = listing.then(async () => {
      if (stopped) return;
      let devices: AudioDeviceList;
      try {
        devices = await o.source.list();
      } catch (error) {
        o.log('warn', `audio devices could not be listed: ${String(error)}`);
        return;
      }
      const now = fingerprint(devices);
      const changed = last !== null && now !== last;
      last = now;
      if (changed && report && !stopped) o.onChange(devices);
    });
  };

  const subscribe = () => {
    resubscribing = null;
    if (stopped) return;
    unsubscribe = o.source.subscribe(
      () => {
        if (settling !== null || stopped) return;
        settling = o.timers.setTimeout(() => {
          settling = null;
          list(true);
        }, settleMs);
      },
      (reason, final) => {
        unsubscribe = null;
        if (stopped) return;
        if (final) {
          o.log('warn', `audio devices are not watched: ${reason}`);
          return;
        }
        o.log('warn', `audio device events stopped (${reason}); subscribing again in ${resubscribeMs} ms`);
        resubscribing = o.timers.setTimeout(() => {
          subscribe();
          list(true); // what changed while nobody listened
        }, resubscribeMs);
      },
    );
  };

  subscribe();
  list(false);
  return () => {
    stopped = true;
    if (settling !== null) o.timers.clearTimeout(settling);
    if (resubscribing !== null) o.timers.clearTimeout(resubscribing);
    unsubscribe?.();
  };
}
