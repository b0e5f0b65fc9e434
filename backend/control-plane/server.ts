import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { ClientConfigSchema, TurnCredentialsSchema } from '../../common/provisioning-api.js';
import { DEFAULT_QUALITY_THRESHOLDS } from '../../common/quality/quality-thresholds.js';
import type { AgentStore, Agent } from './agents.js';
import type { AuditStore } from './audit-store.js';
import type { ControlPlaneConfig } from './config.js';
import type { Db } from './db.js';
import { turnRestCredentials } from './turn-rest.js';
import { SipEventInputSchema, toStoredEvent } from './sip-event-input.js';
import { kamailioRevoker } from './kamailio-revocation.js';
import { DEFAULT_LIMITER_POLICY, FailureLimiter } from './failure-limiter.js';
import { checkLimited } from './limited-check.js';
import { mimeTypeFor, resolveRendererPath } from '../../common/node/static-files.js';
import { parseBasicAuth } from './http-policy.js';
import { isAllowedOrigin } from '../../common/origin-allow-list.js';
import { softphoneCsp } from '../../common/content-security-policy.js';
import { AdminAuditStore } from './admin-audit.js';
import { AdminTokens } from './admin-token.js';
import { adminGuard, registerAdminApi, type AdminApiDeps } from './admin-api.js';
import { registerNetworkReportApi } from './network-report-api.js';
import { CALL_QUALITY_UPLOAD_POLICY, registerCallQualityApi } from './call-quality-api.js';
import { CallQualityStore } from './call-quality-store.js';
import { NetworkReportStore } from './network-reports.js';
import { NETWORK_REPORT_UPLOAD_POLICY, UploadRateLimiter } from './upload-rate-limit.js';
import { AdminSessions } from './admin-sessions.js';
import { registerAdminPageAuth } from './admin-page-auth.js';
import { registerAdminPage } from './admin-page.js';
import { QualityAlertStore } from './quality-alert-store.js';
import { QualityAlerts } from './quality-alerts.js';
import { AlertWebhook, parseAlertWebhookUrl, webhookSecretOf } from './alert-webhook.js';
import { registerQualityAlertApi } from './quality-alert-api.js';

export interface ControlPlaneDeps {
  readonly config: ControlPlaneConfig;
  readonly db: Db;
  readonly agents: AgentStore;
  readonly audit: AuditStore;
  readonly now?: () => number;
  readonly limiter?: FailureLimiter;
  /** Default: through Kamailio's ctl socket from the config; refuses, naming the setting, when there is none. */
  readonly revoke?: AdminApiDeps['revoke'];
  readonly log?: (line: string) => void;
}

