/**
 * Quality alerts: which thresholds a summary crosses (the clients' thresholds), one call alert per
 * (call, agent) however many summaries follow, and an agent alert after AGENT_ALERT_CALLS alerted
 * calls within the window, once per window — on a real SQLite store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSqlite } from '../../../../backend/control-plane/db.js';
import { migrate } from '../../../../backend/control-plane/schema.js';
import { QualityAlertStore, type QualityAlert } from '../../../../backend/control-plane/quality-alert-store.js';
import { AGENT_ALERT_CALLS, AGENT_ALERT_WINDOW_MS, crossings, QualityAlerts } from '../../../../backend/control-plane/quality-alerts.js';
import { DEFAULT_QUALITY_THRESHOLDS } from '../../../../common/quality/quality-thresholds.js';
import type { CallQualityReport } from '../../../../common/quality/call-quality-report.js';

const T0 = 1_800_000_000_000;

function summary(over: Partial<CallQualityReport> = {}): CallQualityReport {
  return {
    callId: 'call-1@test',
    final: false,
    codec: 'opus',
    samples: 10,
    mosLatest: 4.3,
    mosAverage: 4.3,
    mosMin: 4.2,
    lossPercentAverage: 0,
    lossPercentMax: 0,
    rttMsAverage: 20,
    jitterMsAverage: 2,
    warnings: [],
    oneWay: null,
    ...over,
  };
}

test('crossings: each metric against the clients’ thresholds; nothing measured is nothing crossed', () => {
  const t = DEFAULT_QUALITY_THRESHOLDS; // MOS 3.5, loss 1 %, jitter 30 ms, RTT 400 ms
  assert.deepEqual(crossings(summary(), t), []);
  assert.deepEqual(
    crossings(summary({ mosAverage: 3.5, lossPercentAverage: 1, jitterMsAverage: 30, rttMsAverage: 400 }), t),
    [],
    'at the threshold is not across it',
  );
  assert.deepEqual(
    crossings(summary({ mosAverage: 4.2, mosLatest: 2.1 }), t),
    [{ metric: 'mos', value: 2.1, threshold: 3.5 }],
    'a call going bad now',
  );
  assert.deepEqual(crossings(summary({ mosAverage: 3.0, mosLatest: null }), t), [{ metric: 'mos', value: 3.0, threshold: 3.5 }]);
  assert.deepEqual(crossings(summary({ lossPercentAverage: 5, jitterMsAverage: 31, rttMsAverage: 401 }), t), [
    { metric: 'loss', value: 5, threshold: 1 },
    { metric: 'jitter', value: 31, threshold: 30 },
    { metric: 'rtt', value: 401, threshold: 400 },
  ]);
  assert.deepEqual(
    crossings(
      summary({ mosLatest: null, mosAverage: null, mosMin: null, lossPercentAverage: null, rttMsAverage: null, jitterMsAverage: null }),
      t,
    ),
    [],
  );
  assert.deepEqual(
    crossings(summary({ rttMsAverage: 150 }), { ...t, rttMs: 100 }),
    [{ metric: 'rtt', value: 150, threshold: 100 }],
    'the configured thresholds, not the defaults',
  );
});

async function monitor() {
  const db = openSqlite(':memory:');
  await migrate(db);
  const store = new QualityAlertStore(db);
  const raised: QualityAlert[] = [];
  return { db, store, raised, alerts: new QualityAlerts(store, DEFAULT_QUALITY_THRESHOLDS, (a) => raised.push(a)) };
}

test('a call alert is raised once per (call, agent), stored and handed on; a good summary raises nothing', async () => {
  const { db, store, raised, alerts } = await monitor();
  assert.deepEqual(await alerts.consider('ann', summary(), T0), []);
  const [first] = await alerts.consider('ann', summary({ lossPercentAverage: 4 }), T0 + 1000);
  assert.equal(first?.kind, 'call');
  assert.deepEqual(first, {
    id: first.id,
    at: T0 + 1000,
    kind: 'call',
    agent: 'ann',
    callId: 'call-1@test',
    crossed: [{ metric: 'loss', value: 4, threshold: 1 }],
  });
  assert.deepEqual(await alerts.consider('ann', summary({ lossPercentAverage: 9, final: true }), T0 + 2000), [], 'the same call again');
  const [other] = await alerts.consider('ben', summary({ lossPercentAverage: 4 }), T0 + 3000);
  assert.equal(other?.agent, 'ben', 'the other party of the same call has its own');
  assert.deepEqual(
    raised.map((a) => [a.kind, a.agent]),
    [
      ['call', 'ann'],
      ['call', 'ben'],
    ],
  );
  assert.deepEqual(
    (await store.list()).map((a) => a.agent),
    ['ben', 'ann'],
    'newest first',
  );
  await db.close();
});

test(`an agent alert after ${AGENT_ALERT_CALLS} alerted calls within the window, once per window`, async () => {
  const { db, raised, alerts } = await monitor();
  const bad = (n: number) => summary({ callId: `c${n}`, mosAverage: 2.5 });
  for (let n = 1; n < AGENT_ALERT_CALLS; n++) await alerts.consider('ann', bad(n), T0 + n);
  assert.ok(raised.every((a) => a.kind === 'call'));
  const third = await alerts.consider('ann', bad(AGENT_ALERT_CALLS), T0 + AGENT_ALERT_CALLS);
  assert.deepEqual(
    third.map((a) => a.kind),
    ['call', 'agent'],
  );
  const agentAlert = third[1]!;
  assert.equal(agentAlert.kind, 'agent');
  if (agentAlert.kind === 'agent')
    assert.deepEqual(
      agentAlert.calls,
      Array.from({ length: AGENT_ALERT_CALLS }, (_, i) => `c${i + 1}`),
    );
  assert.deepEqual(
    (await alerts.consider('ann', bad(10), T0 + 10)).map((a) => a.kind),
    ['call'],
    'no second agent alert within the window',
  );
  // A window later the old calls no longer count: it takes AGENT_ALERT_CALLS new ones.
  const later = T0 + AGENT_ALERT_WINDOW_MS + 100;
  for (let n = 20; n < 20 + AGENT_ALERT_CALLS - 1; n++)
    assert.deepEqual(
      (await alerts.consider('ann', bad(n), later + n)).map((a) => a.kind),
      ['call'],
    );
  assert.deepEqual(
    (await alerts.consider('ann', bad(99), later + 99)).map((a) => a.kind),
    ['call', 'agent'],
  );
  await db.close();
});
