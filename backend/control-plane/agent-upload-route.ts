/**
 * A POST route an agent sends a bounded document to (a network-test report, a call-quality
 * summary): one shape for both, so both keep the same order of defences.
 *
 *   credential (onRequest, before fastify reads any body: a stranger never gets bytes read)
 *   → body limit (413) → the route's own checks (400/403) → the agent's upload rate (429 +
 *   Retry-After; only well-formed uploads count, so a client bug cannot lock its agent out)
 *   → stored.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminGuard } from './admin-api.js';
import type { Agent } from './agents.js';
import type { UploadRateLimiter } from './upload-rate-limit.js';

export type UploadCheck<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly status: 400 | 403; readonly error: string };

/** The agent the request's credential names, or null after answering 401/403/429. */
export type RequireAgent = (req: FastifyRequest, reply: FastifyReply) => Promise<Agent | null>;

/** What an API with one agent-upload route and admin reads needs (network reports, call quality). */
export interface AgentUploadApiDeps<Store> {
  readonly store: Store;
  readonly requireAgent: RequireAgent;
  readonly requireAdmin: AdminGuard;
  readonly uploads: UploadRateLimiter;
  readonly now: () => number;
}

export interface AgentUploadRoute<T> {
  readonly url: string;
  readonly bodyLimit: number;
  /** What the 429 says is sent too often ("reports", "quality reports"). */
  readonly what: string;
  readonly requireAgent: RequireAgent;
  readonly uploads: UploadRateLimiter;
  /** Parses and checks the body as sent by `agent`. */
  readonly check: (agent: Agent, body: unknown) => Promise<UploadCheck<T>>;
  /** Stores the checked value; the answer's status and body. */
  readonly store: (agent: Agent, value: T) => Promise<{ readonly status: number; readonly body: object }>;
}

export function registerAgentUploadRoute<T>(app: FastifyInstance, route: AgentUploadRoute<T>): void {
  const sender = new WeakMap<FastifyRequest, Agent>();
  app.post(
    route.url,
    {
      bodyLimit: route.bodyLimit,
      onRequest: async (req, reply) => {
        const agent = await route.requireAgent(req, reply);
        if (!agent) return reply;
        sender.set(req, agent);
      },
    },
    async (req, reply) => {
      const agent = sender.get(req)!;
      const checked = await route.check(agent, req.body);
      if (!checked.ok) return reply.code(checked.status).send({ error: checked.error });
      const admission = route.uploads.take(agent.username);
      if (!admission.allowed) {
        return reply
          .code(429)
          .header('Retry-After', String(admission.retryAfterSec))
          .send({ error: `too many ${route.what} sent; retry after ${admission.retryAfterSec} s` });
      }
      const { status, body } = await route.store(agent, checked.value);
      return reply.code(status).send(body);
    },
  );
}
