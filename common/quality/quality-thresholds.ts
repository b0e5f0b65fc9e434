import { z } from 'zod';

/**
 * When the in-call quality monitor warns (renderer/calling/quality-warnings.ts) and the admin page
 * alerts. Set by the operator on the backend and delivered to every agent in the client
 * configuration (`GET /api/client-config` → `quality`), so one setting governs the whole fleet.
 * Defaults: the usual VoIP planning limits — RTT 400 ms (G.114's limit for acceptable
 * interactivity is 400 ms one way; we warn on the round trip, earlier), jitter 30 ms, loss 1 %,
 * MOS 3.5 (between "some users dissatisfied" and "many").
 */
export const QualityThresholdsSchema = z.object({
  rttMs: z.number().positive().max(10_000),
  jitterMs: z.number().positive().max(10_000),
  lossPercent: z.number().positive().max(100),
  mos: z.number().min(1).max(4.5),
});
export type QualityThresholds = z.infer<typeof QualityThresholdsSchema>;

export const DEFAULT_QUALITY_THRESHOLDS: QualityThresholds = { rttMs: 400, jitterMs: 30, lossPercent: 1, mos: 3.5 };
