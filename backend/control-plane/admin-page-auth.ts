/**
 * Signing in to the admin page, and the page session as a credential for the admin API.
 *
 *   POST /admin/session      {token}: the admin token in the page's form → session cookie + CSRF token
 *   GET  /admin/session      who is signed in, and the session's CSRF token (the page reloads it)
 *   POST /admin/session/end  sign out (CSRF token + same origin)
 *
 * Only on the management listener (404 on the public one): the page never faces agents.
 *
 * The credential is the admin token in force (admin-token.ts), typed into a form, never put in a
 * URL: one admin secret, already stored only as a hash, rotated with `POST /api/admin/token/rotate`
 * — which also ends every page session made with the old token. Wrong tokens count in the same
 * FailureLimiter as the agents' sign-ins and wrong Bearer tokens (per address): 10
 * failures from one address lock it out for 5 minutes, the right token included.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminAuditStore } from './admin-audit.js';
import { crossOriginReason, clearedSessionCookie, CSRF_HEADER, sessionCookie, sessionIdFrom } from './admin-page-policy.js';
import { csrfMatches, type AdminSession, type AdminSessions } from './admin-sessions.js';
import type { AdminTokens } from './admin-token.js';
import type { FailureLimiter } from './failure-limiter.js';
import { checkLimited } from './limited-check.js';
import { viaManagementListener } from './listeners.js';

/**
 * The limiter's "username" for every admin token guess — the page's sign-in form and a Bearer
 * header alike (one budget): no agent can have it (spaces are not allowed there).
 */
export const ADMIN_TOKEN_LIMITER_KEY = 'admin token';

export interface AdminPageAuthDeps {
  readonly sessions: AdminSessions;
  readonly adminTokens: AdminTokens;
  readonly limiter: FailureLimiter;
  readonly adminAudit: AdminAuditStore;
  readonly now: () => number;
}

export type PageSessionCheck =
  | { readonly ok: true; readonly actor: string; readonly session: AdminSession }
  | { readonly ok: false; readonly status: 401 | 403; readonly error: string };

const SignInSchema = z.object({ token: z.string().min(1).max(512) }).strict();

const SAFE_METHODS = new Set(['GET', 'HEAD']);

function schemeOf(req: FastifyRequest): 'http' | 'https' {
  return req.protocol === 'https' ? 'https' : 'http';
}

/**
 * Whether the request carries a live page session that may do what it asks: a session cookie
 * made with the admin token still in force, and — unless it only reads — the session's CSRF
 * token in its header and the page's own origin.
 */
export async function checkPageSession(req: FastifyRequest, deps: AdminPageAuthDeps): Promise<PageSessionCheck> {
  const session = deps.sessions.use(sessionIdFrom(req.headers.cookie));
  if (!session) return { ok: false, status: 401, error: 'not signed in, or the session expired: sign in again' };
  if (session.actor !== (await deps.adminTokens.fingerprintInForce())) {
    deps.sessions.end(sessionIdFrom(req.headers.cookie));
    return { ok: false, status: 401, error: 'the admin token was rotated: sign in with the new one' };
  }
  if (!SAFE_METHODS.has(req.method)) {
    const crossOrigin = crossOriginReason(req.headers, schemeOf(req));
    if (crossOrigin) return { ok: false, status: 403, error: `cross-origin request refused (${crossOrigin})` };
    if (!csrfMatches(session, req.headers[CSRF_HEADER])) return { ok: false, status: 403, error: `missing or wrong ${CSRF_HEADER} header` };
  }
  return { ok: true, actor: session.actor, session };
}

function publicView(session: AdminSession) {
  return { actor: session.actor, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
}

export function registerAdminPageAuth(app: FastifyInstance, deps: AdminPageAuthDeps): void {
  const { sessions, adminTokens, limiter, adminAudit, now } = deps;
  const onManagementOnly = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!viaManagementListener(req.raw)) return reply.code(404).send({ error: 'not found' });
  };

  app.post('/admin/session', { bodyLimit: 1024, onRequest: onManagementOnly }, async (req, reply) => {
    // Login CSRF: another site must not sign the admin's browser in (or guess tokens through it).
    const crossOrigin = crossOriginReason(req.headers, schemeOf(req));
    if (crossOrigin) return reply.code(403).send({ error: `cross-origin sign-in refused (${crossOrigin})` });
    const parsed = SignInSchema.safeParse(req.body);
    if (!parsed.success) return reply.code(400).send({ error: 'send {"token": "<the admin token>"} as JSON' });
    const check = await checkLimited(limiter, req.ip, ADMIN_TOKEN_LIMITER_KEY, () => adminTokens.verify(parsed.data.token));
    if (check.locked) {
      return reply
        .code(429)
        .header('Retry-After', String(check.retryAfterSec))
        .send({ error: `too many wrong tokens from this address; retry after ${check.retryAfterSec} s` });
    }
    const actor = check.found;
    if (actor === null) return reply.code(401).send({ error: 'that is not the admin token in force' });
    const { id, session } = sessions.create(actor);
    await adminAudit.record({ actor, action: 'page signed in', target: null, sourceAddress: req.ip, detail: null }, now());
    return reply
      .header('Set-Cookie', sessionCookie(id, schemeOf(req) === 'https'))
      .code(201)
      .send(publicView(session));
  });

  app.get('/admin/session', { onRequest: onManagementOnly }, async (req, reply) => {
    const check = await checkPageSession(req, deps);
    if (!check.ok)
      return reply
        .code(check.status)
        .header('Set-Cookie', clearedSessionCookie(schemeOf(req) === 'https'))
        .send({ error: check.error });
    return publicView(check.session);
  });

  app.post('/admin/session/end', { bodyLimit: 1024, onRequest: onManagementOnly }, async (req, reply) => {
    const check = await checkPageSession(req, deps);
    if (!check.ok) return reply.code(check.status).send({ error: check.error });
    sessions.end(sessionIdFrom(req.headers.cookie));
    await adminAudit.record({ actor: check.actor, action: 'page signed out', target: null, sourceAddress: req.ip, detail: null }, now());
    return reply.header('Set-Cookie', clearedSessionCookie(schemeOf(req) === 'https')).send({ signedOut: true });
  });
}
