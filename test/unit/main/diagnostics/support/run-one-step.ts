/** Runs steps through the real diagnostics runner on the given probes and returns one step's result. */
import { runDiagnostics } from '../../../../../main/diagnostics/index.js';
import type { StepDefinition } from '../../../../../main/diagnostics/step.js';
import type { Probes } from '../../../../../main/diagnostics/types.js';
import { config } from '../fakes.js';

/**
 * The result of `step` alone (after `extra`, the steps it reads: the media path verdict reads the
 * STUN and TURN results), so a test of one check does not depend on every other check's fakes.
 */
export async function only(step: StepDefinition, probes: Probes, extra: StepDefinition[] = []) {
  const report = await runDiagnostics(config, probes, undefined, [...extra, step]);
  return report.steps.find((s) => s.id === step.id)!;
}
