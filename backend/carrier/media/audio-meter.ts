/**
 * Keeps the most recent second of decoded audio heard on a call and summarises it on demand:
 * RMS level over that second, dominant frequency over its last 2048 samples (256 ms: 3.9 Hz
 * bins, enough for a 10 Hz coarse scan, and a few ms of CPU per reading). A sliding window
 * rather than the whole call, so that a reading reflects what is arriving now (e.g. silence
 * after a hold).
 */
import { dominantFrequency, rmsDbfs } from './goertzel.js';
import { SAMPLE_RATE } from './tone.js';

const FREQUENCY_WINDOW = 2048;

export interface AudioReading {
  readonly rmsDbfs: number | null;
  readonly dominantHz: number | null;
}

export class AudioMeter {
  private readonly window: Int16Array;
  private filled = 0;
  private writeAt = 0;
  /** The last reading, valid until more audio arrives (a scan costs a few ms; ended calls never change). */
  private cached?: AudioReading;

  constructor(
    private readonly sampleRate = SAMPLE_RATE,
    windowMs = 1000,
  ) {
    this.window = new Int16Array((sampleRate * windowMs) / 1000);
  }

  push(samples: Int16Array): void {
    this.cached = undefined;
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
    if (this.cached) return this.cached;
    const samples = this.recent();
    const level = rmsDbfs(samples);
    return (this.cached = {
      rmsDbfs: Number.isFinite(level) ? Math.round(level * 10) / 10 : null,
      dominantHz: dominantFrequency(samples.subarray(Math.max(0, samples.length - FREQUENCY_WINDOW)), this.sampleRate) ?? null,
    });
  }
}
