import { settleWithin } from '../../common/timeout.js';
import { systemTimers, type Timers } from '../../common/timers.js';

/** Resolves with the promise's value, or `undefined` after `ms` — for teardown that must not hang. */
export const withTimeout = <T>(promise: Promise<T>, ms: number, timers: Timers = systemTimers): Promise<T | undefined> =>
  settleWithin(promise, ms, () => undefined, timers);
