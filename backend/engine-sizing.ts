/**
 * Engine settings that grow with the load a stack is sized for (pure). The per-call figures are
 * measured by the capacity benchmark (`npm run bench -- --json`); backend/README.md "Sizing" shows the arithmetic.
 */

/** Kamailio's shared memory with no call: what the modules, usrloc and the audit queue take. */
const KAMAILIO_BASE_SHM_MB = 64;
/**
 * Shared memory per concurrent call: a dialog, its INVITE transaction until it ends, the audit
 * events it raises and the agent's registration. The capacity benchmark saw Kamailio's touched
 * memory (all workers, PSS) grow 150–550 KB per call at 2–10 calls, first-touch of pages
 * included; `-m` is a ceiling whose pages cost nothing until touched, so the margin is cheap.
 */
const KAMAILIO_SHM_KB_PER_CALL = 256;

export interface EngineSizing {
  /** Kamailio `-m` (MB of shared memory). */
  readonly kamailioShmMb: number;
  /** Kamailio `-n` (UDP workers) and `-N` (TCP/WebSocket workers). */
  readonly kamailioWorkers: number;
  /** rtpengine `--num-threads` (userspace forwarding: one per core does the packet work). */
  readonly rtpengineThreads: number;
}

export function engineSizing(maxCalls: number, cores: number): EngineSizing {
  const workers = Math.max(2, Math.min(cores, 16));
  return {
    kamailioShmMb: KAMAILIO_BASE_SHM_MB + Math.ceil((maxCalls * KAMAILIO_SHM_KB_PER_CALL) / 1024),
    kamailioWorkers: workers,
    rtpengineThreads: workers,
  };
}
