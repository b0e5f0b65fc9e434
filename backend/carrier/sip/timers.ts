/** RFC 3261 §17 timer values for UDP. */
export const T1_MS = 500;
export const T2_MS = 4000;
/** Timers B, F, H, J: how long a transaction waits before it gives up (64·T1). */
export const TRANSACTION_TIMEOUT_MS = 64 * T1_MS;
/** How long a finished transaction lingers to absorb retransmissions (Timers I/J/K, rounded up). */
export const LINGER_MS = 32_000;
