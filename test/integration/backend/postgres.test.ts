/**
 * The same schema and stores on a real PostgreSQL 15 (a private instance in a temp dir), and the
 * whole stack pointed at it with --db postgres://…: Kamailio authenticates through db_postgres,
 * the control plane serves and audits from PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openPostgres, type Db } from '../../../backend/control-plane/db.js';
import { migrate } from '../../../backend/control-plane/schema.js';
import { AgentStore } from '../../../backend/control-plane/agents.js';
import { AuditStore } from '../../../backend/control-plane/audit-store.js';
import { adminGet, startTestStack, waitFor } from './support/stack-fixture.js';
import { PrivatePostgres, postgresUnavailable } from './support/private-postgres.js';
import { WsSipAgent } from './support/ws-sip-agent.js';
import type { AuditEntry } from '../../../backend/control-plane/audit-store.js';
import { TEST_PORT_BASES, spareTestPort } from '../../support/port-registry.js';

const PG_PORT = spareTestPort('backendLifecycle', 1900);
const STACK_PORT_BASE = TEST_PORT_BASES.backendLifecycle;

const skip = postgresUnavailable();
if (skip) console.warn(`[postgres.test] SKIPPED: ${skip}`);

describe('PostgreSQL backend', { timeout: 90_000, skip: skip ?? false }, () => {
  let pg: PrivatePostgres;
  let db: Db;

  before(() => {
    pg = PrivatePostgres.create(PG_PORT);
    db = openPostgres(pg.url);
  });

  after(async () => {
    await db?.close();
    pg?.dispose();
  });

  test('the schema applies (twice: idempotent) and the stores work on PostgreSQL', async () => {
    await migrate(db);
    await migrate(db);
    const agents = new AgentStore(db, 'clearline');
    await agents.upsert('dave', 'correct-horse', 'Dave', 1234);
    // A new agent gets the schema's policy defaults (toll-fraud controls, issue 8), the same as on SQLite.
    assert.deepEqual(await agents.find('dave'), {
      username: 'dave',
      displayName: 'Dave',
      createdAt: 1234,
      disabled: false,
      allowedDestinations: ['internal', 'national'],
      maxCalls: 2,
      maxCps: 1,
    });
    assert.ok(await agents.verify('dave', 'correct-horse'));
    assert.equal(await agents.verify('dave', 'wrong-horse'), undefined);
    await agents.upsert('dave', 'battery-staple', 'Dave B', 1234);
    assert.ok(await agents.verify('dave', 'battery-staple'), 'upsert replaces the HA1');

    const audit = new AuditStore(db);
    const base = { callId: 'pg-call', fromTag: 'ft-1', from: 'sip:dave@x', to: 'sip:5550100@x', inDialog: false };
    await audit.record({ ...base, method: 'INVITE', code: 0, outcome: 'received' }, 1000);
    await audit.record({ ...base, method: 'INVITE', code: 200, outcome: 'OK' }, 1200);
    await audit.record({ ...base, method: 'BYE', code: 0, outcome: 'relayed', inDialog: true }, 3200);
    const calls = await audit.listCalls();
    assert.deepEqual(
      calls.find((c) => c.callId === 'pg-call'),
      {
        callId: 'pg-call',
        fromTag: 'ft-1',
        from: 'sip:dave@x',
        to: 'sip:5550100@x',
        startedAt: 1000,
        answeredAt: 1200,
        endedAt: 3200,
        durationMs: 2000,
        disposition: 'answered',
      },
    );
    assert.deepEqual(
      (await audit.listEvents({ callId: 'pg-call' })).map((e) => [e.method, e.code, e.at]),
      [
        ['INVITE', 0, 1000],
        ['INVITE', 200, 1200],
        ['BYE', 0, 3200],
      ],
    );
  });

  test('the whole stack on --db postgres://: Kamailio authenticates via db_postgres, audit lands in PostgreSQL', async () => {
    const fx = await startTestStack(STACK_PORT_BASE, { dbUrl: pg.url });
    try {
      const e = fx.stack.endpoints;
      const bob = await WsSipAgent.connect(e.sip.wsUrl, { username: 'bob', password: e.agents[1]!.password, domain: e.sip.domain });
      const wrong = await WsSipAgent.connect(e.sip.wsUrl, { username: 'bob', password: 'not-bobs-password', domain: e.sip.domain });
      try {
        assert.equal((await bob.register()).status, 200);
        assert.equal((await wrong.register()).status, 403);
        await bob.register(0);
      } finally {
        bob.close();
        wrong.close();
      }
      // Delivered asynchronously, in order: the unregistration comes last.
      const rows = await waitFor(async () => {
        const got = await db.all<{ outcome: string }>(
          "SELECT outcome FROM audit_events WHERE method = 'REGISTER' AND from_uri LIKE '%bob%'",
        );
        return got.some((r) => r.outcome === 'unregistered') ? got : null;
      }, "bob's REGISTER events in PostgreSQL");
      assert.ok(rows.some((r) => r.outcome === 'registered') && rows.some((r) => r.outcome === 'wrong password'), JSON.stringify(rows));
      const api = await adminGet<{ events: AuditEntry[] }>(fx.stack, '/api/audit');
      assert.ok(api.events.some((ev) => ev.outcome === 'wrong password'));
    } finally {
      await fx.dispose();
    }
  });
});
