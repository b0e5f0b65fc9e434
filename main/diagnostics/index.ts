/**
 * Native network diagnostics: `runDiagnostics(config, probes, onProgress)` runs every check
 * against the provisioned servers and resolves to the report. Plain Node, no `electron`: the app
 * passes probes with Chromium's proxy resolver, the CLI `defaultProbes()`.
 */
import { randomUUID } from 'node:crypto';
import { runSteps } from '../../common/diagnostics/runner.js';
import type { StepDefinition } from './step.js';
import { dnsStep } from './steps/dns.js';
import { proxyStep } from './steps/proxy.js';
import { clockStep, dscpStep, pathQualityStep } from './steps/reflector-steps.js';
import { sipWebSocketStep } from './steps/sip-websocket.js';
import { tcpStep } from './steps/tcp.js';
import { mediaPathStep, turnTcpStep, turnTlsStep, turnUdpStep } from './steps/turn.js';
import { natStep, stunStep } from './steps/udp.js';
import { vpnStep } from './steps/vpn.js';
import { stepContext } from './step-context.js';
import { targetsFromConfig } from './targets.js';
import type { DiagnosticsConfig, ProgressListener, Probes, Report } from './types.js';

export { defaultProbes } from './probes/node.js';
export { renderReport } from './render.js';
export { probeSipEndpoint } from './sip-endpoint-probe.js';
export { runWithoutControlPlane } from './without-control-plane.js';
export { runProvisioned } from './provisioned-run.js';
export type { DiagnosticsConfig, Probes, Report, ProgressListener } from './types.js';

export const STEPS: StepDefinition[] = [
  dnsStep,
  vpnStep,
  tcpStep,
  sipWebSocketStep,
  stunStep,
  natStep,
  turnUdpStep,
  turnTcpStep,
  turnTlsStep,
  mediaPathStep,
  dscpStep,
  proxyStep,
  pathQualityStep,
  clockStep,
];

/** A subset of STEPS by id; a step needs the steps it reads (`after`) selected too. */
export function selectSteps(ids: string[]): StepDefinition[] {
  const known = new Set(STEPS.map((s) => s.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new Error(`unknown step(s) ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  const chosen = STEPS.filter((s) => ids.includes(s.id));
  for (const s of chosen) {
    const missing = (s.after ?? []).filter((d) => !ids.includes(d));
    if (missing.length) throw new Error(`step ${s.id} also needs ${missing.join(', ')}`);
  }
  return chosen;
}

export function runDiagnostics(
  config: DiagnosticsConfig,
  probes: Probes,
  onProgress: ProgressListener = () => {},
  steps: StepDefinition[] = STEPS,
): Promise<Report> {
  return runSteps(steps, stepContext(config, targetsFromConfig(config), probes), onProgress, randomUUID(), probes.now);
}
