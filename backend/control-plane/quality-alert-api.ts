/**
 *   GET /api/admin/alerts?since=&limit=   the quality alerts, newest first, and the thresholds they use
 *
 * Admin only (the token, or an admin page session). Alerts are raised by quality-alerts.ts as
 * summaries arrive; this route only reads them.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { QualityThresholds } from '../../common/quality/quality-thresholds.js';
import type { AdminGuard } from './admin-api.js';
import type { QualityAlertStore } from './quality-alert-store.js';

const ListQuerySchema = z
  .object({
    since: z.coerce.number().int().nonnegative().optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();

export function registerQualityAlertApi(
  app: FastifyInstance,
  deps: { readonly store: QualityAlertStore; readonly requireAdmin: AdminGuard; readonly thresholds: QualityThresholds },
): void {
  app.get('/api/admin/alerts', async (req, reply) => {
    if (!(await deps.requireAdmin(req, reply))) return;
    const q = ListQuerySchema.safeParse(req.query);
    if (!q.success) return reply.code(400).send({ error: 'query: since (epoch ms), limit (1-1000)' });
    return { alerts: await deps.store.list({ sinceMs: q.data.since, limit: q.data.limit }), thresholds: deps.thresholds };
  });
}
