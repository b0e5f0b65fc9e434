/**
 * The network test behind the one button, the same in both shells: which page checks run (before
 * sign-in only the account-free ones), the shared runner (common/diagnostics/runner.ts) over them,
 * the desktop's native checks beside them (the web softphone names those instead), and the report
 * (common/network-report.ts) that is kept, exported and sent to the helpdesk.
 */
import type { Session, Settings } from '../../common/contract/index.js';
import { runSteps } from '../../common/diagnostics/runner.js';
import type { ProgressListener, RunResult } from '../../common/diagnostics/step.js';
import { combinedVerdict } from '../../common/diagnostics/verdict.js';
import { NETWORK_REPORT_KIND, NETWORK_REPORT_VERSION, reportStepsFrom, type NetworkReport } from '../../common/network-report.js';
import type { PageProbes } from './page-probes.js';
import type { PageStepContext, PageStepDefinition } from './page-step.js';
import { controlPlaneStep } from './steps/control-plane.js';
import { localCandidatesStep, turnTcpStep, turnTlsStep, turnUdpStep } from './steps/ice.js';
import { microphoneStep } from './steps/microphone.js';
import { speakerStep } from './steps/speaker.js';
import { testCallStep } from './steps/test-call.js';

export const PAGE_STEPS: readonly PageStepDefinition[] = [
  controlPlaneStep,
  microphoneStep,
  speakerStep,
  localCandidatesStep,
  turnUdpStep,
  turnTcpStep,
  turnTlsStep,
  testCallStep,
];

/**
 * What only the desktop app measures (main/diagnostics/, by its step titles): the web softphone
 * names these in one line and runs everything else.
 */
export const DESKTOP_ONLY_CHECKS = [
  { id: 'vpn', title: 'VPN split tunnel and the interface toward each server' },
  { id: 'tcp-tls', title: 'TCP/TLS reachability of each server' },
  { id: 'nat', title: 'NAT type' },
  { id: 'dscp', title: 'DSCP (QoS) marking' },
  { id: 'proxy', title: 'Proxy settings' },
  { id: 'path-quality', title: 'Path quality to the media server' },
  { id: 'clock', title: 'Clock offset' },
] as const;

export const DESKTOP_ONLY_REASON = 'needs the Clearline desktop app: a browser tab cannot see routes, sockets or OS settings';

export interface PageTestInput {
  readonly provisioningUrl: string;
  readonly session: Session | null;
  readonly devices: Settings;
  readonly shell: NetworkReport['shell'];
  readonly appVersion: string;
  /**
   * The desktop app's native checks (main/diagnostics through `diagnostics.run`), run beside the
   * page's and streaming their own progress; null in the web softphone.
   */
  readonly nativeChecks: (() => Promise<RunResult>) | null;
}

/**
 * The page steps to run: every one before sign-in that needs no account, all of them after. With
 * the native checks beside them, not the provisioning server's: the native checks measure the
 * way to it (route, TCP, TLS), and the desktop page's CSP does not let it fetch a server it was
 * not provisioned with.
 */
export function pageStepsFor(signedIn: boolean, withNativeChecks = false): PageStepDefinition[] {
  return PAGE_STEPS.filter((s) => (signedIn || !s.needsAccount) && !(withNativeChecks && s === controlPlaneStep));
}

export async function runPageNetworkTest(
  input: PageTestInput,
  probes: PageProbes,
  onProgress: ProgressListener,
  runId: string,
): Promise<NetworkReport> {
  const steps = pageStepsFor(input.session !== null, input.nativeChecks !== null);
  const base: Omit<PageStepContext, 'outcome'> = {
    probes,
    provisioningUrl: input.provisioningUrl,
    session: input.session,
    devices: input.devices,
  };
  const startedAt = probes.now();
  // One 'done' for the whole test, after both halves: each runner's own would end the progress early.
  const [page, native] = await Promise.all([
    runSteps<PageStepContext>(
      steps,
      base,
      (event) => event.kind !== 'done' && onProgress(event),
      runId,
      () => probes.now(),
    ),
    input.nativeChecks?.() ?? null,
  ]);
  const totalMs = Math.round(probes.now() - startedAt);
  const { verdict, summary } = combinedVerdict(native ? [page, native] : [page]);
  onProgress({ kind: 'done', runId, verdict, summary });
  return {
    kind: NETWORK_REPORT_KIND,
    version: NETWORK_REPORT_VERSION,
    runId,
    shell: input.shell,
    appVersion: input.appVersion.slice(0, 64),
    phase: input.session ? 'signed-in' : 'before-sign-in',
    agent: input.session?.config.agent.username ?? null,
    provisioningUrl: input.provisioningUrl.slice(0, 2048),
    startedAt: page.startedAt,
    totalMs,
    verdict,
    summary: summary.slice(0, 2000),
    steps: reportStepsFrom([...page.steps, ...(native?.steps ?? [])]),
    unavailable: native ? [] : DESKTOP_ONLY_CHECKS.map((c) => ({ ...c, reason: DESKTOP_ONLY_REASON })),
  };
}
