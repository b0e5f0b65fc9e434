import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CallHistoryEntry } from '../../../common/contract/index.js';
import { CALL_HISTORY_LIMIT, newestFirst, withHistoryEntry } from '../../../common/call-history.js';

const entry = (n: number): CallHistoryEntry => ({
  id: `call-${n}`,
  direction: 'inbound',
  peer: `sip:${n}@clearline.test`,
  startedAt: n * 1000,
  answeredAt: null,
  endedAt: n * 1000 + 500,
  disposition: 'missed',
});

test('withHistoryEntry: newest first, same id replaces, capped at the one limit (500)', () => {
  let history: CallHistoryEntry[] = [];
  for (let n = 0; n < CALL_HISTORY_LIMIT + 20; n += 1) history = withHistoryEntry(history, entry(n));
  assert.equal(CALL_HISTORY_LIMIT, 500);
  assert.equal(history.length, 500);
  assert.equal(history[0]!.id, 'call-519');
  assert.equal(history[499]!.id, 'call-20');
  const replaced = withHistoryEntry(history, { ...entry(300), disposition: 'answered' });
  assert.equal(replaced.length, 500);
  assert.deepEqual([replaced[0]!.id, replaced[0]!.disposition], ['call-300', 'answered']);
  assert.equal(replaced.filter((e) => e.id === 'call-300').length, 1);
});

test('newestFirst: a loaded history sorted by start time, capped', () => {
  assert.deepEqual(
    newestFirst([entry(1), entry(3), entry(2)]).map((e) => e.id),
    ['call-3', 'call-2', 'call-1'],
  );
  assert.equal(newestFirst([entry(1), entry(2), entry(3)], 2).length, 2);
});
