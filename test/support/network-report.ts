/**
 * Test data (no behaviour): a valid network test report, as the web softphone makes one, with
 * fields to override. Used by the schema's unit test, the store's and the upload API's attacks.
 */
import { NETWORK_REPORT_KIND, NETWORK_REPORT_VERSION, type NetworkReport } from '../../common/network-report.js';

export function sampleNetworkReport(overrides: Partial<NetworkReport> = {}): NetworkReport {
  return {
    kind: NETWORK_REPORT_KIND,
    version: NETWORK_REPORT_VERSION,
    runId: 'run-1',
    shell: 'web',
    appVersion: '0.0.0-test',
    phase: 'signed-in',
    agent: 'alice',
    provisioningUrl: 'http://127.0.0.1:20010',
    startedAt: '2026-12-06T21:00:00.000Z',
    totalMs: 4200,
    verdict: 'pass',
    summary: 'Calls will work',
    steps: [
      {
        id: 'microphone',
        title: 'Microphone',
        verdict: 'pass',
        explanation: 'the microphone hears sound (peak −12 dBFS)',
        values: { device: 'Default', peakDbfs: -12, levels: [0.1, 0.4, 0.3] },
        durationMs: 1200,
      },
    ],
    unavailable: [{ id: 'vpn', title: 'VPN split tunnel', reason: 'needs the desktop app' }],
    ...overrides,
  };
}
