/**
 * Keeps the most recent second of decoded audio heard on a call and summarises it on demand
 * (RMS level, dominant frequency). A sliding window rather than the whole call, so that a
 * reading reflects what is arriving now (e.g. silence after a hold).
 */
import { dominantFrequency, rmsDbfs } from './goertzel.js';
import { SAMPLE_RATE } from './tone.js';

export interface AudioReading {
  readonly rmsDbfs: number | null;
  readonly dominantHz: number | null;
}

export class AudioMeter {
  private readonly window: Int16Array;
  private filled = 0;
  private writeAt = 0;

  constructor(private readonly sampleRate = SAMPLE_RATE, windowMs = 1000) {
    this.window = new Int16Array((sampleRate * windowMs) / 1000);
  }

  push(samples: Int16Array): void {
    for (let i = 0; i < samples.length; i++) {
      this.window[this.writeAt] = samples[i]!;
      this.writeAt = (this.writeAt + 1) % this.window.length;
    }
    this.filled = Math.min(this.window.length, this.filled + samples.length);
  }

  /** Oldest-first copy of what the window holds. */
  recent(): Int16Array {
    const out = new Int16Array(this.filled);
    const start = (this.writeAt - this.filled + this.window.length) % this.window.length;
    for (let i = 0; i < this.filled; i++) out[i] = this.window[(start + i) % this.window.length]!;
    return out;
  }

  read(): AudioReading {
    const samples = this.recent();
    const level = rmsDbfs(samples);
    return {
      rmsDbfs: Number.isFinite(level) ? Math.round(level * 10) / 10 : null,
      dominantHz: dominantFrequency(samples, this.sampleRate) ?? null,
    };
  }
}
