import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type RunningStack } from '../../backend/stack.js';
import type { Endpoints } from '../../backend/endpoints.js';

export interface TestBackend {
  readonly stack: RunningStack;
  readonly endpoints: Endpoints;
  /** Scratch directory for this test file (browser profiles, tones, host data); removed on stop. */
  readonly scratch: string;
  stop(): Promise<void>;
}

/**
 * The real stack (Kamailio, rtpengine, coturn, control plane, carrier) in a fresh state dir on
 * `portBase`; its progress goes to `<scratch>/backend.log` so test output stays readable.
 * Set CLEARLINE_KEEP_E2E=1 to keep the scratch dir (logs, recordings) after a failure.
 */
export async function startTestBackend(portBase: number): Promise<TestBackend> {
  const scratch = mkdtempSync(join(tmpdir(), `clearline-e2e-${portBase}-`));
  const logFile = join(scratch, 'backend.log');
  const stack = await startStack({
    stateDir: join(scratch, 'state'),
    portBase,
    log: (line) => appendFileSync(logFile, `${line}\n`),
  });
  return {
    stack,
    endpoints: stack.endpoints,
    scratch,
    async stop() {
      await stack.stop();
      if (!process.env.CLEARLINE_KEEP_E2E) rmSync(scratch, { recursive: true, force: true });
    },
  };
}
