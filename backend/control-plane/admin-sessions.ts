/**
 * The admin page's sign-in sessions (pure; the clock and randomness are injected). A session is
 * made by signing in with the admin token on the page's form; the browser then holds only an
 * opaque random id in an HttpOnly cookie, never the token.
 *
 * - Kept in this process's memory, keyed by the SHA-256 of the id (the id itself is not kept):
 *   a restart signs every admin out, which is the safe direction.
 * - Ends after IDLE_MS without a request, after ABSOLUTE_MS whatever happens, on sign-out, and
 *   when the admin token it was made with is rotated (the caller compares `actor`).
 * - Each has its own CSRF token, which the page sends in a header with every state-changing
 *   request: a cross-site page can make the browser send the cookie, never read the token.
 * - At most MAX_SESSIONS at once: a new sign-in past that ends the oldest session.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ADMIN_SESSION_ABSOLUTE_MS, ADMIN_SESSION_IDLE_MS } from './admin-page-policy.js';

export const MAX_ADMIN_SESSIONS = 64;

export interface AdminSession {
  /** Which admin token signed in (its fingerprint, as the admin audit names it). */
  readonly actor: string;
  readonly csrfToken: string;
  readonly createdAt: number;
  /** When it ends unless used again (idle), never later than createdAt + ABSOLUTE_MS. */
  readonly expiresAt: number;
}

interface Held {
  actor: string;
  csrfToken: string;
  createdAt: number;
  lastUsedAt: number;
}

const hashOf = (id: string) => createHash('sha256').update(id).digest('hex');

export class AdminSessions {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly random: (bytes: number) => Buffer = randomBytes,
  ) {}

  /** A new session for `actor`: its id (for the cookie, shown nowhere else) and what the page may know. */
  create(actor: string): { id: string; session: AdminSession } {
    const t = this.now();
    this.sweep(t);
    while (this.held.size >= MAX_ADMIN_SESSIONS) this.held.delete(this.held.keys().next().value!);
    const id = this.random(32).toString('base64url');
    const held: Held = { actor, csrfToken: this.random(32).toString('base64url'), createdAt: t, lastUsedAt: t };
    this.held.set(hashOf(id), held);
    return { id, session: view(held) };
  }

  /** The live session with this id, its idle timer restarted; null when unknown or expired. */
  use(id: string | undefined): AdminSession | null {
    if (!id) return null;
    const key = hashOf(id);
    const held = this.held.get(key);
    const t = this.now();
    if (!held) return null;
    if (expired(held, t)) {
      this.held.delete(key);
      return null;
    }
    held.lastUsedAt = t;
    return view(held);
  }

  /** Ends the session with this id (sign-out); false when there was none. */
  end(id: string | undefined): boolean {
    return id ? this.held.delete(hashOf(id)) : false;
  }

  get size(): number {
    return this.held.size;
  }

  private sweep(t: number): void {
    for (const [key, held] of this.held) if (expired(held, t)) this.held.delete(key);
  }
}

function expired(held: Held, t: number): boolean {
  return t - held.lastUsedAt >= ADMIN_SESSION_IDLE_MS || t - held.createdAt >= ADMIN_SESSION_ABSOLUTE_MS;
}

function view(held: Held): AdminSession {
  return {
    actor: held.actor,
    csrfToken: held.csrfToken,
    createdAt: held.createdAt,
    expiresAt: Math.min(held.lastUsedAt + ADMIN_SESSION_IDLE_MS, held.createdAt + ADMIN_SESSION_ABSOLUTE_MS),
  };
}

/** Whether the request's CSRF header is the session's token (constant time). */
export function csrfMatches(session: AdminSession, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const a = Buffer.from(header);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}
