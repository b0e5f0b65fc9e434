import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A known test tone as a WAV file for `--use-file-for-fake-audio-capture` (Chromium loops it).
 * sox: 48 kHz mono 16-bit sine at half scale — loud enough to measure, far from clipping.
 */
export function toneWav(dir: string, hz: number, seconds = 20): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `tone-${hz}hz.wav`);
  if (!existsSync(file)) {
    execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', file, 'synth', String(seconds), 'sine', String(hz), 'vol', '0.5'], {
      timeout: 20_000,
    });
  }
  return file;
}
