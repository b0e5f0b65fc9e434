import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FAILOVER_MAX_PAUSE_MS,
  afterRegistered,
  afterTransportFailure,
  currentServer,
  startRotation,
  type ServerRotation,
} from '../../../../renderer/calling/signaling-servers.js';

const A = 'wss://sip-a.example:20002';
const B = 'wss://sip-b.example:20002';
const C = 'wss://sip-c.example:20002';

/** Applies `n` transport failures; returns every step's (server, kind, wait) for assertions. */
function fail(rotation: ServerRotation, n: number, random = () => 0.5) {
  const steps: Array<{ server: string; kind: string; wait: number }> = [];
  let r = rotation;
  for (let i = 0; i < n; i++) {
    const step = afterTransportFailure(r, random);
    r = step.rotation;
    steps.push({ server: currentServer(r), kind: step.kind, wait: step.kind === 'failover' ? step.pauseMs : step.round });
  }
  return { rotation: r, steps };
}

test('one server: every failure is a backoff round on the same server (the single-node behaviour)', () => {
  const { steps } = fail(startRotation(A), 3);
  assert.deepEqual(steps, [
    { server: A, kind: 'backoff', wait: 1 },
    { server: A, kind: 'backoff', wait: 2 },
    { server: A, kind: 'backoff', wait: 3 },
  ]);
});

test('three servers: fail over to each untried one after a jittered pause, then back off per full round', () => {
  const { steps } = fail(startRotation(A, [B, C]), 7);
  assert.deepEqual(steps, [
    { server: B, kind: 'failover', wait: FAILOVER_MAX_PAUSE_MS / 2 },
    { server: C, kind: 'failover', wait: FAILOVER_MAX_PAUSE_MS / 2 },
    { server: A, kind: 'backoff', wait: 1 },
    { server: B, kind: 'backoff', wait: 1 },
    { server: C, kind: 'backoff', wait: 1 },
    { server: A, kind: 'backoff', wait: 2 },
    { server: B, kind: 'backoff', wait: 2 },
  ]);
});

test('the failover pause spans [0, FAILOVER_MAX_PAUSE_MS] with the random draw (agents do not stampede the survivor)', () => {
  const pause = (x: number) => {
    const step = afterTransportFailure(startRotation(A, [B]), () => x);
    assert.equal(step.kind, 'failover');
    return step.kind === 'failover' ? step.pauseMs : NaN;
  };
  assert.equal(pause(0), 0);
  assert.equal(pause(0.25), FAILOVER_MAX_PAUSE_MS / 4);
  assert.equal(pause(0.999), Math.round(FAILOVER_MAX_PAUSE_MS * 0.999));
});

test('registered: stays on the server that works, and the next loss fails over again at once', () => {
  const { rotation: onB } = fail(startRotation(A, [B]), 1);
  assert.equal(currentServer(onB), B);
  const settled = afterRegistered(onB);
  assert.equal(currentServer(settled), B, 'no move back to the primary while B works');
  assert.equal(settled.failuresInRow, 0);
  const { steps } = fail(settled, 1);
  assert.deepEqual(steps, [{ server: A, kind: 'failover', wait: FAILOVER_MAX_PAUSE_MS / 2 }]);
});

test('a server listed twice is tried once per round', () => {
  assert.deepEqual(startRotation(A, [B, A]).urls, [A, B]);
});
