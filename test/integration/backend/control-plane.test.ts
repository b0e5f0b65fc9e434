/**
 * The control plane's HTTP API on a real SQLite file (fastify inject: no socket needed):
 * provisioning, Basic/Bearer auth, CORS, the internal audit feed, static files with CSP, and
 * durability across a close/reopen of the database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { markViaManagementListener } from '../../../backend/control-plane/listeners.js';
import { buildControlPlane, MAX_BODY_BYTES } from '../../../backend/control-plane/server.js';
import { DatabaseUnavailableError, openSqlite, type Db } from '../../../backend/control-plane/db.js';
import { migrate } from '../../../backend/control-plane/schema.js';
import { AgentStore } from '../../../backend/control-plane/agents.js';
import { AuditStore } from '../../../backend/control-plane/audit-store.js';
import type { ControlPlaneConfig } from '../../../backend/control-plane/config.js';
import { ClientConfigSchema, TurnCredentialsSchema } from '../../../common/provisioning-api.js';

const ADMIN = 'admin-token-0123456789abcdef';
const INTERNAL = 'internal-token-0123456789abcdef';

describe('control plane HTTP API', { timeout: 30_000 }, () => {
  let dir: string;
  let dbFile: string;
  let db: Db;
  let app: FastifyInstance;
  let config: ControlPlaneConfig;

  /** Usernames the API asked Kamailio to revoke. */
  const dropped: string[] = [];
  const open = async () => {
    db = openSqlite(dbFile);
    await migrate(db);
    app = buildControlPlane({
      config,
      db,
      agents: new AgentStore(db, 'clearline'),
      audit: new AuditStore(db),
      now: () => 1_800_000_000_000,
      revoke: async (username) => (dropped.push(username), []),
      log: () => {},
    });
    // As the management listener would (app.inject has no socket): admin routes answer only there.
    app.addHook('onRequest', async (req) => markViaManagementListener(req.raw));
    await app.ready();
  };
  const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
  /** The admin token in force: the rotation test replaces it, and the restart test then proves the rotation persisted. */
  let admin = { authorization: `Bearer ${ADMIN}` };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clearline-cp-'));
    dbFile = join(dir, 'cp.db');
    mkdirSync(join(dir, 'web/assets'), { recursive: true });
    writeFileSync(join(dir, 'web/index.html'), '<!doctype html><title>softphone</title>');
    writeFileSync(join(dir, 'web/assets/app.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'outside the web root');
    config = {
      listen: '127.0.0.1',
      port: 0,
      dbUrl: `sqlite://${dbFile}`,
      realm: 'clearline',
      adminToken: ADMIN,
      internalToken: INTERNAL,
      turn: { secret: 'turn-secret-0123456789', ttlSec: 600, uris: ['turn:127.0.0.1:3478?transport=udp'] },
      client: {
        wsUrl: 'ws://127.0.0.1:20001',
        domain: '127.0.0.1',
        registerExpiresSec: 300,
        numbers: { echo: '5550100' },
        mediaTimeoutSeconds: 45,
      },
      publicUrl: 'http://127.0.0.1:20010',
      wsUrls: ['ws://127.0.0.1:20001'],
      corsOrigins: ['http://127.0.0.1:20010', 'app://clearline'],
      webRoot: join(dir, 'web'),
      demoAgents: [],
    };
    await open();
  });
  after(async () => {
    await app?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('admin provisions an agent; the agent signs in with Basic and gets config + TURN credentials', async () => {
    assert.equal(
      (await app.inject({ method: 'POST', url: '/api/agents', payload: { username: 'dave', password: 'dave-password' } })).statusCode,
      401,
    );
    const bad = await app.inject({ method: 'POST', url: '/api/agents', headers: admin, payload: { username: 'Dave!', password: 'x' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error, /username must be/);
    const created = await app.inject({
      method: 'POST',
      url: '/api/agents',
      headers: admin,
      payload: { username: 'dave', password: 'dave-password', displayName: 'Dave D' },
    });
    assert.equal(created.statusCode, 201);
    const row = await db.get<{ ha1: string }>('SELECT ha1 FROM agents WHERE username = ?', ['dave']);
    assert.match(row!.ha1, /^[0-9a-f]{32}$/);
    assert.ok(!JSON.stringify(await db.all('SELECT * FROM agents')).includes('dave-password'), 'no plaintext password stored');

    const cfg = await app.inject({ url: '/api/client-config', headers: basic('dave', 'dave-password') });
    assert.equal(cfg.statusCode, 200);
    const parsed = ClientConfigSchema.parse(cfg.json());
    assert.deepEqual(parsed.agent, { username: 'dave', displayName: 'Dave D' });
    // The quality thresholds the agent's client warns at: the operator's, or the defaults.
    assert.deepEqual(parsed.quality, { rttMs: 400, jitterMs: 30, lossPercent: 1, mos: 3.5 });
    // The server's media timeout, so the softphone ends a dead call itself too.
    assert.deepEqual(parsed.call, { mediaTimeoutSeconds: 45 });
    const turn = TurnCredentialsSchema.parse(
      (await app.inject({ url: '/api/turn-credentials', headers: basic('dave', 'dave-password') })).json(),
    );
    assert.equal(turn.username, `${1_800_000_000 + 600}:dave`);

    for (const headers of [basic('dave', 'wrong'), basic('nobody', 'dave-password'), {}]) {
      const r = await app.inject({ url: '/api/client-config', headers });
      assert.equal(r.statusCode, 401);
      assert.match(String(r.headers['www-authenticate']), /^Basic realm="clearline"/);
    }
    const list = await app.inject({ url: '/api/agents', headers: admin });
    assert.deepEqual(
      list.json().agents.map((a: { username: string }) => a.username),
      ['dave'],
    );
  });

  test('CORS: the softphone origin and app:// get allow headers; other origins do not', async () => {
    const pre = await app.inject({
      method: 'OPTIONS',
      url: '/api/client-config',
      headers: { origin: 'app://clearline', 'access-control-request-method': 'GET' },
    });
    assert.equal(pre.statusCode, 204);
    assert.equal(pre.headers['access-control-allow-origin'], 'app://clearline');
    assert.match(String(pre.headers['access-control-allow-headers']), /Authorization/);
    const evil = await app.inject({ url: '/healthz', headers: { origin: 'http://evil.example' } });
    assert.equal(evil.headers['access-control-allow-origin'], undefined);
  });

  test('internal audit feed: wrong token 403; events become audit rows and call records, each stored once', async () => {
    const ev = {
      eventId: 'ev-1',
      at: '1700000000.250000',
      method: 'INVITE',
      code: 0,
      outcome: 'received',
      callId: 'cp-1',
      from: 'sip:dave@x',
      to: 'sip:bob@x',
      inDialog: 0,
    };
    const busy = { ...ev, eventId: 'ev-2', at: '1700000003.750999', code: 486, outcome: 'Busy Here' };
    const post = (payload: object) => app.inject({ method: 'POST', url: '/internal/sip-events', payload });
    assert.equal((await post({ ...ev, token: 'nope' })).statusCode, 403);
    assert.equal((await post({ ...ev, token: INTERNAL, at: 'yesterday' })).statusCode, 403, 'a malformed time is refused');
    assert.deepEqual((await post({ ...ev, token: INTERNAL })).json(), { stored: true, duplicate: false });
    assert.deepEqual((await post({ ...busy, token: INTERNAL })).json(), { stored: true, duplicate: false });
    // Kamailio re-delivers an event whose 200 it did not see: acknowledged, not stored again.
    assert.deepEqual((await post({ ...ev, token: INTERNAL })).json(), { stored: true, duplicate: true });
    assert.deepEqual((await post({ ...busy, token: INTERNAL })).json(), { stored: true, duplicate: true });
    assert.equal((await app.inject({ url: '/api/audit' })).statusCode, 401);
    const audit = (await app.inject({ url: '/api/audit?callId=cp-1', headers: admin })).json();
    assert.deepEqual(
      audit.events.map((e: { code: number; at: number }) => [e.code, e.at]),
      [
        [0, 1700000000250],
        [486, 1700000003750],
      ],
    );
    const calls = (await app.inject({ url: '/api/calls', headers: admin })).json();
    const call = calls.calls.filter((c: { callId: string }) => c.callId === 'cp-1');
    assert.equal(call.length, 1);
    assert.equal(call[0].disposition, 'busy');
    assert.equal(call[0].startedAt, 1700000000250, "the call's times are Kamailio's, not the delivery's");
    assert.equal(call[0].endedAt, 1700000003750);
    // Filtered by Call-ID on the server: that call alone, and nothing for an unknown one.
    const byId = (await app.inject({ url: '/api/calls?callId=cp-1', headers: admin })).json() as { calls: Array<{ callId: string }> };
    assert.deepEqual(
      byId.calls.map((c) => c.callId),
      ['cp-1'],
    );
    assert.deepEqual((await app.inject({ url: '/api/calls?callId=no-such-call', headers: admin })).json(), { calls: [] });
  });

  test('static files: index + assets with the strict CSP; no path escapes the web root', async () => {
    const index = await app.inject({ url: '/' });
    assert.equal(index.statusCode, 200);
    assert.match(index.body, /softphone/);
    const csp = String(index.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /connect-src 'self' http:\/\/127\.0\.0\.1:20001 ws:\/\/127\.0\.0\.1:20001;/);
    assert.match(csp, /style-src 'self';/);
    assert.match(csp, /frame-ancestors 'none'/);
    const js = await app.inject({ url: '/assets/app.js' });
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const r = await app.inject({ url });
      assert.ok(!r.body.includes('outside the web root'), `${url} must not escape`);
    }
    assert.equal((await app.inject({ url: '/%E0%A4%A' })).statusCode, 400);
  });

  test('repeated wrong passwords lock that username from that address (429), even with the right one', async () => {
    await app.inject({ method: 'POST', url: '/api/agents', headers: admin, payload: { username: 'erin', password: 'erin-password' } });
    for (let i = 0; i < 10; i++)
      assert.equal((await app.inject({ url: '/api/client-config', headers: basic('erin', `guess-${i}`) })).statusCode, 401);
    const locked = await app.inject({ url: '/api/client-config', headers: basic('erin', 'erin-password') });
    assert.equal(locked.statusCode, 429);
    assert.ok(Number(locked.headers['retry-after']) > 0);
    assert.deepEqual(locked.json(), { error: `locked, retry after ${locked.headers['retry-after']} s` });
    assert.equal(
      (await app.inject({ url: '/api/client-config', headers: basic('dave', 'dave-password') })).statusCode,
      200,
      'other agents unaffected',
    );
  });

  test('admin changes and revokes an agent: validated PATCH, disable → 403 and no TURN, registrations dropped, DELETE', async () => {
    await app.inject({ method: 'POST', url: '/api/agents', headers: admin, payload: { username: 'fay', password: 'fay-password' } });
    const patch = (payload: object, who = 'fay') => app.inject({ method: 'PATCH', url: `/api/agents/${who}`, headers: admin, payload });
    const bad = await patch({ maxCalls: -1, allowedDestinations: ['mars'], colour: 'red' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error, /unknown destination class "mars"; use internal, national, international, premium/);
    assert.match(bad.json().error, /maxCalls/);
    assert.match((await patch({})).json().error, /nothing to change; give one of displayName, password, disabled/);
    assert.match((await patch({ password: 'short' })).json().error, /password must be at least 8 characters/);
    assert.equal((await patch({ disabled: true }, 'nobody')).statusCode, 404);
    assert.equal((await app.inject({ method: 'PATCH', url: '/api/agents/fay', payload: { disabled: true } })).statusCode, 401);

    const changed = await patch({ displayName: 'Fay F', allowedDestinations: ['internal', 'premium', 'internal'], maxCalls: 4, maxCps: 2 });
    assert.equal(changed.statusCode, 200);
    assert.deepEqual(
      [
        changed.json().agent.displayName,
        changed.json().agent.allowedDestinations,
        changed.json().agent.maxCalls,
        changed.json().agent.maxCps,
      ],
      ['Fay F', ['internal', 'premium'], 4, 2],
    );
    assert.deepEqual(dropped, [], 'a policy change leaves registrations alone');

    const disabled = await patch({ disabled: true });
    assert.equal(disabled.json().agent.disabled, true);
    assert.deepEqual(disabled.json().kamailio, { registrationsDropped: true, callsEnded: 0 });
    assert.deepEqual(dropped, ['fay']);
    for (const url of ['/api/client-config', '/api/turn-credentials']) {
      const r = await app.inject({ url, headers: basic('fay', 'fay-password') });
      assert.deepEqual([r.statusCode, r.json()], [403, { error: 'account disabled' }], url);
    }
    assert.equal(
      (await app.inject({ url: '/api/client-config', headers: basic('fay', 'wrong-password') })).statusCode,
      401,
      'a wrong password learns nothing more',
    );

    await patch({ disabled: false, password: 'fay-new-password' });
    assert.deepEqual(dropped, ['fay', 'fay'], 'a password reset drops the sessions of the old password');
    assert.equal((await app.inject({ url: '/api/turn-credentials', headers: basic('fay', 'fay-new-password') })).statusCode, 200);
    assert.equal((await app.inject({ url: '/api/turn-credentials', headers: basic('fay', 'fay-password') })).statusCode, 401);

    const del = await app.inject({ method: 'DELETE', url: '/api/agents/fay', headers: admin });
    assert.deepEqual(del.json(), { deleted: 'fay', kamailio: { registrationsDropped: true, callsEnded: 0 } });
    assert.equal((await app.inject({ method: 'DELETE', url: '/api/agents/fay', headers: admin })).statusCode, 404);
    assert.equal((await app.inject({ url: '/api/client-config', headers: basic('fay', 'fay-new-password') })).statusCode, 401);
  });

  test('admin audit: who (token fingerprint), what (field names), target and source address of each change; never a secret', async () => {
    const { actions } = (await app.inject({ url: '/api/admin-audit', headers: admin })).json() as {
      actions: Array<Record<string, unknown>>;
    };
    const fay = actions.filter((a) => a.target === 'fay').map((a) => [a.action, a.detail]);
    assert.deepEqual(fay, [
      ['agent created', 'password, username'],
      ['agent changed', 'allowedDestinations, displayName, maxCalls, maxCps'],
      ['agent disabled', 'disabled'],
      ['agent enabled', 'disabled, password'],
      ['agent deleted', null],
    ]);
    assert.ok(actions.every((a) => /^admin#[0-9a-f]{8}$/.test(String(a.actor)) && a.sourceAddress === '127.0.0.1'));
    const everything = JSON.stringify(await db.all('SELECT * FROM admin_audit'));
    for (const secret of [ADMIN, 'fay-password', 'fay-new-password'])
      assert.ok(!everything.includes(secret), 'no secret in the admin audit');
    assert.equal((await app.inject({ url: '/api/admin-audit', headers: basic('dave', 'dave-password') })).statusCode, 401, 'admins only');
  });

  test('oversized and reused SIP identifiers still get their record: fields truncated, a reused Call-ID its own call', async () => {
    const post = (payload: object) => app.inject({ method: 'POST', url: '/internal/sip-events', payload: { token: INTERNAL, ...payload } });
    const long = (n: number) => 'x'.repeat(n);
    const invite = {
      at: '1700000100.000000',
      method: 'INVITE',
      code: 0,
      outcome: long(300),
      callId: `reused-${long(400)}`,
      from: `sip:${long(900)}@x`,
      to: `sip:${long(700)}@y`,
      target: long(200),
      inDialog: 0,
    };
    assert.equal((await post({ ...invite, eventId: 'big-1', fromTag: 'tag-a' })).statusCode, 200);
    assert.equal((await post({ ...invite, eventId: 'big-2', fromTag: 'tag-b', at: '1700000200.000000' })).statusCode, 200);
    assert.equal(
      (await post({ ...invite, eventId: 'big-3', fromTag: 'tag-b', method: 'BYE', inDialog: 1, at: '1700000210.000000' })).statusCode,
      200,
    );
    const { calls } = (await app.inject({ url: '/api/calls', headers: admin })).json() as {
      calls: Array<{ callId: string; fromTag: string; from: string; to: string; endedAt: number | null }>;
    };
    const reused = calls.filter((c) => c.callId.startsWith('reused-'));
    assert.deepEqual(
      reused.map((c) => [c.fromTag, c.callId.length, c.from.length, c.to.length, c.endedAt]),
      [
        ['tag-a', 256, 512, 512, null],
        ['tag-b', 256, 512, 512, 1700000210000],
      ],
    );
    const { events } = (await app.inject({ url: '/api/audit?since=1700000100000&limit=3', headers: admin })).json() as {
      events: Array<{ outcome: string; target: string }>;
    };
    assert.deepEqual([events[0]!.outcome.length, events[0]!.target.length], [128, 128]);
  });

  test('bodies over the size limit are refused with 413 on every route, before anything is parsed', async () => {
    const big = JSON.stringify({ username: 'gil', password: 'x'.repeat(MAX_BODY_BYTES) });
    for (const [method, url] of [
      ['POST', '/api/agents'],
      ['PATCH', '/api/agents/dave'],
      ['POST', '/internal/sip-events'],
    ] as const) {
      const r = await app.inject({ method, url, headers: { ...admin, 'content-type': 'application/json' }, payload: big });
      assert.equal(r.statusCode, 413, `${method} ${url}`);
    }
    assert.equal((await app.inject({ url: '/api/agents/gil', headers: admin, method: 'DELETE' })).statusCode, 404, 'nothing was created');
  });

  test("a database outage while creating an agent is a 503, not the admin's bad input", async () => {
    const down: Db = {
      ...db,
      get: async () => Promise.reject(new DatabaseUnavailableError(new Error('SQLITE_BUSY'))),
      transaction: async () => Promise.reject(new DatabaseUnavailableError(new Error('SQLITE_BUSY'))),
    };
    const outage = buildControlPlane({ config, db, agents: new AgentStore(down, 'clearline'), audit: new AuditStore(db), log: () => {} });
    outage.addHook('onRequest', async (req) => markViaManagementListener(req.raw));
    const r = await outage.inject({
      method: 'POST',
      url: '/api/agents',
      headers: admin,
      payload: { username: 'hal', password: 'hal-password' },
    });
    assert.deepEqual([r.statusCode, r.json().message], [503, 'database unavailable; retry shortly']);
    await outage.close();
  });

  test('admin token rotation: the new token is returned once, the old one stops at once, only a hash is stored', async () => {
    const rotated = await app.inject({ method: 'POST', url: '/api/admin/token/rotate', headers: admin });
    assert.equal(rotated.statusCode, 200);
    const fresh = rotated.json().token as string;
    assert.match(fresh, /^[A-Za-z0-9_-]{43}$/);
    assert.equal((await app.inject({ url: '/api/agents', headers: admin })).statusCode, 401, 'the old token is refused');
    const next = { authorization: `Bearer ${fresh}` };
    assert.equal((await app.inject({ url: '/api/agents', headers: next })).statusCode, 200);
    const stored = JSON.stringify(await db.all('SELECT * FROM admin_token'));
    assert.ok(!stored.includes(fresh) && !stored.includes(ADMIN), 'neither token is stored, only a hash');
    const { actions } = (await app.inject({ url: '/api/admin-audit', headers: next })).json() as {
      actions: Array<{ action: string; actor: string }>;
    };
    const rotation = actions.find((a) => a.action === 'token rotated');
    assert.ok(rotation, 'the rotation is audited');
    assert.ok(!JSON.stringify(actions).includes(fresh));
    admin = next;
  });

  test('nothing acknowledged is lost across a restart (close + reopen the database)', async () => {
    const before = (await app.inject({ url: '/api/audit', headers: admin })).json();
    await app.close();
    await db.close();
    await open();
    const afterRestart = (await app.inject({ url: '/api/audit', headers: admin })).json();
    assert.equal(
      (await app.inject({ url: '/api/audit', headers: { authorization: `Bearer ${ADMIN}` } })).statusCode,
      401,
      'the configured token stays retired',
    );
    assert.deepEqual(afterRestart, before);
    assert.ok(before.events.length >= 2);
  });
});
