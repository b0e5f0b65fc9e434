import type { AppState } from '../state/app-state.js';
import { useController } from '../state/use-app-state.js';
import { DIAGNOSTICS_NEED_DESKTOP } from '../state/diagnostics.js';
import { selectPasswordStorageText } from '../state/selectors.js';

const VERDICT_TEXT = { pass: 'Pass', warn: 'Warning', fail: 'Fail', skip: 'Skipped' } as const;

/** The desktop app's network test; in the web shell, says why it is not available. */
export function DiagnosticsPanel({ state }: { state: AppState }) {
  const controller = useController();
  const { diagnostics } = state;
  if (state.shell !== 'electron') {
    return (
      <section className="card diagnostics" aria-label="Network test">
        <h2 className="section-title">Network test</h2>
        <p className="unavailable">
          <strong>Not available in the browser.</strong> {DIAGNOSTICS_NEED_DESKTOP}
        </p>
      </section>
    );
  }
  const running = diagnostics.phase === 'running';
  const passwordStorage = selectPasswordStorageText(state);
  return (
    <section className="card diagnostics" aria-label="Network test" aria-busy={running}>
      <h2 className="section-title">Network test</h2>
      {passwordStorage && (
        <p className={state.passwordStorage === 'os-encrypted' ? 'muted' : 'field-error'} aria-label="Saved password protection">
          {passwordStorage}
        </p>
      )}
      <button type="button" className="button primary" disabled={running} onClick={() => void controller.runDiagnostics()}>
        {running ? 'Testing…' : 'Run network test'}
      </button>
      {diagnostics.phase === 'failed' && (
        <p className="field-error" role="alert">
          {diagnostics.message}
        </p>
      )}
      {(diagnostics.phase === 'running' || diagnostics.phase === 'done') && (
        <>
          <p role="status" className="muted">
            {diagnostics.phase === 'done'
              ? `${VERDICT_TEXT[diagnostics.verdict ?? 'skip']}: ${diagnostics.summary ?? ''}`
              : diagnostics.current
                ? `Checking ${diagnostics.current}…`
                : 'Starting…'}
          </p>
          <ol className="steps" aria-label="Network test results">
            {diagnostics.steps.map((step) => (
              <li key={step.id} className={`step verdict-${step.verdict}`}>
                <span className="verdict">{VERDICT_TEXT[step.verdict]}</span>
                <span className="step-title">{step.title}</span>
                <span className="step-text">{step.explanation}</span>
                {step.fix && <span className="step-fix">Fix: {step.fix}</span>}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
