import type { CallingLogger } from './logging.js';
import { ringtoneWav } from './ringtone.js';

/** `setSinkId` is not in every DOM typing, and not in every browser. */
type SinkableAudio = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

/** Routes an element to an output device; a missing device falls back to the default, logged. */
export async function routeToDevice(element: HTMLAudioElement, deviceId: string, logger: CallingLogger): Promise<void> {
  const el = element as SinkableAudio;
  if (!el.setSinkId) return;
  try {
    await el.setSinkId(deviceId === 'default' ? '' : deviceId);
  } catch (error) {
    logger.write('warn', 'calling.audio', `could not route audio to device ${deviceId}: ${String(error)}`);
  }
}

/** The far end's audio of one call, playing on a speaker device. */
export interface RemotePlayback {
  setDevice(speakerId: string): Promise<void>;
  stop(): void;
}

/** Starts playing a call's remote stream; injected so the calling core runs without a DOM in tests. */
export type RemoteAudioPlayer = (stream: MediaStream, speakerId: string) => RemotePlayback;

/**
 * The far end's audio: an unmuted, autoplaying <audio> element on the speaker device (Chromium
 * reports a receiver's audioLevel only while its stream plays in an unmuted element).
 */
export function domRemoteAudio(logger: CallingLogger): RemoteAudioPlayer {
  return (stream, speakerId) => {
    const audio = document.createElement('audio');
    audio.autoplay = true;
    audio.muted = false;
    audio.srcObject = stream;
    void routeToDevice(audio, speakerId, logger);
    audio.play().catch((error) => logger.write('warn', 'calling.audio', `remote audio did not start: ${String(error)}`));
    return {
      setDevice: (id) => routeToDevice(audio, id, logger),
      stop: () => {
        audio.pause();
        audio.srcObject = null;
      },
    };
  };
}

/** What rings while a call comes in (the phone starts and stops it; tests pass a fake). */
export interface CallRinger {
  start(ringerId: string): void;
  setDevice(ringerId: string): void;
  stop(): void;
}

/** Loops the generated ringtone on the separately chosen ringer device while a call rings in. */
export class Ringer implements CallRinger {
  private audio: HTMLAudioElement | null = null;
  private url: string | null = null;

  constructor(private readonly logger: CallingLogger) {}

  start(ringerId: string): void {
    if (this.audio) return;
    this.url ??= URL.createObjectURL(new Blob([ringtoneWav() as Uint8Array<ArrayBuffer>], { type: 'audio/wav' }));
    const audio = new Audio(this.url);
    audio.loop = true;
    this.audio = audio;
    void routeToDevice(audio, ringerId, this.logger).then(() =>
      audio.play().catch((error) => this.logger.write('warn', 'calling.ringer', `ringtone did not play: ${String(error)}`)),
    );
  }

  setDevice(ringerId: string): void {
    if (this.audio) void routeToDevice(this.audio, ringerId, this.logger);
  }

  stop(): void {
    if (!this.audio) return;
    this.audio.pause();
    this.audio = null;
  }
}
