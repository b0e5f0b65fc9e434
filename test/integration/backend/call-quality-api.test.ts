/**
 * Quality summaries from the agents' clients (`POST /api/call-quality`) on a real SQLite file
 * (fastify inject): an agent stores summaries of its own calls only — another agent's Call-ID is
 * refused and nothing is stored — within a size and rate limit; only the admin reads them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { markViaManagementListener } from '../../../backend/control-plane/listeners.js';
import { buildControlPlane } from '../../../backend/control-plane/server.js';
import { openSqlite, type Db } from '../../../backend/control-plane/db.js';
import { migrate } from '../../../backend/control-plane/schema.js';
import { AgentStore } from '../../../backend/control-plane/agents.js';
import { AuditStore } from '../../../backend/control-plane/audit-store.js';
import { CALL_QUALITY_UPLOAD_POLICY } from '../../../backend/control-plane/call-quality-api.js';
import { ACTIVE_REPORT_STALE_MS } from '../../../backend/control-plane/call-quality-store.js';
import type { CallQualityReport } from '../../../common/quality/call-quality-report.js';

const ADMIN = 'admin-token-0123456789abcdef';

describe('call quality reports', { timeout: 30_000 }, () => {
  let dir: string;
  let db: Db;
  let app: FastifyInstance;
  let clock = 1_800_000_000_000;
  const basic = (u: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${u}-password`).toString('base64')}` });
  const admin = { authorization: `Bearer ${ADMIN}` };
  const report = (callId: string, o: Partial<CallQualityReport> = {}): CallQualityReport => ({
    callId,
    final: false,
    codec: 'opus/48000',
    samples: 12,
    mosLatest: 3.1,
    mosAverage: 4.0,
    mosMin: 2.9,
    lossPercentAverage: 2.5,
    lossPercentMax: 20,
    rttMsAverage: 3,
    jitterMsAverage: 4,
    warnings: ['loss'],
    oneWay: null,
    ...o,
  });
  const post = (agent: string, body: unknown) =>
    app.inject({ method: 'POST', url: '/api/call-quality', headers: basic(agent), payload: body as object });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clearline-cq-'));
    db = openSqlite(join(dir, 'cp.db'));
    await migrate(db);
    const agents = new AgentStore(db, 'clearline');
    for (const name of ['alice', 'bob', 'carol']) await agents.upsert(name, `${name}-password`, name);
    // Two call records as Kamailio's audit feed writes them: alice → bob, and bob → a number.
    await db.run(
      "INSERT INTO calls (call_id, from_tag, from_uri, to_uri, started_at, disposition) VALUES ('ab-call', 't1', 'sip:alice@127.0.0.1', 'sip:bob@127.0.0.1', ?, 'answered')",
      [clock],
    );
    await db.run(
      "INSERT INTO calls (call_id, from_tag, from_uri, to_uri, started_at, disposition) VALUES ('bob-pstn', 't2', 'sip:bob@127.0.0.1', 'sip:5550101@127.0.0.1', ?, 'answered')",
      [clock],
    );
    app = buildControlPlane({
      config: {
        listen: '127.0.0.1',
        port: 0,
        dbUrl: 'sqlite://x',
        realm: 'clearline',
        adminToken: ADMIN,
        internalToken: 'internal-token-0123456789abcdef',
        turn: { secret: 'turn-secret-0123456789', ttlSec: 600, uris: ['turn:127.0.0.1:3478'] },
        client: { wsUrl: 'ws://127.0.0.1:1', domain: '127.0.0.1', registerExpiresSec: 300, numbers: {} },
        publicUrl: 'http://127.0.0.1:1',
        wsUrls: [],
        corsOrigins: [],
        webRoot: join(dir, 'web'),
        demoAgents: [],
      },
      db,
      agents,
      audit: new AuditStore(db),
      now: () => clock,
      revoke: async () => [],
      log: () => {},
    });
    // As the management listener would (app.inject has no socket): admin routes answer only there.
    app.addHook('onRequest', async (req) => markViaManagementListener(req.raw));
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('caller and callee each store their summary of their call; a later report replaces the earlier', async () => {
    assert.equal((await post('alice', report('ab-call'))).statusCode, 200);
    assert.equal((await post('bob', report('ab-call', { mosLatest: 4.4, warnings: [] }))).statusCode, 200);
    clock += 5_000;
    assert.equal((await post('alice', report('ab-call', { final: true, mosLatest: 4.3, warnings: [] }))).statusCode, 200);
    const listed = await app.inject({ url: '/api/admin/call-quality?callId=ab-call', headers: admin });
    assert.equal(listed.statusCode, 200);
    const rows = listed.json().reports as Array<CallQualityReport & { agent: string; updatedAt: number }>;
    assert.deepEqual(
      rows.map((r) => [r.agent, r.final, r.mosLatest, r.updatedAt]),
      [
        ['alice', true, 4.3, clock],
        ['bob', false, 4.4, clock - 5_000],
      ],
    );
  });

  test('attack: an agent reporting on another agent’s call is refused and nothing is stored', async () => {
    const foreign = await post('carol', report('ab-call', { mosLatest: 1 }));
    assert.equal(foreign.statusCode, 403);
    assert.match(foreign.json().error, /only report on your own calls/);
    const alienPstn = await post('alice', report('bob-pstn'));
    assert.equal(alienPstn.statusCode, 403, "alice is no party to bob's PSTN call");
    assert.equal((await post('carol', report('no-such-call'))).statusCode, 403, 'an unknown Call-ID gets the same answer');
    const stored = await db.all<{ agent: string }>("SELECT agent FROM call_quality WHERE agent = 'carol' OR call_id = 'bob-pstn'");
    assert.deepEqual(stored, []);
    // Legitimate use still works: bob reports on his PSTN call.
    assert.equal((await post('bob', report('bob-pstn'))).statusCode, 200);
  });

  test('no or wrong credentials: 401; invalid report: 400 naming the fields; over 4 KiB: 413', async () => {
    assert.equal((await app.inject({ method: 'POST', url: '/api/call-quality', payload: report('ab-call') })).statusCode, 401);
    const wrong = { authorization: `Basic ${Buffer.from('alice:nope').toString('base64')}` };
    assert.equal(
      (await app.inject({ method: 'POST', url: '/api/call-quality', headers: wrong, payload: report('ab-call') })).statusCode,
      401,
    );
    const bad = await post('alice', { ...report('ab-call'), mosLatest: 0.2, extra: 1 });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error, /mosLatest/);
    const huge = await post('alice', { ...report('ab-call'), codec: 'x'.repeat(5000) });
    assert.equal(huge.statusCode, 413);
  });

  test(`rate: more than ${CALL_QUALITY_UPLOAD_POLICY.max} reports a minute from one agent → 429 with Retry-After`, async () => {
    clock += 120_000;
    let last = null;
    for (let i = 0; i <= CALL_QUALITY_UPLOAD_POLICY.max; i++) last = await post('bob', report('ab-call'));
    assert.equal(last!.statusCode, 429);
    assert.ok(Number(last!.headers['retry-after']) >= 1);
    assert.equal((await post('alice', report('ab-call'))).statusCode, 200, 'another agent is not affected');
  });

  test('active=true: the calls in progress with their live MOS — not final, not stale, call record not ended', async () => {
    clock += 120_000;
    const call = (id: string, endedAt: number | null) =>
      db.run(
        "INSERT INTO calls (call_id, from_tag, from_uri, to_uri, started_at, ended_at, disposition) VALUES (?, 't', 'sip:alice@127.0.0.1', 'sip:5550100@127.0.0.1', ?, ?, 'answered')",
        [id, clock, endedAt],
      );
    await call('live', null);
    await call('hung-up-no-final', null);
    await call('gone-client', null);
    await call('finished', null);
    assert.equal((await post('alice', report('gone-client', { mosLatest: 4.1 }))).statusCode, 200);
    clock += ACTIVE_REPORT_STALE_MS + 1;
    for (const id of ['live', 'hung-up-no-final', 'finished'])
      assert.equal((await post('alice', report(id, { mosLatest: 2.2 }))).statusCode, 200);
    assert.equal((await post('alice', report('finished', { final: true, mosLatest: 2.1 }))).statusCode, 200);
    // Kamailio relayed the BYE; the client's final summary never came.
    await db.run("UPDATE calls SET ended_at = ? WHERE call_id = 'hung-up-no-final'", [clock]);
    const active = await app.inject({ url: '/api/admin/call-quality?active=true', headers: admin });
    assert.equal(active.statusCode, 200);
    const rows = active.json().reports as Array<CallQualityReport & { agent: string }>;
    assert.deepEqual(
      rows.map((r) => [r.callId, r.agent, r.mosLatest]),
      [['live', 'alice', 2.2]],
    );
    const all = await app.inject({ url: `/api/admin/call-quality?since=${clock - ACTIVE_REPORT_STALE_MS - 1}`, headers: admin });
    assert.equal(all.json().reports.length, 4, 'without active=true the ended and stale ones are listed too');
    assert.equal((await app.inject({ url: '/api/admin/call-quality?active=yes', headers: admin })).statusCode, 400);
  });

  test('only the admin reads the summaries', async () => {
    assert.equal((await app.inject({ url: '/api/admin/call-quality', headers: basic('alice') })).statusCode, 401);
    assert.equal((await app.inject({ url: '/api/admin/call-quality' })).statusCode, 401);
  });
});
