/**
 * Audit retention (hole 7) on an injected clock: rows older than the retention go, at start and at
 * every purge interval; younger rows stay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSqlite, type Db } from '../../../../backend/control-plane/db.js';
import { migrate } from '../../../../backend/control-plane/schema.js';
import { AuditStore } from '../../../../backend/control-plane/audit-store.js';
import { AdminAuditStore } from '../../../../backend/control-plane/admin-audit.js';
import { NetworkReportStore } from '../../../../backend/control-plane/network-reports.js';
import { sampleNetworkReport } from '../../../support/network-report.js';
import { purgeExpiredAudit, RETENTION_PURGE_INTERVAL_MS, scheduleRetention } from '../../../../backend/control-plane/retention.js';

const DAY = 24 * 60 * 60 * 1000;
const T0 = 1_800_000_000_000;

async function dbWithCallOn(dayOffsets: number[]): Promise<Db> {
  const db = openSqlite(':memory:');
  await migrate(db);
  const audit = new AuditStore(db);
  const admin = new AdminAuditStore(db);
  const reports = new NetworkReportStore(db);
  for (const [i, d] of dayOffsets.entries()) {
    await audit.record(
      {
        eventId: `e${i}`,
        method: 'INVITE',
        code: 0,
        outcome: 'received',
        callId: `c${i}`,
        fromTag: 't',
        from: 'sip:a@x',
        to: 'sip:b@x',
        inDialog: false,
      },
      T0 + d * DAY,
    );
    await admin.record(
      { actor: 'admin#00000000', action: 'agent created', target: `a${i}`, sourceAddress: '127.0.0.1', detail: null },
      T0 + d * DAY,
    );
    await reports.add(`a${i}`, sampleNetworkReport({ agent: `a${i}` }), T0 + d * DAY);
    await db.run("INSERT INTO call_quality (call_id, agent, updated_at, final, mos_latest, body) VALUES (?, 'a', ?, 1, 4.4, '{}')", [
      `c${i}`,
      T0 + d * DAY,
    ]);
    await db.run("INSERT INTO quality_alerts (at_ms, kind, agent, call_id, detail) VALUES (?, 'call', 'a', ?, '{}')", [
      T0 + d * DAY,
      `c${i}`,
    ]);
  }
  return db;
}

const counts = async (db: Db) => {
  const n = async (table: string) => Number((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n);
  return [
    await n('audit_events'),
    await n('calls'),
    await n('admin_audit'),
    await n('network_reports'),
    await n('call_quality'),
    await n('quality_alerts'),
  ];
};

test('purge: rows older than the retention are deleted from every audit table, younger ones kept', async () => {
  const db = await dbWithCallOn([0, 10, 29]);
  assert.deepEqual(await purgeExpiredAudit(db, 30, T0 + 30 * DAY + 1), {
    events: 1,
    calls: 1,
    adminActions: 1,
    networkReports: 1,
    qualityReports: 1,
    qualityAlerts: 1,
  });
  assert.deepEqual(await counts(db), [2, 2, 2, 2, 2, 2]);
  assert.deepEqual(
    await purgeExpiredAudit(db, 30, T0 + 30 * DAY + 1),
    { events: 0, calls: 0, adminActions: 0, networkReports: 0, qualityReports: 0, qualityAlerts: 0 },
    'idempotent',
  );
  await db.close();
});

test('schedule: purges at start and again at every interval as the (injected) clock moves', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const db = await dbWithCallOn([0, 5]);
  const clock = { t: T0 + 3 * DAY };
  const lines: string[] = [];
  const stop = scheduleRetention({ db, retentionDays: 2, now: () => clock.t, log: (l) => lines.push(l) });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(await counts(db), [1, 1, 1, 1, 1, 1], 'the day-0 rows went at start');
  assert.match(
    lines[0]!,
    /purged 1 audit events, 1 call records, 1 admin actions, 1 network reports, 1 call quality summaries, 1 quality alerts older than 2 days/,
  );
  clock.t = T0 + 8 * DAY;
  t.mock.timers.tick(RETENTION_PURGE_INTERVAL_MS);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(await counts(db), [0, 0, 0, 0, 0, 0], 'the day-5 rows went at the next purge');
  stop();
  await db.close();
});

test('schedule: a failed purge is logged and retried, never thrown', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const db = await dbWithCallOn([]);
  await db.close();
  const lines: string[] = [];
  const stop = scheduleRetention({ db, retentionDays: 2, now: () => T0, log: (l) => lines.push(l) });
  await new Promise((r) => setImmediate(r));
  assert.match(lines[0]!, /retention: purge failed \(.*\); retried at the next purge/);
  stop();
});
