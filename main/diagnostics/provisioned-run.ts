/**
 * The CLI's run: read the agent's configuration from the control plane and test. The host checks
 * (without-control-plane.ts) do not wait for that read: their results are needed either way, and
 * a black-holed control plane only answers with its timeout. They start with the read:
 * - the read fails: the report is the failed provisioning step and the host checks, which by then
 *   have mostly finished;
 * - the read succeeds: the full run proceeds, and the host checks already run against the same
 *   servers are taken as they are (each check runs and reports once). A configuration naming
 *   other servers than the last one has them checked again, against the new servers.
 */
import { randomUUID } from 'node:crypto';
import type { DiagnosticStepResult } from '../../common/contract/index.js';
import { finishRun, runSteps } from '../../common/diagnostics/runner.js';
import { errorText, type StepDefinition } from './step.js';
import { stepContext } from './step-context.js';
import { sameServers, targetsFromConfig } from './targets.js';
import type { DiagnosticsConfig, ProgressListener, Probes, Report } from './types.js';
import { HOST_NAME_STEPS, hostChecksReport, startHostChecks, type HostChecksInput } from './without-control-plane.js';

export interface ProvisioningAttempt {
  /** Reads the agent's configuration from the control plane (at the provisioning URL). */
  read(): Promise<DiagnosticsConfig>;
  /** What to do about a failed read, in words for the agent. */
  fixFor(e: unknown): string;
}

export interface ProvisionedRunInput extends Omit<HostChecksInput, 'steps'> {
  provisioning: ProvisioningAttempt;
  /** The steps of a full run (the CLI's --only); the host checks are those of them in HOST_NAME_STEPS. */
  steps: StepDefinition[];
}

const TITLE = 'Provisioning';

export async function runProvisioned(
  input: ProvisionedRunInput,
  probes: Probes,
  onProgress: ProgressListener = () => {},
  runId: string = randomUUID(),
): Promise<Report> {
  const origin = probes.now();
  onProgress({ kind: 'started', runId, stepId: 'provisioning', title: TITLE });
  const hostSteps = HOST_NAME_STEPS.filter((s) => input.steps.includes(s));
  const host = startHostChecks({ ...input, steps: hostSteps }, probes, onProgress, runId, origin);
  const provisioningResult = (verdict: 'pass' | 'fail', explanation: string, values: Record<string, unknown>, fix?: string) => {
    const step: DiagnosticStepResult = {
      id: 'provisioning',
      title: TITLE,
      verdict,
      explanation,
      ...(fix === undefined ? {} : { fix }),
      values: { url: input.provisioningUrl, ...values },
      durationMs: Math.round(probes.now() - origin),
      startMs: 0,
    };
    onProgress({ kind: 'finished', runId, step });
    return step;
  };

  let config: DiagnosticsConfig;
  try {
    config = await input.provisioning.read();
  } catch (e) {
    const failed = provisioningResult(
      'fail',
      errorText(e),
      { lastConfiguration: input.lastConfig ? 'used for the host checks' : 'none on this desktop' },
      input.provisioning.fixFor(e),
    );
    return hostChecksReport(host, failed, hostSteps, { runId, origin, probes, onProgress });
  }
  const read = provisioningResult('pass', `read the configuration of ${config.client.agent.username}`, {});
  const targets = targetsFromConfig(config);
  const same = sameServers(host.targets, targets);
  const [full] = await Promise.all([
    runSteps(input.steps, stepContext(config, targets, probes), (event) => event.kind !== 'done' && onProgress(event), runId, probes.now, {
      origin,
      ...(same ? { settled: host.results } : {}),
    }),
    // Other servers: the host checks' results are not used, but their sockets are closed before the run ends.
    host.run,
  ]);
  // No "found:" tail (hostChecksReport's): with the configuration read, every step ran and says its own finding.
  return finishRun(
    { runId, origin, steps: [{ id: 'provisioning', blocking: true }, ...input.steps], results: [read, ...full.steps] },
    probes.now,
    onProgress,
  );
}
