import { systemTimers, type TimerHandle, type Timers } from './timers.js';

/**
 * Bounding how long something may take — one implementation for the network test's steps and
 * probes, the endpoint probe and the calling core's teardown. The timer is always cleared, so a
 * settled promise leaves nothing pending.
 */

/** The promise's value, or whatever `onTimeout` gives (or throws) once `ms` have passed first. */
export async function settleWithin<T, F>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => F | Promise<F>,
  timers: Timers = systemTimers,
): Promise<T | F> {
  let timer: TimerHandle | undefined;
  const timeout = new Promise<F>((resolve, reject) => {
    timer = timers.setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    timers.clearTimeout(timer);
  }
}

/** The promise's value, or a rejection with `message` once `ms` have passed first. */
export function rejectAfter<T>(promise: Promise<T>, ms: number, message: string, timers: Timers = systemTimers): Promise<T> {
  return settleWithin(
    promise,
    ms,
    (): never => {
      throw new Error(message);
    },
    timers,
  );
}
