import type { DiagnosticProgress, DiagnosticStepResult } from '../contract/index.js';

/**
 * The network test's step model, shared by every shell: the desktop's native checks
 * (main/diagnostics/) and the checks only a page can make (renderer/network-test/) are both
 * steps of this shape, run by the one runner (runner.ts) and judged by the one verdict rule
 * (verdict.ts). What a step may touch is its context, `C`, which each shell injects.
 */

export type Verdict = DiagnosticStepResult['verdict'];

export interface StepOutcome {
  verdict: Verdict;
  explanation: string;
  fix?: string;
  values: Record<string, unknown>;
}

/** What every step's context offers, whatever the shell: the outcomes of the steps it waits for. */
export interface StepResults {
  /** The outcome of a step listed in `after`. */
  outcome(id: string): StepOutcome | undefined;
}

export interface StepDefinitionOf<C extends StepResults> {
  id: string;
  title: string;
  /** Steps whose outcome this one reads; it starts when they have finished. */
  after?: string[];
  /** A failure here means calls cannot work, so the overall verdict fails. */
  blocking: boolean;
  timeoutMs?: number;
  run(ctx: C): Promise<StepOutcome>;
}

/** A finished run: every step's result in the order the steps were listed. */
export interface RunResult {
  runId: string;
  verdict: Verdict;
  summary: string;
  startedAt: string;
  totalMs: number;
  steps: DiagnosticStepResult[];
}

export type ProgressListener = (event: DiagnosticProgress) => void;

export const outcome = (
  verdict: StepOutcome['verdict'],
  explanation: string,
  values: Record<string, unknown> = {},
  fix?: string,
): StepOutcome => (fix ? { verdict, explanation, values, fix } : { verdict, explanation, values });

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
