/**
 * Everything behind the admin token (or a signed-in admin page session): agents (create, change, disable, delete), token rotation,
 * and reading the SIP audit, call records and admin audit. Every change an admin makes is written
 * to the admin audit (who: the token's fingerprint, never the token; what; when; from where).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AgentStore } from './agents.js';
import type { AuditStore } from './audit-store.js';
import type { AdminAction, AdminAuditStore } from './admin-audit.js';
import type { AdminTokens } from './admin-token.js';
import { DatabaseUnavailableError } from './db.js';
import { parseBearer } from './http-policy.js';
import type { ActiveCall, KamailioRevoker } from './kamailio-revocation.js';
import { AgentChangesSchema, describeIssues, NewAgentSchema, type AgentChanges } from './agent-input.js';
import type { AuditOutcome } from './audit-event.js';
import { ADMIN_TOKEN_LIMITER_KEY, checkPageSession, type AdminPageAuthDeps } from './admin-page-auth.js';
import { checkLimited } from './limited-check.js';
import { viaManagementListener } from './listeners.js';

export interface AdminApiDeps {
  /** The admin page's sessions, accepted as the admin's credential on the management listener. */
  readonly pageSessions: AdminPageAuthDeps;
  readonly agents: AgentStore;
  readonly audit: AuditStore;
  readonly adminAudit: AdminAuditStore;
  readonly adminTokens: AdminTokens;
  /**
   * Revokes the agent inside Kamailio: drops its registrations (it stops receiving calls now, not
   * when they expire) and ends the calls it is placing, which it returns. Rejects with the reason
   * when it could not.
   */
  readonly revoke: KamailioRevoker;
  readonly now: () => number;
  readonly log: (line: string) => void;
}

const ListQuerySchema = z.object({
  since: z.coerce.number().int().nonnegative().optional(),
  callId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(10000).optional(),
});

/** The admin audit has no Call-ID to filter on. */
const AdminAuditQuerySchema = ListQuerySchema.omit({ callId: true });

const UsernameParamSchema = z.object({ username: z.string() });

/** The action an admin audit row names for a change: revocation first, it is what an auditor looks for. */
export function actionOf(changes: AgentChanges): AdminAction {
  if (changes.disabled === true) return 'agent disabled';
  if (changes.disabled === false) return 'agent enabled';
  if (changes.password !== undefined) return 'password reset';
  return 'agent changed';
}

/** What changed, by field name: a password is named, never written. */
export function changedFields(changes: object): string {
  return Object.keys(changes).sort().join(', ');
}

/** The audit event that closes the record of a call Kamailio ended because its agent was revoked. */
export function revokedCallEnd(call: ActiveCall) {
  return {
    method: 'BYE',
    code: 0,
    outcome: 'agent revoked' satisfies AuditOutcome,
    callId: call.callId,
    fromTag: call.fromTag,
    toTag: call.toTag,
    from: call.from,
    to: call.to,
    inDialog: true,
  };
}

/** A database outage is a 503 (Fastify's error handler), not the admin's bad input. */
function rethrowUnavailable(err: unknown): void {
  if (err instanceof DatabaseUnavailableError) throw err;
}

/** Resolves to the acting token's fingerprint, or to null after answering 404, 401, 403 or 429. */
export type AdminGuard = (req: FastifyRequest, reply: FastifyReply) => Promise<string | null>;

/**
 * The one check every admin route makes. On the agents' (public) listener admin routes do not
 * exist: 404 whatever the credential, so nobody on the agents' network can reach them or guess
 * the token there. On the management listener: the Bearer token in force, or a signed-in admin
 * page session (admin-page-auth.ts; state changes also need its CSRF token and the page's own
 * origin). A Bearer header, when sent, is the only credential looked at, and a wrong one counts in
 * the shared FailureLimiter under the same key as the page's sign-in (one budget for guessing the
 * admin token, per source address: a guesser locks only its own address out, the admin elsewhere
 * keeps working).
 */
export function adminGuard(pageSessions: AdminPageAuthDeps): AdminGuard {
  const { adminTokens, limiter } = pageSessions;
  return async (req, reply) => {
    if (!viaManagementListener(req.raw)) {
      await reply.code(404).send({ error: 'not found' });
      return null;
    }
    const token = parseBearer(req.headers.authorization);
    if (!token) {
      const check = await checkPageSession(req, pageSessions);
      if (check.ok) return check.actor;
      await reply.code(check.status).send({ error: check.error });
      return null;
    }
    const check = await checkLimited(limiter, req.ip, ADMIN_TOKEN_LIMITER_KEY, () => adminTokens.verify(token));
    if (check.locked) {
      await reply
        .code(429)
        .header('Retry-After', String(check.retryAfterSec))
        .send({ error: `too many wrong admin tokens from this address; retry after ${check.retryAfterSec} s` });
      return null;
    }
    if (check.found !== null) return check.found;
    await reply
      .code(401)
      .header('WWW-Authenticate', 'Bearer realm="clearline-admin"')
      .send({ error: 'admin token required (Authorization: Bearer …)' });
    return null;
  };
}

