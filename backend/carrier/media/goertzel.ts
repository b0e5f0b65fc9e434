/**
 * Level and pitch of decoded audio: RMS in dBFS and the dominant frequency found with a
 * Goertzel scan (one DFT bin per candidate frequency — cheaper than an FFT for a coarse scan,
 * and it works at any frequency, not only at FFT bin centres).
 */
/** Power of one frequency in `samples` (plain Goertzel; window the samples first for a scan). */
export function goertzelPower(samples: ArrayLike<number>, frequency: number, sampleRate: number): number {
  const coeff = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < samples.length; i++) {
    const s0 = samples[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

/** Hann-windowed copy: keeps a strong tone from leaking into the neighbouring candidates. */
export function hannWindow(samples: ArrayLike<number>): Float64Array {
  const n = samples.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = samples[i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
  return out;
}

export interface ScanOptions {
  readonly minHz?: number;
  readonly maxHz?: number;
  /** Coarse step; the best coarse candidate is then refined in 1 Hz steps within ± this. */
  readonly stepHz?: number;
}

/**
 * The frequency with the most energy (to about 1 Hz), or undefined for silence. Coarse scan,
 * then a 1 Hz refinement around the winner: ~25× fewer Goertzel runs than a 1 Hz sweep. The
 * coarse step must stay inside the window's main lobe (Hann: ±2 bins = ±2·rate/N Hz).
 */
export function dominantFrequency(samples: ArrayLike<number>, sampleRate: number, opts: ScanOptions = {}): number | undefined {
  const { minHz = 100, maxHz = sampleRate / 2 - 100, stepHz = 10 } = opts;
  if (samples.length < 64 || rmsDbfs(samples) < -60) return undefined;
  const windowed = hannWindow(samples);
  const best = (from: number, to: number, step: number): number => {
    let bestHz = from;
    let bestPower = -1;
    for (let f = from; f <= to; f += step) {
      const p = goertzelPower(windowed, f, sampleRate);
      if (p > bestPower) {
        bestPower = p;
        bestHz = f;
      }
    }
    return bestHz;
  };
  const coarse = best(minHz, maxHz, stepHz);
  return best(Math.max(minHz, coarse - stepHz + 1), Math.min(maxHz, coarse + stepHz - 1), 1);
}

/** 20·log10(rms / 32768); -Infinity for digital silence. */
export function rmsDbfs(samples: ArrayLike<number>): number {
  if (samples.length === 0) return -Infinity;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  const rms = Math.sqrt(sum / samples.length);
  return rms === 0 ? -Infinity : 20 * Math.log10(rms / 32768);
}
