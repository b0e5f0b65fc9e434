/**
 * G.711 µ-law and A-law (ITU-T G.711) between 16-bit linear PCM and 8-bit codes, in pure
 * TypeScript. Decoding uses 256-entry tables built once from the decode formulas.
 */
const MULAW_BIAS = 0x84;
const MULAW_CLIP = 32635;

export function linearToMulaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > MULAW_CLIP) s = MULAW_CLIP;
  s += MULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function mulawToLinearSlow(code: number): number {
  const u = ~code & 0xff;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + MULAW_BIAS) << exponent) - MULAW_BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

export function linearToAlaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s >= 0 ? 0x80 : 0;
  if (s < 0) s = -s - 1;
  s >>= 3; // A-law works on 13-bit magnitudes
  let code: number;
  if (s < 32) code = s >> 1;
  else {
    let exponent = 1;
    while (s >= 64 && exponent < 7) {
      s >>= 1;
      exponent++;
    }
    code = (exponent << 4) | ((s >> 1) & 0x0f);
  }
  return (code | sign) ^ 0x55;
}

function alawToLinearSlow(code: number): number {
  const a = code ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

const MULAW_TABLE = Int16Array.from({ length: 256 }, (_, i) => mulawToLinearSlow(i));
const ALAW_TABLE = Int16Array.from({ length: 256 }, (_, i) => alawToLinearSlow(i));

export type G711Law = 'PCMU' | 'PCMA';

export function encodeG711(law: G711Law, samples: Int16Array): Buffer {
  const out = Buffer.alloc(samples.length);
  const encode = law === 'PCMU' ? linearToMulaw : linearToAlaw;
  for (let i = 0; i < samples.length; i++) out[i] = encode(samples[i]!);
  return out;
}

export function decodeG711(law: G711Law, payload: Uint8Array): Int16Array {
  const table = law === 'PCMU' ? MULAW_TABLE : ALAW_TABLE;
  const out = new Int16Array(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = table[payload[i]!]!;
  return out;
}
