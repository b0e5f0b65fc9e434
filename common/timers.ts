/**
 * The clock code schedules on (TURN credential refresh, timeouts). Injected so unit tests drive
 * time by hand instead of sleeping.
 */
export type TimerHandle = unknown;

export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** setTimeout's limit (2^31-1 ms): a longer delay would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** The platform's timers, as they are. */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, Math.min(ms, MAX_TIMER_MS)),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
};

/**
 * The platform's timers for background work. In Node a pending background timer is unref'd: it
 * must not keep a test process or the harness alive (browsers have no unref and need none).
 */
export const backgroundTimers: Timers = {
  setTimeout: (callback, ms) => {
    const handle = globalThis.setTimeout(callback, Math.min(ms, MAX_TIMER_MS)) as unknown as { unref?: () => void };
    handle.unref?.();
    return handle;
  },
  clearTimeout: systemTimers.clearTimeout,
};

/**
 * Timers that also tell the time they run on (ms, monotonic): for code that keeps "not before T"
 * entries and must compare T with now on the same clock its timers fire on (unit tests move both).
 */
export interface Clock extends Timers {
  now(): number;
}

/** The platform's timers and its monotonic clock. */
export const systemClock: Clock = { ...systemTimers, now: () => performance.now() };
