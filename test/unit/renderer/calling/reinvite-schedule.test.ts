import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addReInvite,
  idleReInviteSchedule,
  nextReInvite,
  ReInviteScheduler,
  settleReInvite,
  type PendingReInvite,
  type ReInviteKind,
  type ReInviteSchedule,
  type ReInviteStep,
} from '../../../../renderer/calling/reinvite-schedule.js';
import { settle } from './fakes/event-loop.js';
import { ManualTimers } from './fakes/manual-timers.js';

const entry = (id: number, kind: ReInviteKind, notBefore = 0, user = kind === 'hold'): PendingReInvite => ({
  id,
  kind,
  user,
  notBefore,
  crossed: false,
});

const add = (s: ReInviteSchedule, ...entries: PendingReInvite[]) => entries.reduce((acc, e) => addReInvite(acc, e).schedule, s);

test('one re-INVITE in flight at a time: the next goes once it is over', () => {
  let s = add(idleReInviteSchedule, entry(1, 'recovery'), entry(2, 'dialog-refresh'));
  const first = nextReInvite(s, 0);
  assert.equal(first.send?.id, 1);
  s = first.schedule;
  assert.deepEqual(nextReInvite(s, 0), { schedule: s, send: null, wakeAt: null }, 'nothing while one is in flight');
  s = settleReInvite(s).schedule;
  const second = nextReInvite(s, 0);
  assert.equal(second.send?.id, 2);
  assert.deepEqual(nextReInvite(settleReInvite(second.schedule).schedule, 0), { schedule: idleReInviteSchedule, send: null, wakeAt: null });
});

test('an entry not before T: nothing until T, then it goes', () => {
  const s = add(idleReInviteSchedule, entry(1, 'udp-return', 5000));
  assert.deepEqual(nextReInvite(s, 4999), { schedule: s, send: null, wakeAt: 5000 });
  assert.equal(nextReInvite(s, 5000).send?.id, 1);
});

test('the agent’s hold goes before every automatic re-INVITE not yet sent, and after the one in flight', () => {
  let s = add(idleReInviteSchedule, entry(1, 'udp-return'));
  s = nextReInvite(s, 0).schedule; // the return attempt is in flight
  s = add(s, entry(2, 'dialog-refresh', 0), entry(3, 'hold', 100));
  assert.equal(nextReInvite(s, 200).send, null, 'the hold waits for the attempt in flight');
  s = settleReInvite(s).schedule;
  const next = nextReInvite(s, 200);
  assert.equal(next.send?.id, 3, 'then the hold, before the refresh that was queued first');
  assert.equal(nextReInvite(settleReInvite(next.schedule).schedule, 200).send?.id, 2);
});

test('a re-INVITE that crossed the far end’s: its retry and every other one wait out §14.1’s time; then the agent’s first', () => {
  let s = nextReInvite(add(idleReInviteSchedule, entry(1, 'recovery')), 0).schedule;
  s = settleReInvite(s, { notBefore: 3050, crossed: true }).schedule;
  s = add(s, entry(2, 'hold', 1000), entry(3, 'udp-return', 1000));
  assert.deepEqual(nextReInvite(s, 1000).wakeAt, 3050, 'the hold and the return attempt wait for the glare time');
  const atTime = nextReInvite(s, 3050);
  assert.equal(atTime.send?.id, 2, 'the agent’s hold goes first');
  s = settleReInvite(atTime.schedule).schedule;
  assert.equal(nextReInvite(s, 3050).send?.id, 1, 'then the retry: due at the same time, added first');
});

test('a later entry of a kind replaces the one still pending; one waiting out §14.1’s time keeps that time', () => {
  const older = entry(1, 'udp-return', 15_000);
  const { schedule, replaced } = addReInvite(add(idleReInviteSchedule, older), entry(2, 'udp-return', 5000));
  assert.equal(replaced, older);
  assert.deepEqual(schedule.pending, [entry(2, 'udp-return', 5000)], 'a newer plan’s attempt, at its own time');

  const crossed = { ...entry(3, 'hold', 4000), crossed: true };
  const resume = addReInvite(add(idleReInviteSchedule, crossed), entry(4, 'hold', 1000));
  assert.deepEqual(resume.schedule.pending, [{ ...entry(4, 'hold', 4000), crossed: true }]);
});

test('a retry of a kind whose later entry is already pending: the later one stays, not before the retry’s §14.1 time', () => {
  let s = nextReInvite(add(idleReInviteSchedule, entry(1, 'hold')), 0).schedule; // hold in flight
  s = add(s, entry(2, 'hold', 500)); // resume pressed meanwhile
  const { schedule, replaced } = settleReInvite(s, { notBefore: 3000, crossed: true }); // the hold crossed
  assert.deepEqual(replaced, { ...entry(1, 'hold'), notBefore: 3000, crossed: true });
  assert.deepEqual(schedule, { inFlight: null, pending: [{ ...entry(2, 'hold', 3000), crossed: true }] });
});

// ── the driver, on a clock the test moves ───────────────────────────────────────────────────

/** A send the test finishes by hand; `sent` counts how often it went. */
function manualSend() {
  const finish: Array<(step: ReInviteStep) => void> = [];
  const send = { sent: 0, finish, run: () => (send.sent++, new Promise<ReInviteStep>((resolve) => finish.push(resolve))) };
  return send;
}

test('the scheduler sends each request in turn, and a retry after its wait', async () => {
  const clock = new ManualTimers();
  const scheduler = new ReInviteScheduler(clock);
  const attempt = manualSend();
  const hold = manualSend();
  const attemptDone = scheduler.request('udp-return', attempt.run, { waitMs: 5000 });
  await clock.advance(5000);
  assert.equal(attempt.sent, 1, 'the attempt went at 5 s');
  const holdDone = scheduler.request('hold', hold.run, { user: true });
  await settle();
  assert.equal(hold.sent, 0, 'the hold waits while the attempt is in flight');

  attempt.finish[0]!({ done: true });
  assert.equal(await attemptDone, true);
  await settle();
  assert.equal(hold.sent, 1, 'then the hold goes');
  hold.finish[0]!({ retryAfterMs: 3050, crossed: true, retry: hold.run });
  await settle();
  await clock.advance(3040);
  assert.equal(hold.sent, 1, 'crossed: not again before its wait');
  await clock.advance(10);
  assert.equal(hold.sent, 2);
  hold.finish[1]!({ done: true });
  assert.equal(await holdDone, true);
});

test('callers of a replaced entry get its replacement’s outcome; a send that throws rejects; the call’s end tells the rest false', async () => {
  const clock = new ManualTimers();
  const scheduler = new ReInviteScheduler(clock);
  const recovery = manualSend();
  void scheduler.request('recovery', recovery.run);
  const hold = scheduler.request('hold', async () => ({ done: true }), { user: true });
  const resume = scheduler.request('hold', async () => ({ done: false }), { user: true });
  recovery.finish[0]!({ done: true });
  assert.deepEqual(await Promise.all([hold, resume]), [false, false], 'both have the resume’s outcome');

  await assert.rejects(
    scheduler.request('hold', async () => {
      throw new Error('Hold was refused');
    }),
    /Hold was refused/,
  );

  const pending = scheduler.request('udp-return', async () => ({ done: true }), { waitMs: 15_000 });
  scheduler.close();
  assert.equal(await pending, false);
  assert.equal(await scheduler.request('dialog-refresh', async () => ({ done: true })), false, 'nothing after the end');
  assert.deepEqual(clock.delays(), [], 'no timer left');
});