/** Every route refuses a larger body with 413 before reading it: no request costs more memory than this. */
export const MAX_BODY_BYTES = 64 * 1024;

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const NO_BUILD_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Clearline</title></head>
<body><h1>Clearline control plane</h1><p>The web softphone is not built yet: run <code>npm run build</code>, then reload.</p></body></html>`;

export function buildControlPlane(deps: ControlPlaneDeps): FastifyInstance {
  const { config, agents, audit } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.log ?? ((line: string) => console.error(`control-plane: ${line}`));
  // Fastify's logger is off: its request lines would carry Authorization-adjacent data. We log
  // nothing per request; audit data goes to the database.
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY_BYTES });

  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (origin && isAllowedOrigin(origin, config.corsOrigins)) {
      reply.header('Access-Control-Allow-Origin', origin);
      reply.header('Vary', 'Origin');
      reply.header('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      reply.header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      reply.header('Access-Control-Max-Age', '600');
    }
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Cache-Control', 'no-store');
    if (req.method === 'OPTIONS') return reply.code(204).send();
  });

  const limiter = deps.limiter ?? new FailureLimiter(DEFAULT_LIMITER_POLICY, now);
  // What agents' clients warn at (sent in their config) and what the admin page alerts at: one setting.
  const thresholds = config.qualityThresholds ?? DEFAULT_QUALITY_THRESHOLDS;
  async function requireAgent(req: FastifyRequest, reply: FastifyReply): Promise<Agent | null> {
    const creds = parseBasicAuth(req.headers.authorization);
    if (creds) {
      const check = await checkLimited(limiter, req.ip, creds.username, () => agents.verify(creds.username, creds.password));
      if (check.locked) {
        // The same words and header the SIP side uses: the client waits N s and retries by itself.
        await reply
          .code(429)
          .header('Retry-After', String(check.retryAfterSec))
          .send({ error: `locked, retry after ${check.retryAfterSec} s` });
        return null;
      }
      const agent = check.found;
      if (agent !== null) {
        if (!agent.disabled) return agent;
        // Only someone who knows the password learns the account is disabled (and stops retrying).
        await reply.code(403).send({ error: 'account disabled' });
        return null;
      }
    }
    await reply
      .code(401)
      .header('WWW-Authenticate', 'Basic realm="clearline", charset="UTF-8"')
      .send({ error: 'sign in with your SIP username and password (HTTP Basic)' });
    return null;
  }

  // 503 whenever the database cannot take a write (down, locked by a backup, schema not applied
  // yet), so a load balancer or operator sees what agents would. The body never carries the
  // driver's message: it names hosts, users and files.
  app.get('/healthz', async (_req, reply) => {
    try {
      await deps.db.ping();
      return { status: 'ok' };
    } catch {
      return reply.code(503).send({ status: 'unavailable' });
    }
  });

  app.get('/api/client-config', async (req, reply) => {
    const agent = await requireAgent(req, reply);
    if (!agent) return;
    return ClientConfigSchema.parse({
      agent: { username: agent.username, displayName: agent.displayName },
      sip: {
        wsUrl: config.client.wsUrl,
        ...(config.client.fallbackWsUrls ? { fallbackWsUrls: config.client.fallbackWsUrls } : {}),
        domain: config.client.domain,
        registerExpiresSec: config.client.registerExpiresSec,
      },
      controlPlaneUrl: config.publicUrl,
      numbers: config.client.numbers,
      ...(config.client.reflector ? { diagnostics: { reflector: config.client.reflector } } : {}),
      quality: thresholds,
      ...(config.client.mediaTimeoutSeconds ? { call: { mediaTimeoutSeconds: config.client.mediaTimeoutSeconds } } : {}),
    });
  });

  app.get('/api/turn-credentials', async (req, reply) => {
    const agent = await requireAgent(req, reply);
    if (!agent) return;
    return TurnCredentialsSchema.parse(
      turnRestCredentials({
        secret: config.turn.secret,
        agent: agent.username,
        ttlSec: config.turn.ttlSec,
        nowMs: now(),
        uris: config.turn.uris,
      }),
    );
  });

  const adminTokens = new AdminTokens(deps.db, config.adminToken);
  const adminAudit = new AdminAuditStore(deps.db);
  const pageSessions = { sessions: new AdminSessions(now), adminTokens, limiter, adminAudit, now };
  const requireAdmin = adminGuard(pageSessions);
  registerAdminApi(app, {
    agents,
    audit,
    adminAudit,
    adminTokens,
    pageSessions,
    revoke: deps.revoke ?? kamailioRevoker(config.kamailioCtlSocket),
    now,
    log,
  });
  registerAdminPageAuth(app, pageSessions);
  registerAdminPage(app);

  registerNetworkReportApi(app, {
    store: new NetworkReportStore(deps.db),
    requireAgent,
    requireAdmin,
    uploads: new UploadRateLimiter(NETWORK_REPORT_UPLOAD_POLICY, now),
    now,
  });

  const alertStore = new QualityAlertStore(deps.db);
  const webhook = config.alertWebhook
    ? new AlertWebhook(parseAlertWebhookUrl(config.alertWebhook), webhookSecretOf(config), thresholds, log)
    : null;
  const alerts = new QualityAlerts(alertStore, thresholds, (alert) => webhook?.send(alert));
  registerCallQualityApi(
    app,
    {
      store: new CallQualityStore(deps.db),
      requireAgent,
      requireAdmin,
      uploads: new UploadRateLimiter(CALL_QUALITY_UPLOAD_POLICY, now),
      now,
    },
    (agent, report) => alerts.consider(agent, report, now()),
  );
  registerQualityAlertApi(app, { store: alertStore, requireAdmin, thresholds });

  // Kamailio's audit timer process posts each queued event here: 200 means "committed to the
  // database" (or already there: a re-delivery after a lost answer is stored once).
  app.post('/internal/sip-events', async (req, reply) => {
    const parsed = SipEventInputSchema.safeParse(req.body);
    if (!parsed.success || !sameSecret(parsed.data.token, config.internalToken)) {
      return reply.code(403).send({ error: 'forbidden' });
    }
    const { event, atMs } = toStoredEvent(parsed.data);
    const stored = await audit.record(event, atMs);
    return { stored: true, duplicate: !stored };
  });

  const csp = softphoneCsp({ sipWsUrls: config.wsUrls });
  app.get('/*', async (req, reply) => {
    reply.header('Content-Security-Policy', csp);
    reply.header('X-Frame-Options', 'DENY');
    let urlPath: string;
    try {
      urlPath = decodeURIComponent((req.url.split('?')[0] ?? '/').replace(/\/+$/, '')) || '/index.html';
    } catch {
      return reply.code(400).send({ error: 'malformed URL' });
    }
    const root = config.webRoot;
    const file = resolveRendererPath(root, urlPath);
    if (file === null) return reply.code(404).send({ error: 'not found' });
    if (!existsSync(join(root, 'index.html'))) return reply.type('text/html; charset=utf-8').send(NO_BUILD_PAGE);
    // Unknown paths fall back to index.html: the softphone is a single-page app.
    const target = existsSync(file) ? file : join(root, 'index.html');
    return reply.type(mimeTypeFor(target)).send(await readFile(target));
  });

  return app;
}
