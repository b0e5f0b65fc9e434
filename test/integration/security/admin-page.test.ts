/**
 * The admin page's sign-in and session against the real stack, attacked: the page and its sign-in
 * on the agents' listener; no cookie, a forged cookie, a signed-out session, a session from before
 * a token rotation; a change without the CSRF token, with a wrong one, from another origin; an
 * agent's credentials at the sign-in and at the admin routes; a brute force on the sign-in (locked
 * out, the real admin on another address unaffected); a script-laden network report opened
 * through the session (served escaped, under a policy that runs nothing). Idle and absolute expiry
 * run on an injected clock in unit/backend/control-plane/admin-sessions.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack } from '../backend/support/stack-fixture.js';
import { admin, api, createAgent, type ApiAnswer } from './support/control-plane-http.js';
import { sampleNetworkReport } from '../../support/network-report.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';
import { DEFAULT_LIMITER_POLICY } from '../../../backend/control-plane/failure-limiter.js';
import { ADMIN_SESSION_COOKIE, CSRF_HEADER } from '../../../backend/control-plane/admin-page-policy.js';
import type { AdminAuditEntry } from '../../../backend/control-plane/admin-audit.js';

const SCRIPT = '<script>alert(document.cookie)</script><img src=x onerror=alert(1)>';

describe('admin page: sign-in, session, CSRF', { timeout: 180_000 }, () => {
  let fx: Awaited<ReturnType<typeof startTestStack>>;
  let page: string;
  let origin: string;
  const ann = { username: 'ann', password: 'ann-password-1' };

  /** A request to the management listener, as the page's own script would send it unless overridden. */
  const mgmt = (
    path: string,
    o: { method?: string; body?: unknown; cookie?: string; csrf?: string; headers?: Record<string, string>; from?: string } = {},
  ) =>
    api(fx.stack, {
      base: page,
      path,
      method: o.method ?? 'GET',
      ...(o.body !== undefined ? { body: o.body } : {}),
      ...(o.from ? { from: o.from } : {}),
      headers: {
        origin,
        'sec-fetch-site': 'same-origin',
        ...(o.cookie ? { cookie: `${ADMIN_SESSION_COOKIE}=${o.cookie}` } : {}),
        ...(o.csrf ? { [CSRF_HEADER]: o.csrf } : {}),
        ...o.headers,
      },
    });

  const cookieOf = (res: ApiAnswer): string => {
    const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    const m = new RegExp(`^${ADMIN_SESSION_COOKIE}=([^;]+)`).exec(set[0] ?? '');
    assert.ok(m, `a session cookie in ${JSON.stringify(set)}`);
    return m[1]!;
  };
  async function signIn(): Promise<{ cookie: string; csrf: string; res: ApiAnswer }> {
    const res = await mgmt('/admin/session', { method: 'POST', body: { token: fx.stack.endpoints.admin.token } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { cookie: cookieOf(res), csrf: (res.body as { csrfToken: string }).csrfToken, res };
  }
  const agentNames = async () =>
    ((await admin(fx.stack, 'GET', '/api/agents')).body as { agents: Array<{ username: string }> }).agents.map((a) => a.username);

  before(async () => {
    fx = await startTestStack(TEST_PORT_BASES.networkTest);
    page = fx.stack.endpoints.admin.pageUrl;
    origin = new URL(page).origin;
    await createAgent(fx.stack, ann.username, ann.password);
  });
  after(async () => {
    await fx?.dispose();
  });

  test('the page is on the management listener only: its page, sign-in and session routes are 404 on the agents’ listener', async () => {
    assert.notEqual(new URL(page).port, new URL(fx.stack.endpoints.controlPlane.url).port);
    for (const [method, path] of [
      ['GET', '/admin'],
      ['GET', '/admin/admin-page.js'],
      ['GET', '/admin/session'],
      ['POST', '/admin/session'],
    ] as const) {
      const res = await api(fx.stack, { method, path, ...(method === 'POST' ? { body: { token: fx.stack.endpoints.admin.token } } : {}) });
      assert.equal(res.status, 404, `${method} ${path} on the public listener`);
      assert.equal(res.headers['set-cookie'], undefined);
    }
  });

  test('the page: strict CSP (own origin only, no inline script, Trusted Types), no framing, and no inline script in it', async () => {
    const res = await mgmt('/admin');
    assert.equal(res.status, 200);
    const csp = String(res.headers['content-security-policy']);
    for (const d of [
      "default-src 'none'",
      "script-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "require-trusted-types-for 'script'",
    ])
      assert.ok(csp.includes(d), `${d} in ${csp}`);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    assert.equal(res.headers['x-frame-options'], 'DENY');
    const html = String(res.body);
    assert.deepEqual(
      html.match(/<script[^>]*>/g),
      ['<script type="module" src="/admin/admin-page.js">'],
      'one script, from this origin, nothing inline',
    );
    assert.doesNotMatch(html, /\son[a-z]+=|style=|https?:\/\//, 'no handler or style attributes, no third-party asset');
    const js = await mgmt('/admin/admin-page.js');
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    assert.doesNotMatch(String(js.body), /innerHTML|insertAdjacentHTML|document\.write|eval\(/);
  });

  test('no cookie, a forged cookie: 401 on the session and on every admin route; nothing changes', async () => {
    for (const cookie of [undefined, 'forged-session-id-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'x'.repeat(43)]) {
      assert.equal((await mgmt('/admin/session', { ...(cookie ? { cookie } : {}) })).status, 401);
      assert.equal((await mgmt('/api/agents', { ...(cookie ? { cookie } : {}) })).status, 401);
      assert.equal((await mgmt('/api/admin/network-reports', { ...(cookie ? { cookie } : {}) })).status, 401);
      const create = await mgmt('/api/agents', {
        method: 'POST',
        body: { username: 'mallory', password: 'mallory-pass-1' },
        ...(cookie ? { cookie, csrf: 'guess' } : {}),
      });
      assert.equal(create.status, 401);
    }
    assert.ok(!(await agentNames()).includes('mallory'));
  });

  test('signing in: the admin token in the form gives an HttpOnly SameSite=Strict cookie (not Secure over plain HTTP) holding no token', async () => {
    const { res, cookie, csrf } = await signIn();
    const set = String(([] as string[]).concat(res.headers['set-cookie'] ?? [])[0]);
    assert.match(set, /; HttpOnly/);
    assert.match(set, /; SameSite=Strict/);
    assert.doesNotMatch(set, /Secure/, 'the management listener is plain HTTP');
    assert.ok(!set.includes(fx.stack.endpoints.admin.token));
    assert.notEqual(cookie, csrf);
    const session = await mgmt('/admin/session', { cookie });
    assert.equal(session.status, 200);
    assert.match((session.body as { actor: string }).actor, /^admin#[0-9a-f]{8}$/);
    assert.equal((await mgmt('/api/agents', { cookie })).status, 200, 'the session reads the admin API');
    const audit = (await admin(fx.stack, 'GET', '/api/admin-audit')).body as { actions: AdminAuditEntry[] };
    assert.ok(audit.actions.some((a) => a.action === 'page signed in'));
  });

  test('the session cookie is not a credential on the agents’ listener (no admin route exists there)', async () => {
    const { cookie } = await signIn();
    const res = await api(fx.stack, { path: '/api/agents', headers: { cookie: `${ADMIN_SESSION_COOKIE}=${cookie}` } });
    assert.equal(res.status, 404);
  });

  test('a change needs the session’s CSRF token and the page’s origin: missing, wrong, another session’s, cross-origin → 403, nothing created', async () => {
    const { cookie, csrf } = await signIn();
    const other = await signIn();
    const body = { username: 'eve', password: 'eve-password-1' };
    const attempts: Array<[string, Parameters<typeof mgmt>[1]]> = [
      ['no CSRF header', { cookie }],
      ['a wrong CSRF token', { cookie, csrf: 'A'.repeat(43) }],
      ['another session’s CSRF token', { cookie, csrf: other.csrf }],
      ['a cross-origin POST (Origin of another site)', { cookie, csrf, headers: { origin: 'http://evil.example' } }],
      ['a cross-site fetch (Sec-Fetch-Site)', { cookie, csrf, headers: { 'sec-fetch-site': 'cross-site' } }],
      ['no Origin at all', { cookie, csrf, headers: { origin: '' } }],
    ];
    for (const [what, o] of attempts) {
      const res = await mgmt('/api/agents', { method: 'POST', body, ...o });
      assert.equal(res.status, 403, `${what}: ${JSON.stringify(res.body)}`);
    }
    const patch = await mgmt('/api/agents/ann', { method: 'PATCH', body: { disabled: true }, cookie });
    assert.equal(patch.status, 403, 'disabling without the token');
    assert.ok(!(await agentNames()).includes('eve'));
    const made = await mgmt('/api/agents', { method: 'POST', body, cookie, csrf });
    assert.equal(made.status, 201, 'the same request from the page itself');
    const audit = (await admin(fx.stack, 'GET', '/api/admin-audit')).body as { actions: AdminAuditEntry[] };
    const row = audit.actions.find((a) => a.action === 'agent created' && a.target === 'eve');
    assert.match(row?.actor ?? '', /^admin#[0-9a-f]{8}$/, 'audited as the token that signed in');
    // Sign-in itself refuses another origin (login CSRF).
    const crossLogin = await mgmt('/admin/session', {
      method: 'POST',
      body: { token: fx.stack.endpoints.admin.token },
      headers: { origin: 'http://evil.example' },
    });
    assert.equal(crossLogin.status, 403);
    assert.equal(crossLogin.headers['set-cookie'], undefined);
  });

  test('an agent’s credentials are refused: as the sign-in token, and as Basic on the admin routes', async () => {
    const asToken = await mgmt('/admin/session', { method: 'POST', body: { token: ann.password } });
    assert.equal(asToken.status, 401);
    assert.equal(asToken.headers['set-cookie'], undefined);
    const basic = `Basic ${Buffer.from(`${ann.username}:${ann.password}`).toString('base64')}`;
    for (const path of ['/api/agents', '/api/admin/network-reports', '/api/admin/alerts', '/api/calls'])
      assert.equal((await mgmt(path, { headers: { authorization: basic } })).status, 401, path);
  });

  test('sign-out ends the session: the old cookie is refused afterwards; signing out needs the CSRF token too', async () => {
    const { cookie, csrf } = await signIn();
    assert.equal((await mgmt('/admin/session/end', { method: 'POST', cookie })).status, 403, 'a forged sign-out link');
    const out = await mgmt('/admin/session/end', { method: 'POST', cookie, csrf });
    assert.equal(out.status, 200);
    assert.match(String(([] as string[]).concat(out.headers['set-cookie'] ?? [])[0]), new RegExp(`^${ADMIN_SESSION_COOKIE}=; .*Max-Age=0`));
    assert.equal((await mgmt('/admin/session', { cookie })).status, 401);
    assert.equal((await mgmt('/api/agents', { cookie })).status, 401, 'a replayed cookie after sign-out');
  });

  test('a script-laden network report opened through the session is served escaped under a policy that runs nothing', async () => {
    const sent = await api(fx.stack, {
      method: 'POST',
      path: '/api/network-reports',
      auth: ann,
      body: sampleNetworkReport({ agent: 'ann', summary: `Calls will work ${SCRIPT}` }),
    });
    assert.equal(sent.status, 201);
    const { id } = sent.body as { id: string };
    const { cookie } = await signIn();
    const list = await mgmt('/api/admin/network-reports', { cookie });
    assert.match(String(list.headers['content-type']), /^application\/json/);
    const html = await mgmt(`/api/admin/network-reports/${id}?format=html`, { cookie });
    assert.equal(html.status, 200);
    assert.match(String(html.headers['content-security-policy']), /default-src 'none'/);
    assert.doesNotMatch(String(html.body), /<script|<img src=x/i);
    assert.ok(String(html.body).includes('&lt;script&gt;alert(document.cookie)&lt;/script&gt;'));
  });

  test('brute force on the sign-in: locked out after the limit from that address (even the right token); the admin elsewhere signs in', async () => {
    const attacker = '127.0.0.66';
    for (let i = 0; i < DEFAULT_LIMITER_POLICY.pairMaxFailures; i++) {
      const res = await mgmt('/admin/session', { method: 'POST', body: { token: `guess-${i}-aaaaaaaaaaaaaaaa` }, from: attacker });
      assert.equal(res.status, 401, `guess ${i}`);
    }
    const locked = await mgmt('/admin/session', { method: 'POST', body: { token: fx.stack.endpoints.admin.token }, from: attacker });
    assert.equal(locked.status, 429, 'the right token from a locked address');
    assert.ok(Number(locked.headers['retry-after']) > 0);
    assert.equal(locked.headers['set-cookie'], undefined);
    await signIn(); // from the OS's own source address
  });

  test('rotating the admin token ends the page sessions made with the old one', async () => {
    const { cookie } = await signIn();
    const rotated = await admin(fx.stack, 'POST', '/api/admin/token/rotate');
    assert.equal(rotated.status, 200);
    const res = await mgmt('/api/agents', { cookie });
    assert.equal(res.status, 401);
    assert.match((res.body as { error: string }).error, /rotated/);
  });
});
