/**
 * The clock the calling core schedules on (ring timeout, reconnect backoff, registration timeout,
 * how long an ended call lingers, DTMF pacing). Injected so unit tests drive time by hand instead
 * of sleeping; production passes `systemTimers`. SIP.js keeps its own protocol timers.
 */
export type TimerHandle = unknown;

export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/** Resolves after `ms` on `timers`. */
export const sleep = (timers: Timers, ms: number): Promise<void> => new Promise((resolve) => timers.setTimeout(resolve, ms));
