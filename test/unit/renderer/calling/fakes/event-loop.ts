/**
 * Waiting on the real event loop for what the fakes deliver asynchronously (SIP.js's promise
 * chains, the transport fake's messages) — never on wall-clock time.
 */

/** Lets every promise chain and queued delivery already started run to its next wait. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Resolves once `condition` holds; fails, naming `what`, if it does not within a bounded number of turns. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 500; turn++) {
    if (condition()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`never happened: ${what}`);
}
