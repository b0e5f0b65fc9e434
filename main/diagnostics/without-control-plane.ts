/**
 * The network test when the control plane cannot be asked for the agent's configuration — it is
 * unreachable (a VPN black-holing it, a firewall, DNS) or nobody is signed in yet. The agent who
 * cannot reach it is the one who needs the test most, so it does not stop at "provisioning
 * failed": every check that needs only a host name runs against the provisioning host and the
 * last configuration that worked, and the summary says what they found toward the host.
 */
import { randomUUID } from 'node:crypto';
import type { ClientConfig, DiagnosticStepResult } from '../../common/contract/index.js';
import { finishRun, runSteps } from '../../common/diagnostics/runner.js';
import type { RunResult } from '../../common/diagnostics/step.js';
import type { StepContext, StepDefinition } from './step.js';
import { stepContext } from './step-context.js';
import { dnsStep } from './steps/dns.js';
import { proxyStep } from './steps/proxy.js';
import { sipWebSocketStep } from './steps/sip-websocket.js';
import { tcpStep } from './steps/tcp.js';
import { stunStep } from './steps/udp.js';
import { vpnStep } from './steps/vpn.js';
import { targetsWithoutControlPlane, type IceServer, type Targets } from './targets.js';
import type { ProgressListener, Probes, Report } from './types.js';

/**
 * The checks that need a host name and nothing the control plane hands out (TURN credentials):
 * DNS, the route and interface toward each host, TCP/TLS reachability (the TURN TCP/TLS ports
 * too), the SIP WebSocket upgrade (toward the last configuration's server), a STUN Binding to the
 * TURN UDP ports (answered without credentials; no allocation) and the proxy.
 */
export const HOST_NAME_STEPS: StepDefinition[] = [dnsStep, vpnStep, tcpStep, sipWebSocketStep, stunStep, proxyStep];

export interface HostChecksInput {
  /** The provisioning URL (typed, remembered or the policy's). */
  provisioningUrl: string;
  /** The configuration of the last sign-in that worked on this desktop, if any (holds no secret). */
  lastConfig: ClientConfig | null;
  /** The STUN/TURN servers of that configuration: addresses only, their credentials are never kept. */
  lastIceServers?: readonly IceServer[];
  mediaGateway?: string;
  /** A subset of HOST_NAME_STEPS (the CLI's --only); all of them by default. */
  steps?: StepDefinition[];
}

/** Host checks under way: the servers they test, each step's result as soon as it is in, the whole run. */
export interface HostChecks {
  targets: Targets;
  results: ReadonlyMap<string, Promise<DiagnosticStepResult>>;
  run: Promise<RunResult>;
}

/**
 * Starts the host checks without waiting for them. The run's 'done' is not passed on: it would
 * judge the host checks alone, and whoever composes the run says the verdict of the whole.
 */
export function startHostChecks(
  input: HostChecksInput,
  probes: Probes,
  onProgress: ProgressListener,
  runId: string,
  origin: number,
): HostChecks {
  const steps = input.steps ?? HOST_NAME_STEPS;
  const targets = targetsWithoutControlPlane(input.provisioningUrl, input.lastConfig, input.lastIceServers, input.mediaGateway);
  const settle = new Map<string, { resolve(r: DiagnosticStepResult): void; reject(e: unknown): void }>();
  const results = new Map(
    steps.map((s) => [s.id, new Promise<DiagnosticStepResult>((resolve, reject) => settle.set(s.id, { resolve, reject }))]),
  );
  const run = runSteps<StepContext>(
    steps,
    stepContext(null, targets, probes),
    (event) => {
      if (event.kind === 'finished') settle.get(event.step.id)?.resolve(event.step);
      if (event.kind !== 'done') onProgress(event);
    },
    runId,
    probes.now,
    { origin },
  );
  // Whoever awaits one step's result must not wait forever on a run that broke.
  run.catch((e: unknown) => {
    for (const s of settle.values()) s.reject(e);
  });
  for (const p of results.values()) p.catch(() => {});
  return { targets, results, run };
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

/**
 * The host report: `provisioning` is the failed attempt to read the configuration (made while
 * the host checks ran), or null when nobody asked (before sign-in).
 */
export async function hostChecksReport(
  host: HostChecks,
  provisioning: DiagnosticStepResult | null,
  steps: readonly StepDefinition[],
  context: { runId: string; origin: number; probes: Probes; onProgress: ProgressListener },
): Promise<Report> {
  const hostRun = await host.run;
  const results = [...(provisioning ? [provisioning] : []), ...hostRun.steps];
  const judged = [...(provisioning ? [{ id: 'provisioning', blocking: true }] : []), ...steps];
  return finishRun(
    { runId: context.runId, origin: context.origin, steps: judged, results, summaryTail: whatWasFound(results) },
    context.probes.now,
    context.onProgress,
  );
}

/** Before sign-in: nobody to ask the control plane as, so the host checks alone. */
export function runWithoutControlPlane(
  input: HostChecksInput,
  probes: Probes,
  onProgress: ProgressListener = () => {},
  runId: string = randomUUID(),
): Promise<Report> {
  const origin = probes.now();
  const host = startHostChecks(input, probes, onProgress, runId, origin);
  return hostChecksReport(host, null, input.steps ?? HOST_NAME_STEPS, { runId, origin, probes, onProgress });
}
