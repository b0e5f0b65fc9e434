import type { DiagnosticStepResult } from '../contract/index.js';
import type { Verdict } from './step.js';

/**
 * The overall verdict answers "will calls work here?": a failed blocking step (signaling, no media
 * path at all) fails the run; any other failure or warning means calls work but something is
 * degraded (e.g. UDP blocked but TURN over TLS works), which is a warning.
 */
export function overallVerdict(
  steps: readonly { id: string; blocking: boolean }[],
  results: readonly DiagnosticStepResult[],
): { verdict: Verdict; summary: string } {
  const blocking = new Set(steps.filter((s) => s.blocking).map((s) => s.id));
  const failedBlocking = results.filter((r) => r.verdict === 'fail' && blocking.has(r.id));
  if (failedBlocking.length) {
    return { verdict: 'fail', summary: `Calls will not work: ${failedBlocking.map((r) => r.explanation).join('; ')}` };
  }
  const degraded = results.filter((r) => r.verdict === 'fail' || r.verdict === 'warn');
  const media = results.find((r) => r.id === 'media-path');
  if (degraded.length) {
    const mediaLeads = media?.verdict === 'warn';
    const others = degraded.filter((r) => !(mediaLeads && r === media));
    const lead = mediaLeads ? media.explanation : 'Calls will work';
    return { verdict: 'warn', summary: others.length ? `${lead}; check: ${others.map((r) => r.title).join(', ')}` : lead };
  }
  return { verdict: 'pass', summary: media?.explanation ?? 'All checks passed' };
}

const SEVERITY: Record<Verdict, number> = { skip: 0, pass: 1, warn: 2, fail: 3 };

/**
 * The verdict of runs made side by side (the desktop's page checks and its native checks): the
 * worst one, said by the summaries of the runs that have it.
 */
export function combinedVerdict(runs: readonly { verdict: Verdict; summary: string }[]): { verdict: Verdict; summary: string } {
  const worst = runs.reduce<Verdict>((w, r) => (SEVERITY[r.verdict] > SEVERITY[w] ? r.verdict : w), 'skip');
  const summary = runs
    .filter((r) => r.verdict === worst)
    .map((r) => r.summary)
    .join('; ');
  return { verdict: worst, summary };
}
