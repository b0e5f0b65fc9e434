/**
 * Level and pitch of decoded audio: RMS in dBFS and the dominant frequency found with a
 * Goertzel scan (one DFT bin per candidate frequency — cheaper than an FFT for a coarse scan,
 * and it works at any frequency, not only at FFT bin centres).
 */
export function goertzelPower(samples: ArrayLike<number>, frequency: number, sampleRate: number): number {
  const coeff = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  const n = samples.length;
  for (let i = 0; i < n; i++) {
    // Hann window: keeps a strong tone from leaking into neighbouring candidates.
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    const s0 = samples[i]! * w + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

export interface ScanOptions {
  readonly minHz?: number;
  readonly maxHz?: number;
  readonly stepHz?: number;
}

/** The candidate frequency with the most energy, or undefined for silence. */
export function dominantFrequency(samples: ArrayLike<number>, sampleRate: number, opts: ScanOptions = {}): number | undefined {
  const { minHz = 100, maxHz = sampleRate / 2 - 100, stepHz = 10 } = opts;
  if (samples.length < 64 || rmsDbfs(samples) < -60) return undefined;
  let best = minHz;
  let bestPower = -1;
  for (let f = minHz; f <= maxHz; f += stepHz) {
    const p = goertzelPower(samples, f, sampleRate);
    if (p > bestPower) {
      bestPower = p;
      best = f;
    }
  }
  return best;
}

/** 20·log10(rms / 32768); -Infinity for digital silence. */
export function rmsDbfs(samples: ArrayLike<number>): number {
  if (samples.length === 0) return -Infinity;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  const rms = Math.sqrt(sum / samples.length);
  return rms === 0 ? -Infinity : 20 * Math.log10(rms / 32768);
}
