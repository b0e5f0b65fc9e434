import { z } from 'zod';

/**
 * The quality summary an agent's client sends the control plane during a call (every few seconds)
 * and once at its end (`POST /api/call-quality`), stored with the call record for the admin page.
 * One per (call, reporting agent): a later report replaces the earlier one. Bounded: every string
 * has a maximum, and a body over CALL_QUALITY_REPORT_MAX_BYTES is refused before it is read.
 */
export const CALL_QUALITY_REPORT_MAX_BYTES = 4096;

/** How often a client sends the summary of a call in progress (the final one goes at its end). */
export const CALL_QUALITY_REPORT_INTERVAL_MS = 5000;

const mos = z.number().min(1).max(4.5).nullable();
const ms = z.number().min(0).max(600_000).nullable();
const percent = z.number().min(0).max(100).nullable();

export const CallQualityReportSchema = z
  .object({
    /** The SIP Call-ID, as Kamailio audited it. */
    callId: z.string().min(1).max(256),
    /** True for the summary sent when the call ended. */
    final: z.boolean(),
    codec: z.string().max(64).nullable(),
    /** One-second samples the summary covers. */
    samples: z.number().int().min(0).max(1_000_000),
    mosLatest: mos,
    mosAverage: mos,
    mosMin: mos,
    lossPercentAverage: percent,
    lossPercentMax: percent,
    rttMsAverage: ms,
    jitterMsAverage: ms,
    /** The warnings raised when the summary was made. */
    warnings: z.array(z.enum(['rtt', 'jitter', 'loss', 'mos'])).max(4),
    oneWay: z.enum(['no-inbound', 'no-outbound']).nullable(),
  })
  .strict();
export type CallQualityReport = z.infer<typeof CallQualityReportSchema>;
