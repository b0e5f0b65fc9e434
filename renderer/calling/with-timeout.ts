import { systemTimers, type TimerHandle, type Timers } from './timers.js';

/** Resolves with the promise's value, or `undefined` after `ms` — for teardown that must not hang. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, timers: Timers = systemTimers): Promise<T | undefined> {
  let timer: TimerHandle | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = timers.setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    timers.clearTimeout(timer);
  }
}
