/**
 * Call quality reported by the agents' clients, stored with the call records.
 *
 *   POST /api/call-quality          an agent (HTTP Basic) reports on one of ITS OWN calls
 *   GET  /api/admin/call-quality    the admin lists the summaries (?since=, ?callId=, ?limit=;
 *                                   ?active=true: only calls in progress, with their live MOS)
 *
 * Who can do what, worst case: an agent can only write summaries of calls whose record names it as
 * caller or callee (another agent’s Call-ID or an unknown one → 403), stamped with the name it
 * signed in with; at most CALL_QUALITY_UPLOAD_POLICY's rate (429 + Retry-After), each body at most
 * CALL_QUALITY_REPORT_MAX_BYTES (refused before it is read, and only after the credential was
 * checked), one row per (call, agent) however often it reports. No agent credential reads them.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  CALL_QUALITY_REPORT_MAX_BYTES,
  CallQualityReportSchema,
  type CallQualityReport,
} from '../../common/quality/call-quality-report.js';
import { registerAgentUploadRoute, type AgentUploadApiDeps } from './agent-upload-route.js';
import type { CallQualityStore } from './call-quality-store.js';
import type { UploadRatePolicy } from './upload-rate-limit.js';

/** A report every 5 s for two calls at once is 24 a minute; 40 leaves room for the final ones. */
export const CALL_QUALITY_UPLOAD_POLICY: UploadRatePolicy = { max: 40, windowMs: 60_000, maxAgents: 10_000 };

export type CallQualityApiDeps = AgentUploadApiDeps<CallQualityStore>;

const ListQuerySchema = z
  .object({
    since: z.coerce.number().int().nonnegative().optional(),
    callId: z.string().min(1).max(256).optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    active: z.enum(['true', 'false']).optional(),
  })
  .strict();

/**
 * `onStored`: called with each summary once stored (the quality alerts); its failure (the database)
 * fails the upload like the store's own, so the client retries with its next summary.
 */
export function registerCallQualityApi(
  app: FastifyInstance,
  deps: CallQualityApiDeps,
  onStored: (agent: string, report: CallQualityReport) => Promise<unknown> = async () => {},
): void {
  const { store, requireAgent, requireAdmin, uploads, now } = deps;
  registerAgentUploadRoute(app, {
    url: '/api/call-quality',
    bodyLimit: CALL_QUALITY_REPORT_MAX_BYTES,
    what: 'quality reports',
    requireAgent,
    uploads,
    check: async (agent, body) => {
      const parsed = CallQualityReportSchema.safeParse(body);
      if (!parsed.success) {
        const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(body)'))].join(', ');
        return { ok: false, status: 400, error: `invalid quality report: ${fields}` };
      }
      // Unknown and foreign Call-IDs get the same answer: an agent learns nothing about others' calls.
      if (!(await store.isParty(parsed.data.callId, agent.username)))
        return { ok: false, status: 403, error: 'you can only report on your own calls' };
      return { ok: true, value: parsed.data };
    },
    store: async (agent, report) => {
      await store.save(agent.username, report, now());
      await onStored(agent.username, report);
      return { status: 200, body: { stored: true } };
    },
  });

  app.get('/api/admin/call-quality', async (req, reply) => {
    if (!(await requireAdmin(req, reply))) return;
    const q = ListQuerySchema.safeParse(req.query);
    if (!q.success) return reply.code(400).send({ error: 'query: since (epoch ms), callId, limit (1-1000), active (true|false)' });
    const { since, callId, limit, active } = q.data;
    return { reports: await store.list({ sinceMs: since, callId, limit, ...(active === 'true' ? { activeAt: now() } : {}) }) };
  });
}
