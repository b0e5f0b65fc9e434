/**
 * Runs step definitions as a dependency graph: every step whose `after` steps are done starts at
 * once, so independent checks overlap. Each start and finish is reported as it happens.
 */
import type { DiagnosticStepResult } from '../contract/index.js';
import { rejectAfter } from '../timeout.js';
import { overallVerdict } from './verdict.js';
import {
  errorText,
  outcome,
  type ProgressListener,
  type RunResult,
  type StepDefinitionOf,
  type StepOutcome,
  type StepResults,
} from './step.js';

const DEFAULT_STEP_TIMEOUT_MS = 20_000;

export interface RunOptions {
  /** When the run began (`now()` ms), if before this call: its time counts from there. */
  origin?: number;
  /**
   * Steps already run (or running) elsewhere against the same servers, by id: their results are
   * awaited and taken as they are — not run a second time, not reported a second time.
   */
  settled?: ReadonlyMap<string, Promise<DiagnosticStepResult>>;
}

export async function runSteps<C extends StepResults>(
  steps: StepDefinitionOf<C>[],
  base: Omit<C, 'outcome'>,
  onProgress: ProgressListener,
  runId: string,
  now: () => number,
  options: RunOptions = {},
): Promise<RunResult> {
  const ids = new Set(steps.map((s) => s.id));
  for (const s of steps) {
    for (const dep of s.after ?? []) if (!ids.has(dep)) throw new Error(`step ${s.id} waits for unknown step ${dep}`);
  }
  // A listener that throws (say, a window closed mid-run) must not abort the checks.
  const emit: ProgressListener = (event) => {
    try {
      onProgress(event);
    } catch {
      /* progress is best effort; the report still resolves */
    }
  };
  const startedAt = options.origin ?? now();
  const outcomes = new Map<string, StepOutcome>();
  const results = new Map<string, DiagnosticStepResult>();
  const context = { ...base, outcome: (id: string) => outcomes.get(id) } as C;
  const running = new Map<string, Promise<void>>();

  const runOne = async (step: StepDefinitionOf<C>) => {
    const earlier = options.settled?.get(step.id);
    if (earlier) {
      const result = await earlier;
      outcomes.set(step.id, outcome(result.verdict, result.explanation, result.values, result.fix));
      results.set(step.id, result);
      return;
    }
    emit({ kind: 'started', runId, stepId: step.id, title: step.title });
    const t0 = now();
    let o: StepOutcome;
    try {
      const timeout = step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
      o = await rejectAfter(step.run(context), timeout, `did not finish within ${timeout} ms`);
    } catch (e) {
      o = { verdict: 'fail', explanation: `the check itself failed: ${errorText(e)}`, values: {} };
    }
    outcomes.set(step.id, o);
    const result: DiagnosticStepResult = {
      id: step.id,
      title: step.title,
      ...o,
      durationMs: Math.round(now() - t0),
      startMs: Math.round(t0 - startedAt),
    };
    results.set(step.id, result);
    emit({ kind: 'finished', runId, step: result });
  };

  // Start whatever is ready; each finish re-examines the rest. Bounded: every pass starts ≥ 1 step
  // or awaits one that is running, and the graph was checked above for unknown names.
  while (results.size < steps.length) {
    for (const s of steps) {
      if (running.has(s.id)) continue;
      if ((s.after ?? []).every((d) => results.has(d))) running.set(s.id, runOne(s));
    }
    const pending = [...running].filter(([id]) => !results.has(id)).map(([, p]) => p);
    if (pending.length === 0) throw new Error('diagnostic steps have a dependency cycle');
    await Promise.race(pending);
  }

  return finishRun({ runId, origin: startedAt, steps, results: steps.map((s) => results.get(s.id)!) }, now, emit);
}

/** A run to judge: its steps (which of them block), their results in the order to report them. */
export interface FinishingRun {
  runId: string;
  /** When the run began (`now()` ms): its time counts from there. */
  origin: number;
  steps: readonly { id: string; blocking: boolean }[];
  results: DiagnosticStepResult[];
  /** Said after the verdict's summary (what the host checks found toward an unreachable control plane). */
  summaryTail?: string;
}

/**
 * A run's end: the verdict of the whole (verdict.ts), one 'done' that says it, the time from the
 * origin. Every run ends here: `runSteps`'s own, and a run composed of several (the desktop's
 * provisioning attempt beside its host checks, main/diagnostics/provisioned-run.ts), whose
 * runners' own 'done' would each judge only a part.
 */
export function finishRun(run: FinishingRun, now: () => number, onProgress: ProgressListener): RunResult {
  const judged = overallVerdict(run.steps, run.results);
  const summary = `${judged.summary}${run.summaryTail ?? ''}`;
  onProgress({ kind: 'done', runId: run.runId, verdict: judged.verdict, summary });
  return {
    runId: run.runId,
    verdict: judged.verdict,
    summary,
    startedAt: new Date(run.origin).toISOString(),
    totalMs: Math.round(now() - run.origin),
    steps: run.results,
  };
}
