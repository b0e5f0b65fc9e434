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

/**
 * The far end's audio: an unmuted, autoplaying <audio> element on the speaker device (Chromium
 * reports a receiver's audioLevel only while its stream plays in an unmuted element).
 */
export function playRemoteAudio(stream: MediaStream, speakerId: string, logger: CallingLogger): HTMLAudioElement {
  const audio = document.createElement('audio');
  audio.autoplay = true;
  audio.muted = false;
  audio.srcObject = stream;
  void routeToDevice(audio, speakerId, logger);
  audio.play().catch((error) => logger.write('warn', 'calling.audio', `remote audio did not start: ${String(error)}`));
  return audio;
}

export function stopAudio(audio: HTMLAudioElement): void {
  audio.pause();
  audio.srcObject = null;
}

/** Loops the generated ringtone on the separately chosen ringer device while a call rings in. */
export class Ringer {
  private audio: HTMLAudioElement | null = null;
  private url: string | null = null;

  constructor(private readonly logger: CallingLogger) {}

  get ringing(): boolean {
    return this.audio !== null;
  }

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
