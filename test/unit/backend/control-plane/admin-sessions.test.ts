/**
 * The admin page's sessions on an injected clock: idle and absolute expiry, sign-out, the cap on
 * sessions held, and the CSRF token check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminSessions, csrfMatches, MAX_ADMIN_SESSIONS } from '../../../../backend/control-plane/admin-sessions.js';
import { ADMIN_SESSION_ABSOLUTE_MS, ADMIN_SESSION_IDLE_MS } from '../../../../backend/control-plane/admin-page-policy.js';

function clock(start = 1_800_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('a new session is found by its id, carries its actor and a CSRF token, and is unknown under any other id', () => {
  const c = clock();
  const sessions = new AdminSessions(c.now);
  const { id, session } = sessions.create('admin#1a2b3c4d');
  assert.match(id, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
  assert.match(session.csrfToken, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(session.csrfToken, id);
  assert.equal(sessions.use(id)?.actor, 'admin#1a2b3c4d');
  assert.equal(sessions.use(`${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`), null, 'a forged id');
  assert.equal(sessions.use(undefined), null);
  assert.equal(sessions.use(''), null);
});

test('idle expiry: each use restarts the idle timer; a session unused for the idle time is gone', () => {
  const c = clock();
  const sessions = new AdminSessions(c.now);
  const { id } = sessions.create('admin#1');
  c.advance(ADMIN_SESSION_IDLE_MS - 1);
  assert.ok(sessions.use(id), 'used just before the idle limit');
  c.advance(ADMIN_SESSION_IDLE_MS - 1);
  const view = sessions.use(id);
  assert.ok(view, 'the previous use restarted the timer');
  assert.equal(view.expiresAt, c.now() + ADMIN_SESSION_IDLE_MS);
  c.advance(ADMIN_SESSION_IDLE_MS);
  assert.equal(sessions.use(id), null, 'idle for the whole limit');
  assert.equal(sessions.size, 0, 'an expired session found is dropped');
});

test('absolute expiry: a session used all the time still ends ABSOLUTE after sign-in', () => {
  const c = clock();
  const sessions = new AdminSessions(c.now);
  const { id, session } = sessions.create('admin#1');
  const step = ADMIN_SESSION_IDLE_MS / 2;
  let last = session;
  while (c.now() + step < session.createdAt + ADMIN_SESSION_ABSOLUTE_MS) {
    c.advance(step);
    const v = sessions.use(id);
    assert.ok(v, `alive at +${c.now() - session.createdAt} ms`);
    last = v;
  }
  assert.equal(last.expiresAt, session.createdAt + ADMIN_SESSION_ABSOLUTE_MS, 'the idle timer never runs past the absolute limit');
  c.advance(step);
  assert.equal(sessions.use(id), null);
});

test('sign-out ends that session only', () => {
  const sessions = new AdminSessions(clock().now);
  const a = sessions.create('admin#1');
  const b = sessions.create('admin#1');
  assert.equal(sessions.end(a.id), true);
  assert.equal(sessions.end(a.id), false, 'already ended');
  assert.equal(sessions.use(a.id), null);
  assert.ok(sessions.use(b.id));
});

test('at most MAX_ADMIN_SESSIONS are held: a sign-in past that ends the oldest', () => {
  const sessions = new AdminSessions(clock().now);
  const first = sessions.create('admin#1');
  const ids = Array.from({ length: MAX_ADMIN_SESSIONS }, () => sessions.create('admin#1').id);
  assert.equal(sessions.size, MAX_ADMIN_SESSIONS);
  assert.equal(sessions.use(first.id), null, 'the oldest went');
  assert.ok(sessions.use(ids[0]!), 'the second oldest stays');
  assert.ok(sessions.use(ids.at(-1)!));
});

test('csrfMatches: only the session’s own token, exactly, as a single header', () => {
  const sessions = new AdminSessions(clock().now);
  const { session } = sessions.create('admin#1');
  const other = sessions.create('admin#1').session;
  assert.equal(csrfMatches(session, session.csrfToken), true);
  assert.equal(csrfMatches(session, other.csrfToken), false, 'another session’s token');
  assert.equal(csrfMatches(session, undefined), false);
  assert.equal(csrfMatches(session, ''), false);
  assert.equal(csrfMatches(session, `${session.csrfToken}x`), false);
  assert.equal(csrfMatches(session, [session.csrfToken, session.csrfToken]), false, 'a repeated header');
});
