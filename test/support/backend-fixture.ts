import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalPki } from '../../backend/pki.js';
import { REPO_ROOT, startStack, type RunningStack } from '../../backend/stack.js';
import type { StackOptions } from '../../backend/stack-options.js';
import type { Endpoints } from '../../backend/endpoints.js';

export interface TestBackend {
  readonly stack: RunningStack;
  readonly endpoints: Endpoints;
  /** Scratch directory for this test file (browser profiles, tones, host data); removed on stop. */
  readonly scratch: string;
  stop(): Promise<void>;
}

let rendererBuilt = false;

/**
 * Builds the web softphone (`dist/renderer/`, what the control plane serves) from the current
 * sources once per test process, so e2e tests never run a stale bundle. flock: other suites may
 * build at the same time. CLEARLINE_E2E_SKIP_BUILD=1 skips it (CI that built already).
 */
export function buildRendererOnce(): void {
  if (rendererBuilt || process.env.CLEARLINE_E2E_SKIP_BUILD) return;
  execFileSync(
    'flock',
    ['/tmp/clearline-renderer-build.lock', 'npx', 'vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'error'],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 120_000,
    },
  );
  rendererBuilt = true;
}

/**
 * The real stack (Kamailio, rtpengine, coturn, control plane, carrier) in a fresh state dir on
 * `portBase` (`wss`: with the SIP WebSocket over TLS; `stack`: more stack options, e.g. a
 * non-loopback listen with services on 443); its progress goes to
 * `<scratch>/backend.log` so test output stays readable.
 * Set CLEARLINE_KEEP_E2E=1 to keep the scratch dir (logs, recordings) after a failure.
 */
export async function startTestBackend(
  portBase: number,
  options: { wss?: boolean; stack?: Omit<StackOptions, 'stateDir' | 'portBase' | 'log'> } = {},
): Promise<TestBackend> {
  buildRendererOnce();
  const scratch = mkdtempSync(join(tmpdir(), `clearline-e2e-${portBase}-`));
  const logFile = join(scratch, 'backend.log');
  // wss: Kamailio gets a certificate from a local CA that neither Chromium nor Node trusts.
  const pki = options.wss ? await ensureLocalPki(join(scratch, 'pki'), '127.0.0.1') : null;
  const stack = await startStack({
    stateDir: join(scratch, 'state'),
    portBase,
    log: (line) => appendFileSync(logFile, `${line}\n`),
    ...(pki ? { tlsCert: pki.certFile, tlsKey: pki.keyFile } : {}),
    ...options.stack,
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
