/**
 * Everything behind the admin token: agents (create, change, disable, delete), token rotation,
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
import { AgentChangesSchema, describeIssues, NewAgentSchema, type AgentChanges } from './agent-input.js';

export interface AdminApiDeps {
  readonly agents: AgentStore;
  readonly audit: AuditStore;
  readonly adminAudit: AdminAuditStore;
  readonly adminTokens: AdminTokens;
  /**
   * Drops the agent's current SIP registrations (Kamailio's location table), so a revoked agent
   * stops receiving calls now rather than when its registration expires. Rejects with the reason
   * when it could not.
   */
  readonly dropRegistrations: (username: string) => Promise<void>;
  readonly now: () => number;
  readonly log: (line: string) => void;
}

const ListQuerySchema = z.object({
  since: z.coerce.number().int().nonnegative().optional(),
  callId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(10000).optional(),
});

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

/** A database outage is a 503 (Fastify's error handler), not the admin's bad input. */
function rethrowUnavailable(err: unknown): void {
  if (err instanceof DatabaseUnavailableError) throw err;
}

export function registerAdminApi(app: FastifyInstance, deps: AdminApiDeps): void {
  const { agents, audit, adminAudit, adminTokens, now } = deps;

  /** The acting token's fingerprint, or null after answering 401. */
  async function requireAdmin(req: FastifyRequest, reply: FastifyReply): Promise<string | null> {
    const token = parseBearer(req.headers.authorization);
    const actor = token ? await adminTokens.verify(token) : null;
    if (actor) return actor;
    await reply.code(401).header('WWW-Authenticate', 'Bearer realm="clearline-admin"').send({ error: 'admin token required (Authorization: Bearer …)' });
    return null;
  }

  const record = (req: FastifyRequest, actor: string, action: AdminAction, target: string | null, detail: string | null) =>
    adminAudit.record({ actor, action, target, sourceAddress: req.ip, detail }, now());

  /**
   * Revocation takes effect at once: the agent's registrations are dropped. When that fails the
   * change still stands (Kamailio refuses the agent's next REGISTER and INVITE); the answer says
   * the old registrations live until they expire.
   */
  async function revokeRegistrations(username: string): Promise<string> {
    try {
      await deps.dropRegistrations(username);
      return 'dropped';
    } catch (err) {
      deps.log(`could not drop the registrations of ${username}: ${(err as Error).message}`);
      return `not dropped (${(err as Error).message}); they end when they expire`;
    }
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
      if (existed) return reply.code(200).send({ agent, registrations: await revokeRegistrations(username) });
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
    return { agent, ...(revoked ? { registrations: await revokeRegistrations(username) } : {}) };
  });

  app.delete('/api/agents/:username', async (req, reply) => {
    const actor = await requireAdmin(req, reply);
    if (!actor) return;
    const { username } = UsernameParamSchema.parse(req.params);
    if (!(await agents.remove(username))) return reply.code(404).send({ error: 'no such agent' });
    await record(req, actor, 'agent deleted', username, null);
    return { deleted: username, registrations: await revokeRegistrations(username) };
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
    const q = ListQuerySchema.omit({ callId: true }).safeParse(req.query);
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
    if (!q.success) return reply.code(400).send({ error: 'query: since (epoch ms), limit (1-10000)' });
    return { calls: await audit.listCalls({ sinceMs: q.data.since, limit: q.data.limit }) };
  });
}
