import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyDestination, DIAL_PLAN_PATTERNS } from '../../../../backend/config/dial-plan.js';

test('dial plan: each dialled string gets its class (premium before anything else)', () => {
  const cases: Array<[string, ReturnType<typeof classifyDestination>]> = [
    ['bob', 'internal'],
    ['alice.smith', 'internal'],
    ['5550100', 'national'],
    ['19005551234', 'premium'],
    ['+19765551234', 'premium'],
    ['9005551234', 'premium'],
    ['0019005551234', 'premium'],
    ['+449012345678', 'premium'],
    ['00448712345678', 'premium'],
    ['+15551230000', 'national'],
    ['0015551230000', 'national'],
    ['+33142685300', 'international'],
    ['0033142685300', 'international'],
    ['+1555', 'international'],
    ['555 0100', 'national'],
    ['12', null],
    ['123456789012345678901', null],
  ];
  for (const [dialled, cls] of cases) assert.equal(classifyDestination(dialled), cls, dialled);
});

test('dial plan: patterns are POSIX-compatible (no backslashes or lookaround) so Kamailio reads them as written', () => {
  for (const [name, p] of Object.entries(DIAL_PLAN_PATTERNS)) {
    assert.doesNotMatch(p, /\\|\(\?/, name);
    assert.match(p, /^\^.*\$$/, `${name} is anchored`);
  }
});
