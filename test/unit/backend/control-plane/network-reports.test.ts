/** The report store over a real SQLite: newest first, filters, the per-agent cap, the body read back as sent. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSqlite } from '../../../../backend/control-plane/db.js';
import { migrate } from '../../../../backend/control-plane/schema.js';
import { MAX_REPORTS_PER_AGENT, NetworkReportStore } from '../../../../backend/control-plane/network-reports.js';
import { sampleNetworkReport } from '../../../support/network-report.js';

test('add, list newest first (by agent, since), get the body back', async () => {
  const db = openSqlite(':memory:');
  await migrate(db);
  const store = new NetworkReportStore(db);
  const a1 = await store.add('ann', sampleNetworkReport({ agent: 'ann', verdict: 'warn', summary: 's'.repeat(900) }), 1000);
  const b1 = await store.add('ben', sampleNetworkReport({ agent: null, phase: 'before-sign-in' }), 2000);
  const list = await store.list({});
  assert.deepEqual(
    list.map((r) => [r.id, r.agent, r.receivedAt, r.verdict, r.phase, r.summary.length]),
    [
      [b1, 'ben', 2000, 'pass', 'before-sign-in', 'Calls will work'.length],
      [a1, 'ann', 1000, 'warn', 'signed-in', 500],
    ],
  );
  assert.deepEqual(
    (await store.list({ agent: 'ann' })).map((r) => r.id),
    [a1],
  );
  assert.deepEqual(
    (await store.list({ sinceMs: 1500 })).map((r) => r.id),
    [b1],
  );
  const got = await store.get(a1);
  assert.equal(got?.report.summary.length, 900, 'the stored report is whole; only the list column is cut');
  assert.equal(got?.sizeBytes, Buffer.byteLength(JSON.stringify(got?.report)));
  assert.equal(await store.get('00000000-0000-4000-8000-000000000000'), undefined);
  await db.close();
});

test('an agent keeps its newest MAX_REPORTS_PER_AGENT reports; other agents keep theirs', async () => {
  const db = openSqlite(':memory:');
  await migrate(db);
  const store = new NetworkReportStore(db);
  await store.add('ben', sampleNetworkReport({ agent: 'ben' }), 1);
  for (let i = 0; i < MAX_REPORTS_PER_AGENT + 3; i++)
    await store.add('ann', sampleNetworkReport({ agent: 'ann', runId: `r${i}` }), 100 + i);
  const ann = await store.list({ agent: 'ann', limit: 1000 });
  assert.equal(ann.length, MAX_REPORTS_PER_AGENT);
  assert.equal(ann.at(-1)!.receivedAt, 103, 'the three oldest went');
  assert.equal((await store.list({ agent: 'ben' })).length, 1);
  await db.close();
});