export function registerAdminApi(app: FastifyInstance, deps: AdminApiDeps): void {
  const { agents, audit, adminAudit, adminTokens, now } = deps;
  const requireAdmin = adminGuard(deps.pageSessions);

  const record = (req: FastifyRequest, actor: string, action: AdminAction, target: string | null, detail: string | null) =>
    adminAudit.record({ actor, action, target, sourceAddress: req.ip, detail }, now());

  /**
   * Revocation takes effect at once: registrations dropped, calls in progress ended and their
   * records closed. When Kamailio cannot be reached the change still stands (Kamailio refuses the
   * agent's next REGISTER and INVITE); the answer says what is left until registrations expire.
   */
  async function revokeInKamailio(username: string): Promise<{ registrationsDropped: true; callsEnded: number } | { error: string }> {
    let ended: ActiveCall[];
    try {
      ended = await deps.revoke(username);
    } catch (err) {
      deps.log(`could not revoke ${username} in Kamailio: ${(err as Error).message}`);
      return { error: `${(err as Error).message}; registrations end when they expire, calls at the maximum call duration` };
    }
    for (const call of ended) await audit.record(revokedCallEnd(call), now());
    return { registrationsDropped: true, callsEnded: ended.length };
  }

  app.get('/api/agents', async (req, reply) => {
    if (!(await requireAdmin(req, reply))) return;
    return { agents: await agents.list() };
  });

  app.post('/api/agents', async (req, reply) => {
    const actor = await requireAdmin(req, reply);
    if (!actor) return;
    const parsed = NewAgentSchema.safeParse(req.body);
    if (!parsed.success) return reply.code(400).send({ error: `invalid agent: ${describeIssues(parsed.error)}` });
    const { username, password, displayName, ...policy } = parsed.data;
    try {
      const existed = (await agents.find(username)) !== undefined;
      const agent = await agents.upsert(username, password, displayName || username, now(), policy);
      await record(req, actor, existed ? 'agent replaced' : 'agent created', username, changedFields(req.body as object));
      // (The body's own fields: the strict schema admitted only known ones; defaults are not changes.)
      // Replacing an agent sets a new password: sessions signed in with the old one end.
      if (existed) return reply.code(200).send({ agent, kamailio: await revokeInKamailio(username) });
      return reply.code(201).send({ agent });
    } catch (err) {
      rethrowUnavailable(err);
      return reply.code(400).send({ error: (err as Error).message });
    }
  });

  app.patch('/api/agents/:username', async (req, reply) => {
    const actor = await requireAdmin(req, reply);
    if (!actor) return;
    const { username } = UsernameParamSchema.parse(req.params);
    const parsed = AgentChangesSchema.safeParse(req.body);
    if (!parsed.success) return reply.code(400).send({ error: `invalid change: ${describeIssues(parsed.error)}` });
    const changes = parsed.data;
    let agent;
    try {
      agent = await agents.update(username, changes);
    } catch (err) {
      rethrowUnavailable(err);
      return reply.code(400).send({ error: (err as Error).message });
    }
    if (!agent) return reply.code(404).send({ error: 'no such agent' });
    await record(req, actor, actionOf(changes), username, changedFields(changes));
    const revoked = changes.disabled === true || changes.password !== undefined;
    return { agent, ...(revoked ? { kamailio: await revokeInKamailio(username) } : {}) };
  });

  app.delete('/api/agents/:username', async (req, reply) => {
    const actor = await requireAdmin(req, reply);
    if (!actor) return;
    const { username } = UsernameParamSchema.parse(req.params);
    if (!(await agents.remove(username))) return reply.code(404).send({ error: 'no such agent' });
    await record(req, actor, 'agent deleted', username, null);
    return { deleted: username, kamailio: await revokeInKamailio(username) };
  });

  // The new token is in this answer and nowhere else (only its hash is stored); the token that
  // asked stops working now, on every control-plane node sharing the database.
  app.post('/api/admin/token/rotate', async (req, reply) => {
    const actor = await requireAdmin(req, reply);
    if (!actor) return;
    const token = await adminTokens.rotate(now());
    await record(req, actor, 'token rotated', null, null);
    return { token };
  });

  app.get('/api/admin-audit', async (req, reply) => {
    if (!(await requireAdmin(req, reply))) return;
    const q = AdminAuditQuerySchema.safeParse(req.query);
    if (!q.success) return reply.code(400).send({ error: 'query: since (epoch ms), limit (1-10000)' });
    return { actions: await adminAudit.list({ sinceMs: q.data.since, limit: q.data.limit }) };
  });

  app.get('/api/audit', async (req, reply) => {
    if (!(await requireAdmin(req, reply))) return;
    const q = ListQuerySchema.safeParse(req.query);
    if (!q.success) return reply.code(400).send({ error: 'query: since (epoch ms), callId, limit (1-10000)' });
    return { events: await audit.listEvents({ sinceMs: q.data.since, callId: q.data.callId, limit: q.data.limit }) };
  });

  app.get('/api/calls', async (req, reply) => {
    if (!(await requireAdmin(req, reply))) return;
    const q = ListQuerySchema.safeParse(req.query);
    if (!q.success) return reply.code(400).send({ error: 'query: since (epoch ms), callId, limit (1-10000)' });
    return { calls: await audit.listCalls({ sinceMs: q.data.since, callId: q.data.callId, limit: q.data.limit }) };
  });
}
