/**
 * `npm run bench -- --json` → diagnostics: { totalMs, slowestStepMs, … }. One full diagnostics run
 * against the real backend stack on loopback; the baseline is the slowest single step of the same
 * run (what the run would take if every other step overlapped perfectly), next to the sum of all
 * steps (what running them one after another would take).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from '../../backend/stack.js';
import { defaultProbes, runDiagnostics } from '../../main/diagnostics/index.js';
import { fetchDiagnosticsConfig } from '../../main/diagnostics/provisioning-client.js';
import type { Bench } from './index.js';
import { TEST_PORT_BASES } from '../support/port-registry.js';

const PORT_BASE = TEST_PORT_BASES.diagnosticsBench;

const bench: Bench = {
  key: 'diagnostics',
  async run() {
    const stateDir = mkdtempSync(join(tmpdir(), 'cldiag-bench-'));
    const stack = await startStack({ stateDir, portBase: PORT_BASE, log: () => {} });
    try {
      const agent = stack.endpoints.agents[0]!;
      const ca = stack.endpoints.caCertPath ? readFileSync(stack.endpoints.caCertPath) : undefined;
      const config = await fetchDiagnosticsConfig(stack.endpoints.controlPlane.url, agent.username, agent.password, ca);
      const report = await runDiagnostics(config, defaultProbes({ ca }));
      const slowest = report.steps.reduce((a, b) => (b.durationMs > a.durationMs ? b : a));
      return {
        totalMs: report.totalMs,
        slowestStepMs: slowest.durationMs,
        slowestStep: slowest.id,
        sumOfStepsMs: report.steps.reduce((n, s) => n + s.durationMs, 0),
        steps: report.steps.length,
        verdict: report.verdict,
      };
    } finally {
      await stack.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  },
};
export default bench;
