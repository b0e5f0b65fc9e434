/**
 * The network test when the control plane cannot be asked for the agent's configuration — it is
 * unreachable (a VPN black-holing it, a firewall, DNS) or nobody is signed in yet. The agent who
 * cannot reach it is the one who needs the test most, so it does not stop at "provisioning
 * failed": every check that needs only a host name runs against the provisioning host and the
 * last configuration that worked, and the summary says what they found toward the host.
 */
import { randomUUID } from 'node:crypto';
import type { ClientConfig, DiagnosticStepResult } from '../../common/contract/index.js';
import { runSteps } from '../../common/diagnostics/runner.js';
import { overallVerdict } from '../../common/diagnostics/verdict.js';
import type { StepContext, StepDefinition } from './step.js';
import { stepContext } from './step-context.js';
import { dnsStep } from './steps/dns.js';
import { proxyStep } from './steps/proxy.js';
import { sipWebSocketStep } from './steps/sip-websocket.js';
import { tcpStep } from './steps/tcp.js';
import { vpnStep } from './steps/vpn.js';
import { targetsWithoutControlPlane } from './targets.js';
import type { ProgressListener, Probes, Report } from './types.js';

/**
 * The checks that need a host name and nothing the control plane hands out (TURN credentials):
 * DNS, the route and interface toward each host, TCP/TLS reachability, the SIP WebSocket
 * upgrade (toward the last configuration's server) and the proxy.
 */
export const HOST_NAME_STEPS: StepDefinition[] = [dnsStep, vpnStep, tcpStep, sipWebSocketStep, proxyStep];

export interface WithoutControlPlaneInput {
  /** The provisioning URL (typed, remembered or the policy's). */
  provisioningUrl: string;
  /** The configuration of the last sign-in that worked on this desktop, if any (holds no secret). */
  lastConfig: ClientConfig | null;
  mediaGateway?: string;
  /**
   * Why the configuration could not be read and when that attempt began (`probes.now()` ms), so
   * the run's time includes the wait for the control plane. Null before sign-in: nobody asked.
   */
  provisioningFailure: { message: string; fix: string; startedAt: number } | null;
  /** A subset of HOST_NAME_STEPS (the CLI's --only); all of them by default. */
  steps?: StepDefinition[];
}

interface PathValue {
  role: string;
  host: string;
  address: string | null;
  interface: string | null;
  gateway: string | null;
  viaVpn: boolean;
}
interface TcpValue {
  endpoint: string;
  role: string;
  ok: boolean;
  error?: string;
}

/** One sentence per signalling host: the interface (and gateway) traffic toward it leaves by, and whether TCP/TLS got through. */
function whatWasFound(steps: readonly DiagnosticStepResult[]): string {
  const paths = (steps.find((s) => s.id === 'vpn')?.values.paths ?? []) as PathValue[];
  const checks = (steps.find((s) => s.id === 'tcp-tls')?.values.checks ?? []) as TcpValue[];
  const found: string[] = [];
  for (const p of paths.filter((x) => x.role === 'control-plane' || x.role === 'sip-websocket')) {
    if (!p.interface) continue;
    const via = p.gateway ? ` via ${p.gateway}` : '';
    found.push(`traffic to ${p.host} (${p.role}) leaves by interface ${p.interface}${via}${p.viaVpn ? ', a VPN tunnel' : ''}`);
  }
  for (const c of checks.filter((x) => !x.ok)) found.push(`${c.endpoint}: ${c.error ?? 'unreachable'}`);
  return found.length ? `; found: ${found.join('; ')}` : '';
}

export async function runWithoutControlPlane(
  input: WithoutControlPlaneInput,
  probes: Probes,
  onProgress: ProgressListener = () => {},
  runId: string = randomUUID(),
): Promise<Report> {
  const startedAt = input.provisioningFailure?.startedAt ?? probes.now();
  const steps = input.steps ?? HOST_NAME_STEPS;
  const results: DiagnosticStepResult[] = [];
  const failure = input.provisioningFailure;
  if (failure) {
    const provisioning: DiagnosticStepResult = {
      id: 'provisioning',
      title: 'Provisioning',
      verdict: 'fail',
      explanation: failure.message,
      fix: failure.fix,
      values: { url: input.provisioningUrl, lastConfiguration: input.lastConfig ? 'used for the host checks' : 'none on this desktop' },
      durationMs: Math.round(probes.now() - failure.startedAt),
    };
    results.push(provisioning);
    onProgress({ kind: 'finished', runId, step: provisioning });
  }
  const targets = targetsWithoutControlPlane(input.provisioningUrl, input.lastConfig, input.mediaGateway);
  // The runner's own 'done' would judge the host checks alone; the run's verdict includes provisioning.
  const hostRun = await runSteps<StepContext>(
    steps,
    stepContext(null, targets, probes),
    (event) => event.kind !== 'done' && onProgress(event),
    runId,
    probes.now,
  );
  results.push(...hostRun.steps);
  const judged = [...(failure ? [{ id: 'provisioning', blocking: true }] : []), ...steps];
  const { verdict, summary } = overallVerdict(judged, results);
  const said = `${summary}${whatWasFound(results)}`;
  onProgress({ kind: 'done', runId, verdict, summary: said });
  return {
    runId,
    verdict,
    summary: said,
    startedAt: new Date(startedAt).toISOString(),
    totalMs: Math.round(probes.now() - startedAt),
    steps: results,
  };
}
