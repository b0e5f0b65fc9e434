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
