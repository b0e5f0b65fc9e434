import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDiagnosticsProgress, diagnosticsStarted, DIAGNOSTICS_IDLE } from '../../../../renderer/state/diagnostics.js';

test('diagnostics progress: steps of the current run accumulate, stale runs are ignored', () => {
  const step = { id: 'udp', title: 'UDP to TURN', verdict: 'pass' as const, explanation: 'ok', values: {}, durationMs: 3 };
  let state = diagnosticsStarted('run-2');
  state = applyDiagnosticsProgress(state, { kind: 'started', runId: 'run-2', stepId: 'udp', title: 'UDP to TURN' });
  assert.equal(state.phase === 'running' && state.current, 'UDP to TURN');
  state = applyDiagnosticsProgress(state, { kind: 'finished', runId: 'run-1', step: { ...step, id: 'stale' } });
  state = applyDiagnosticsProgress(state, { kind: 'finished', runId: 'run-2', step });
  state = applyDiagnosticsProgress(state, { kind: 'finished', runId: 'run-2', step: { ...step, verdict: 'fail' } });
  assert.equal(state.phase === 'running' && state.steps.length, 1, 'a re-reported step replaces itself');
  state = applyDiagnosticsProgress(state, { kind: 'done', runId: 'run-2', verdict: 'fail', summary: '1 failed' });
  assert.equal(state.phase, 'done');
  assert.equal(state.phase === 'done' && state.verdict, 'fail');
  assert.equal(applyDiagnosticsProgress(DIAGNOSTICS_IDLE, { kind: 'done', runId: 'x', verdict: 'pass', summary: '' }), DIAGNOSTICS_IDLE);
});
