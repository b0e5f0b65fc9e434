import type { DiagnosticProgress, DiagnosticStepResult } from '../../common/contract/index.js';
import type { NetworkReport } from '../../common/network-report.js';

/** The network test's progress as the Diagnostics panel shows it. */
export type DiagnosticsState =
  | { readonly phase: 'idle' }
  | {
      readonly phase: 'running' | 'done';
      readonly runId: string;
      readonly current: string | null;
      readonly steps: readonly DiagnosticStepResult[];
      readonly verdict: DiagnosticStepResult['verdict'] | null;
      readonly summary: string | null;
    }
  | { readonly phase: 'failed'; readonly message: string };

/** Why the web softphone has no network test: its host's 'not-available' error and the panel say it. */
export const DIAGNOSTICS_NEED_DESKTOP =
  'Network checks need the Clearline desktop app: a browser tab cannot see VPN routes, DSCP marking, firewall ports or proxy settings.';

export const DIAGNOSTICS_IDLE: DiagnosticsState = { phase: 'idle' };

export function diagnosticsStarted(runId: string): DiagnosticsState {
  return { phase: 'running', runId, current: null, steps: [], verdict: null, summary: null };
}

/** A finished report shown again (the last one kept, or one opened from a file) as a finished run. */
export function diagnosticsShown(report: NetworkReport): DiagnosticsState {
  return { phase: 'done', runId: report.runId, current: null, steps: report.steps, verdict: report.verdict, summary: report.summary };
}

/** Applies one progress event; events of another run (a stale one) are ignored. */
export function applyDiagnosticsProgress(state: DiagnosticsState, event: DiagnosticProgress): DiagnosticsState {
  if (state.phase !== 'running' || event.runId !== state.runId) return state;
  switch (event.kind) {
    case 'started':
      return { ...state, current: event.title };
    case 'finished':
      return {
        ...state,
        current: null,
        steps: [...state.steps.filter((s) => s.id !== event.step.id), event.step],
      };
    case 'done':
      return { ...state, phase: 'done', current: null, verdict: event.verdict, summary: event.summary };
  }
}
