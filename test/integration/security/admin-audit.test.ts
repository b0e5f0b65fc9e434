/**
 * Holes 7 and 9, admin side, against the real stack: every admin change is audited (who — the
 * token's fingerprint, never the token —, what, which agent, when, from which address); the admin
 * token rotates (the new one is shown once, the old one stops at once, neither is stored or
 * logged); oversized request bodies are refused before they cost memory.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestStack } from '../backend/support/stack-fixture.js';
import { api, type ApiAnswer } from './support/control-plane-http.js';
import { MAX_BODY_BYTES } from '../../../backend/control-plane/server.js';
import type { AdminAuditEntry } from '../../../backend/control-plane/admin-audit.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';

const PORT_BASE = TEST_PORT_BASES.securityApi;
/** The admin's workstation: a loopback address of its own, so the audit's source address is checkable. */
const ADMIN_HOST = '127.0.0.7';

describe('admin actions are audited; the admin token rotates', { timeout: 180_000 }, () => {
  let fx: Awaited<ReturnType<typeof startTestStack>>;
  let token: string;
  const asAdmin = (method: string, path: string, body?: unknown, bearer = token): Promise<ApiAnswer> =>
    api(fx.stack, {
      method,
      path,
      base: fx.stack.endpoints.admin.apiUrl,
      auth: { bearer },
      from: ADMIN_HOST,
      ...(body !== undefined ? { body } : {}),
    });
  const secrets: string[] = [];

  before(async () => {
    fx = await startTestStack(PORT_BASE);
    token = fx.stack.endpoints.admin.token;
    secrets.push(token);
  });
  after(async () => {
    await fx?.dispose();
  });

  test('create, change, disable, enable, reset, delete: one audit row each, naming fields and never a password', async () => {
    secrets.push('ida-password-1', 'ida-password-2');
    assert.equal((await asAdmin('POST', '/api/agents', { username: 'ida', password: 'ida-password-1', maxCalls: 1 })).status, 201);
    assert.equal((await asAdmin('PATCH', '/api/agents/ida', { allowedDestinations: ['internal'], displayName: 'Ida I' })).status, 200);
    assert.equal((await asAdmin('PATCH', '/api/agents/ida', { disabled: true })).status, 200);
    assert.equal((await asAdmin('PATCH', '/api/agents/ida', { disabled: false })).status, 200);
    assert.equal((await asAdmin('PATCH', '/api/agents/ida', { password: 'ida-password-2' })).status, 200);
    assert.equal((await asAdmin('DELETE', '/api/agents/ida')).status, 200);
    // Refused changes change nothing and are not audited.
    assert.equal((await asAdmin('PATCH', '/api/agents/ida', { disabled: true })).status, 404);
    const bad = await asAdmin('PATCH', '/api/agents/nobody', { maxCps: 0 });
    assert.equal(bad.status, 400);
    assert.match((bad.body as { error: string }).error, /maxCps: /);

    const res = await asAdmin('GET', '/api/admin-audit');
    const { actions } = res.body as { actions: AdminAuditEntry[] };
    assert.deepEqual(
      actions.filter((a) => a.target === 'ida').map((a) => [a.action, a.detail]),
      [
        ['agent created', 'maxCalls, password, username'],
        ['agent changed', 'allowedDestinations, displayName'],
        ['agent disabled', 'disabled'],
        ['agent enabled', 'disabled'],
        ['password reset', 'password'],
        ['agent deleted', null],
      ],
    );
    for (const a of actions) {
      assert.match(a.actor, /^admin#[0-9a-f]{8}$/);
      assert.equal(a.sourceAddress, ADMIN_HOST);
      assert.ok(Math.abs(a.at - Date.now()) < 60_000, 'when: the time of the action');
    }
  });

  test('the admin audit is for admins only', async () => {
    assert.equal((await asAdmin('POST', '/api/agents', { username: 'jay', password: 'jay-password-1' })).status, 201);
    secrets.push('jay-password-1');
    assert.equal(
      (
        await api(fx.stack, {
          path: '/api/admin-audit',
          base: fx.stack.endpoints.admin.apiUrl,
          auth: { username: 'jay', password: 'jay-password-1' },
        })
      ).status,
      401,
    );
    assert.equal((await api(fx.stack, { path: '/api/admin-audit', base: fx.stack.endpoints.admin.apiUrl })).status, 401);
  });

  test('rotation: the new token once, the old one refused at once everywhere, the rotation audited under the old fingerprint', async () => {
    const old = token;
    const before = ((await asAdmin('GET', '/api/admin-audit')).body as { actions: AdminAuditEntry[] }).actions;
    const rotated = await asAdmin('POST', '/api/admin/token/rotate');
    assert.equal(rotated.status, 200);
    token = (rotated.body as { token: string }).token;
    secrets.push(token);
    assert.notEqual(token, old);
    for (const path of ['/api/agents', '/api/admin-audit', '/api/audit', '/api/calls']) {
      assert.equal((await asAdmin('GET', path, undefined, old)).status, 401, `old token on ${path}`);
      assert.equal((await asAdmin('GET', path)).status, 200, `new token on ${path}`);
    }
    assert.equal((await asAdmin('POST', '/api/admin/token/rotate', undefined, old)).status, 401, 'the old token cannot rotate again');
    const { actions } = (await asAdmin('GET', '/api/admin-audit')).body as { actions: AdminAuditEntry[] };
    const rotation = actions.at(-1)!;
    assert.deepEqual([rotation.action, rotation.actor], ['token rotated', before[0]!.actor]);
    assert.equal((await asAdmin('POST', '/api/agents', { username: 'kim', password: 'kim-password-1' })).status, 201);
    assert.notEqual(
      ((await asAdmin('GET', '/api/admin-audit')).body as { actions: AdminAuditEntry[] }).actions.at(-1)!.actor,
      rotation.actor,
      'the new token has its own fingerprint',
    );
    secrets.push('kim-password-1');
  });

  test('bodies over the limit are refused with 413 on admin, agent and internal routes', async () => {
    const big = JSON.stringify({ username: 'lee', password: 'p'.repeat(MAX_BODY_BYTES) });
    for (const [method, path] of [
      ['POST', '/api/agents'],
      ['PATCH', '/api/agents/jay'],
      ['POST', '/internal/sip-events'],
    ] as const) {
      assert.equal((await asAdmin(method, path, big)).status, 413, `${method} ${path}`);
    }
    assert.equal((await asAdmin('GET', '/api/agents')).status, 200, 'the control plane still serves');
  });

  test('no admin token or agent password is in the database dumps the API serves or in any log', async () => {
    const served = JSON.stringify([
      (await asAdmin('GET', '/api/admin-audit')).body,
      (await asAdmin('GET', '/api/agents')).body,
      (await asAdmin('GET', '/api/audit')).body,
    ]);
    const logDir = fx.stack.logDir;
    const logs = readdirSync(logDir, { withFileTypes: true })
      .filter((f) => f.isFile())
      .map((f) => readFileSync(join(logDir, f.name), 'utf8'));
    for (const secret of secrets.slice(1)) {
      assert.ok(!served.includes(secret), 'not served by the API');
      assert.ok(!logs.some((l) => l.includes(secret)) && !fx.logs.some((l) => l.includes(secret)), 'not logged');
    }
    // The configured token is in endpoints.json for the operator, but never in a log.
    assert.ok(!logs.some((l) => l.includes(secrets[0]!)), 'the configured admin token is not logged');
  });
});
