/**
 * Codec-specific E-model inputs (mos.ts): the equipment impairment factor Ie, the packet-loss
 * robustness factor Bpl, and the delay the codec adds on the way from mouth to ear.
 *
 * Sources (values on the narrowband E-model scale of ITU-T G.107, R0 = 93.2):
 * - G.711 (PCMU, PCMA): ITU-T G.113 (11/2007) Appendix I, Table I.1: Ie = 0; Table I.3: Bpl = 25.1
 *   for G.711 with the packet-loss concealment of G.711 Appendix I (4.3 without PLC). Chromium's
 *   NetEq always conceals lost G.711 frames, so the PLC value applies to every call we score.
 * - Opus: G.113 rates Opus only on its wideband/fullband scales (Ie,wb / Ie,FB for G.107.1 /
 *   G.107.2, whose R scale tops out at 129 / 148), which cannot be mixed into this narrowband R. At
 *   the bit rates WebRTC uses (≥ 24 kbit/s) Opus is transparent in narrowband terms, so we take
 *   Ie = 0, and its in-band concealment at least matches G.711 Appendix I, so Bpl = 25.1. This is
 *   a conservative assumption, not a published G.113 figure; replace it if narrowband values are
 *   published.
 * - Delay: one 20 ms packet (ptime) for each; Opus adds its 6.5 ms look-ahead (RFC 6716 §2).
 *
 * An unknown codec is scored as G.711 (the worst-case row above), so a new codec never looks
 * better than what we can justify.
 */
export interface CodecImpairment {
  /** Equipment impairment factor (G.113). */
  readonly ie: number;
  /** Packet-loss robustness factor for random loss (G.113). */
  readonly bpl: number;
  /** Packetisation plus algorithmic delay, ms. */
  readonly codecDelayMs: number;
}

const G711: CodecImpairment = { ie: 0, bpl: 25.1, codecDelayMs: 20 };
const OPUS: CodecImpairment = { ie: 0, bpl: 25.1, codecDelayMs: 26.5 };

const BY_NAME: Readonly<Record<string, CodecImpairment>> = { pcmu: G711, pcma: G711, opus: OPUS };

/** `codec` as getStats names it ("opus/48000", "audio/PCMU", "PCMA"); null → the G.711 row. */
export function codecImpairment(codec: string | null | undefined): CodecImpairment {
  const name = (codec ?? '')
    .replace(/^audio\//i, '')
    .split('/')[0]!
    .toLowerCase();
  return BY_NAME[name] ?? G711;
}
