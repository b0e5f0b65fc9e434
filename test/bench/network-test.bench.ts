import type { Bench } from './index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultProbes, runDiagnostics } from '../../main/diagnostics/index.js';
import { fetchDiagnosticsConfig } from '../../main/diagnostics/provisioning-client.js';
import { startTestBackend } from '../support/backend-fixture.js';
import { launchAgentBrowser } from '../support/chromium.js';
import { runNetworkTestAndExport } from '../support/network-test-ui.js';
import { TEST_PORT_BASES, spareTestPorts } from '../support/port-registry.js';
import { toneWav } from '../support/tones.js';

/**
 * The web softphone's whole network test on a healthy loopback stack (signed in: every page
 * check, the echo call included), next to its slowest single check measured in the same runs —
 * the floor the test's total cannot go under, since the checks run concurrently. Medians of RUNS
 * runs after one warm-up (the first getUserMedia and the first call cost extra).
 *
 * The desktop app's button runs the native checks (main/diagnostics) beside the page's. With no
 * Electron here, `desktopTotalMs` is that pairing on the same box: the page's test in Chromium
 * and `runDiagnostics` in this Node process started together, until both have finished
 * (`nativeMs`: the native run's own total in those runs).
 */
const RUNS = 3;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const bench: Bench = {
  key: 'networkTest',
  async run() {
    const backend = await startTestBackend(TEST_PORT_BASES.networkTest);
    const context = await launchAgentBrowser({
      userDataDir: join(backend.scratch, 'profile-bench'),
      microphoneWav: toneWav(join(backend.scratch, 'tones'), 440),
      udpPorts: spareTestPorts('networkTest', 600, 699),
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${backend.endpoints.controlPlane.url}/?audioProcessing=off`, { timeout: 15_000 });
      const agent = backend.endpoints.agents[0]!;
      await page.getByLabel('Username').fill(agent.username, { timeout: 10_000 });
      await page.getByLabel('Password').fill(agent.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('status', { name: 'Registration' }).filter({ hasText: 'Registered' }).waitFor({ timeout: 20_000 });
      await runNetworkTestAndExport(page); // warm-up
      const totals: number[] = [];
      const slowest: number[] = [];
      let slowestStep = '';
      for (let i = 0; i < RUNS; i++) {
        const report = await runNetworkTestAndExport(page);
        totals.push(report.totalMs);
        const top = report.steps.reduce((a, b) => (b.durationMs > a.durationMs ? b : a));
        slowest.push(top.durationMs);
        slowestStep = top.id;
      }
      const ca = backend.endpoints.caCertPath ? readFileSync(backend.endpoints.caCertPath) : undefined;
      const config = await fetchDiagnosticsConfig(backend.endpoints.controlPlane.url, agent.username, agent.password, ca);
      const desktop: number[] = [];
      const native: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        const [, nativeRun] = await Promise.all([runNetworkTestAndExport(page), runDiagnostics(config, defaultProbes({ ca }))]);
        desktop.push(Math.round(performance.now() - t0));
        native.push(nativeRun.totalMs);
      }
      return {
        totalMs: median(totals),
        slowestStepMs: median(slowest),
        slowestStep,
        desktopTotalMs: median(desktop),
        nativeMs: median(native),
        runs: RUNS,
      };
    } finally {
      await context.close().catch(() => undefined);
      await backend.stop();
    }
  },
};

export default bench;
