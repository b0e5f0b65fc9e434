import type { AppState } from '../state/app-state.js';
import { useController } from '../state/use-app-state.js';
import { DESKTOP_ONLY_CHECKS } from '../network-test/network-test.js';
import { reportHtmlHref, reportJsonHref } from '../network-test/report-export.js';
import { selectPasswordStorageText } from '../state/selectors.js';

const VERDICT_TEXT = { pass: 'Pass', warn: 'Warning', fail: 'Fail', skip: 'Skipped' } as const;

/** The desktop app's native network test; in the web shell, the page's own checks, naming the ones that need the desktop. */
export function DiagnosticsPanel({ state, provisioningUrl }: { state: AppState; provisioningUrl?: string }) {
  const controller = useController();
  const { diagnostics } = state;
  if (state.shell !== 'electron') return <WebNetworkTest state={state} provisioningUrl={provisioningUrl} />;
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
      <Results state={state} />
    </section>
  );
}

function Results({ state }: { state: AppState }) {
  const { diagnostics } = state;
  return (
    <>
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
    </>
  );
}

/** The web softphone's network test: one line on what needs the desktop app, then the page's checks. */
function WebNetworkTest({ state, provisioningUrl }: { state: AppState; provisioningUrl: string | undefined }) {
  const controller = useController();
  const running = state.diagnostics.phase === 'running';
  const last = state.networkReport;
  return (
    <section className="card diagnostics" aria-label="Network test" aria-busy={running}>
      <h2 className="section-title">Network test</h2>
      <p className="muted">Needs the desktop app: {DESKTOP_ONLY_CHECKS.map((c) => c.title).join(', ')}.</p>
      <button type="button" className="button primary" disabled={running} onClick={() => void controller.runDiagnostics(provisioningUrl)}>
        {running ? 'Testing…' : 'Run network test'}
      </button>
      {state.diagnostics.phase === 'failed' && (
        <p className="field-error" role="alert">
          {state.diagnostics.message}
        </p>
      )}
      <Results state={state} />
      {last && !running && (
        <p className="report-actions">
          <span className="muted">Finished in {(last.report.totalMs / 1000).toFixed(1)} s. </span>
          <a
            className="button quiet small"
            download={`clearline-network-test-${last.report.runId}.json`}
            href={reportJsonHref(last.report)}
          >
            Export JSON
          </a>
          <a
            className="button quiet small"
            download={`clearline-network-test-${last.report.runId}.html`}
            href={reportHtmlHref(last.report)}
          >
            Export HTML
          </a>
          {state.config && (
            <button
              type="button"
              className="button quiet small"
              disabled={last.sentId !== null}
              onClick={() => void controller.sendNetworkReport()}
            >
              {last.sentId ? 'Sent to helpdesk' : 'Send to helpdesk'}
            </button>
          )}
          {last.sentId && <span role="status"> Report {last.sentId} sent to the helpdesk.</span>}
        </p>
      )}
    </section>
  );
}
