/**
 * The carrier's reference tone: a 1000 Hz sine whose PEAK is -10 dBFS (amplitude 0.316 of full
 * scale, 10362 in 16-bit PCM). Its RMS level, as `rmsDbfs` measures it (20·log10(rms/32768),
 * i.e. a full-scale square wave is 0 dBFS), is therefore about -13 dBFS.
 * Tests import these constants rather than repeating the numbers.
 */
export const SAMPLE_RATE = 8000;
export const TONE_HZ = 1000;
export const TONE_PEAK_DBFS = -10;
export const TONE_RMS_DBFS = TONE_PEAK_DBFS - 10 * Math.log10(2); // ≈ -13.01

/** Phase-continuous sine source: each call returns the next `count` samples. */
export class ToneGenerator {
  private phase = 0;
  private readonly amplitude: number;

  constructor(
    private readonly frequency: number = TONE_HZ,
    peakDbfs: number = TONE_PEAK_DBFS,
    private readonly sampleRate: number = SAMPLE_RATE,
  ) {
    this.amplitude = 32768 * 10 ** (peakDbfs / 20);
  }

  next(count: number): Int16Array {
    const out = new Int16Array(count);
    const step = (2 * Math.PI * this.frequency) / this.sampleRate;
    for (let i = 0; i < count; i++) {
      out[i] = Math.round(this.amplitude * Math.sin(this.phase));
      this.phase = (this.phase + step) % (2 * Math.PI);
    }
    return out;
  }
}
