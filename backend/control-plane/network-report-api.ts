/**
 * The helpdesk's inbox of network test reports.
 *
 *   POST /api/network-reports            an agent (HTTP Basic) sends its report
 *   GET  /api/admin/network-reports      the admin lists them (?agent=, ?since=, ?limit=)
 *   GET  /api/admin/network-reports/:id  the admin opens one (?format=html: as the exported page)
 *
 * Who can do what, worst case: an agent can only ADD reports, stamped with the name it signed in
 * with (a report claiming another agent is refused), at most NETWORK_REPORT_UPLOAD_POLICY's rate,
 * each at most NETWORK_REPORT_MAX_BYTES (refused before it is read, and only after the credential
 * was checked: an anonymous sender never gets a body read), and the store keeps its newest
 * MAX_REPORTS_PER_AGENT. No agent credential reads any report, its own included (the app keeps
 * its own copy). Reports are attacker-influenced: they are served only as JSON with nosniff, and
 * whoever renders them escapes every value.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NETWORK_REPORT_MAX_BYTES, parseNetworkReport } from '../../common/network-report.js';
import { renderReportHtml, REPORT_PAGE_CSP } from '../../common/network-report-html.js';
import { registerAgentUploadRoute, type AgentUploadApiDeps } from './agent-upload-route.js';
import type { NetworkReportStore } from './network-reports.js';

export type NetworkReportApiDeps = AgentUploadApiDeps<NetworkReportStore>;

const ListQuerySchema = z
  .object({
    agent: z.string().min(1).max(64).optional(),
    since: z.coerce.number().int().nonnegative().optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();

const IdParamSchema = z.object({ id: z.uuid() });

export function registerNetworkReportApi(app: FastifyInstance, deps: NetworkReportApiDeps): void {
  const { store, requireAgent, requireAdmin, uploads, now } = deps;
  registerAgentUploadRoute(app, {
    url: '/api/network-reports',
    bodyLimit: NETWORK_REPORT_MAX_BYTES,
    what: 'reports',
    requireAgent,
    uploads,
    check: async (agent, body) => {
      const parsed = parseNetworkReport(body);
      if (!parsed.ok) return { ok: false, status: 400, error: parsed.error };
      const { report } = parsed;
      if (report.agent !== null && report.agent !== agent.username)
        return { ok: false, status: 400, error: `this report was made by ${report.agent}; send your own report, signed in as yourself` };
      return { ok: true, value: report };
    },
    store: async (agent, report) => ({ status: 201, body: { id: await store.add(agent.username, report, now()) } }),
  });

  app.get('/api/admin/network-reports', async (req, reply) => {
    if (!(await requireAdmin(req, reply))) return;
    const q = ListQuerySchema.safeParse(req.query);
    if (!q.success) return reply.code(400).send({ error: 'query: agent (username), since (epoch ms), limit (1-1000)' });
    return { reports: await store.list({ agent: q.data.agent, sinceMs: q.data.since, limit: q.data.limit }) };
  });

  app.get('/api/admin/network-reports/:id', async (req, reply) => {
    if (!(await requireAdmin(req, reply))) return;
    const p = IdParamSchema.safeParse(req.params);
    const found = p.success ? await store.get(p.data.id) : undefined;
    if (!found) return reply.code(404).send({ error: 'no such report' });
    // ?format=html: the page the agent would export, under its own policy (no script, nothing fetched).
    if ((req.query as { format?: unknown }).format === 'html') {
      return reply
        .header('Content-Security-Policy', REPORT_PAGE_CSP)
        .header('X-Frame-Options', 'DENY')
        .type('text/html; charset=utf-8')
        .send(renderReportHtml(found.report));
    }
    return found;
  });
}
