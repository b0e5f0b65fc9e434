/**
 * The ringtone, generated rather than fetched (no network, no asset pipeline): a 16-bit mono WAV
 * of the classic 440 + 480 Hz ring, 2 s on / 4 s off, played in a loop on the ringer device.
 */
export interface RingtoneSpec {
  readonly sampleRate: number;
  readonly frequenciesHz: readonly number[];
  readonly onSeconds: number;
  readonly offSeconds: number;
  /** Peak amplitude, 0..1. */
  readonly volume: number;
}

export const DEFAULT_RINGTONE: RingtoneSpec = {
  sampleRate: 8000,
  frequenciesHz: [440, 480],
  onSeconds: 2,
  offSeconds: 4,
  volume: 0.4,
};

export function ringtoneWav(spec: RingtoneSpec = DEFAULT_RINGTONE): Uint8Array {
  const onSamples = Math.round(spec.onSeconds * spec.sampleRate);
  const total = onSamples + Math.round(spec.offSeconds * spec.sampleRate);
  const bytes = new Uint8Array(44 + total * 2);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) view.setUint8(offset + i, text.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + total * 2, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // PCM fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, spec.sampleRate, true);
  view.setUint32(28, spec.sampleRate * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, total * 2, true);
  // 20 ms fade in/out so the tone bursts do not click.
  const fade = Math.round(0.02 * spec.sampleRate);
  const peak = spec.volume * 32767;
  for (let n = 0; n < onSamples; n++) {
    const t = n / spec.sampleRate;
    const mix = spec.frequenciesHz.reduce((s, f) => s + Math.sin(2 * Math.PI * f * t), 0) / spec.frequenciesHz.length;
    const envelope = Math.min(1, n / fade, (onSamples - n) / fade);
    view.setInt16(44 + n * 2, Math.round(mix * envelope * peak), true);
  }
  return bytes;
}
