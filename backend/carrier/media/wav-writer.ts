/**
 * Streams 16-bit mono PCM into a RIFF/WAVE file: header first with zero sizes, samples appended
 * as they arrive, sizes patched on close — so a crash leaves a file with audio (and a header
 * most tools still accept) rather than nothing.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const HEADER_BYTES = 44;

export function wavHeader(sampleRate: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16); // PCM fmt chunk size
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28); // byte rate
  h.writeUInt16LE(2, 32); // block align
  h.writeUInt16LE(16, 34); // bits per sample
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

export class WavWriter {
  private readonly fd: number;
  private dataBytes = 0;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly sampleRate: number,
  ) {
    this.fd = openSync(path, 'w');
    writeSync(this.fd, wavHeader(sampleRate, 0));
  }

  write(samples: Int16Array): void {
    if (this.closed) return;
    const bytes = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
    writeSync(this.fd, bytes);
    this.dataBytes += bytes.length;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    writeSync(this.fd, wavHeader(this.sampleRate, this.dataBytes), 0, HEADER_BYTES, 0);
    closeSync(this.fd);
  }
}
