import { useEffect, type ChangeEvent } from 'react';
import type { AppState } from '../state/app-state.js';
import { useController } from '../state/use-app-state.js';
import { DESKTOP_ONLY_CHECKS } from '../network-test/network-test.js';
import { reportHtmlHref, reportJsonHref } from '../network-test/report-export.js';
import { selectPasswordStorageText } from '../state/selectors.js';

const VERDICT_TEXT = { pass: 'Pass', warn: 'Warning', fail: 'Fail', skip: 'Skipped' } as const;

/**
 * The network test, one button in both shells and before sign-in too: the page's checks, plus the
 * native ones in the desktop app (the web softphone names those in one line). The last result
 * kept for this agent shows when the panel opens; a saved JSON report can be opened again.
 */
export function DiagnosticsPanel({ state, provisioningUrl }: { state: AppState; provisioningUrl?: string }) {
  const controller = useController();
  const running = state.diagnostics.phase === 'running';
  const passwordStorage = state.shell === 'electron' ? selectPasswordStorageText(state) : null;
  const agent = state.config?.agent.username ?? null;
  // Shown again per agent (before sign-in: per provisioning URL), so it follows sign-in and the URL typed.
  useEffect(() => {
    void controller.showLastNetworkReport(provisioningUrl);
  }, [controller, provisioningUrl, agent]);
  const openFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (file) void file.text().then((text) => controller.openNetworkReport(text));
  };
  return (
    <section className="card diagnostics" aria-label="Network test" aria-busy={running}>
      <h2 className="section-title">Network test</h2>
      {passwordStorage && (
        <p className={state.passwordStorage === 'os-encrypted' ? 'muted' : 'field-error'} aria-label="Saved password protection">
          {passwordStorage}
        </p>
      )}
      {state.shell === 'web' && <p className="muted">Needs the desktop app: {DESKTOP_ONLY_CHECKS.map((c) => c.title).join(', ')}.</p>}
      <p className="report-actions">
        <button type="button" className="button primary" disabled={running} onClick={() => void controller.runDiagnostics(provisioningUrl)}>
          {running ? 'Testing…' : 'Run network test'}
        </button>
        <label className="button quiet small">
          Open saved report
          <input type="file" accept="application/json,.json" className="visually-hidden" disabled={running} onChange={openFile} />
        </label>
      </p>
      {state.diagnostics.phase === 'failed' && (
        <p className="field-error" role="alert">
          {state.diagnostics.message}
        </p>
      )}
      <Results state={state} />
      <ReportActions state={state} />
    </section>
  );
}

function Results({ state }: { state: AppState }) {
  const { diagnostics } = state;
  if (diagnostics.phase !== 'running' && diagnostics.phase !== 'done') return null;
  return (
    <>
      <p role="status" className="muted">
        {diagnostics.phase === 'done'
          ? `${VERDICT_TEXT[diagnostics.verdict ?? 'skip']}: ${diagnostics.summary ?? ''}`
          : diagnostics.current
            ? `Checking ${diagnostics.current}… (${diagnostics.steps.length} done)`
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
  );
}

const ORIGIN_TEXT = { run: 'Finished', kept: 'Last test', file: 'Opened from a file' } as const;

/** Export and "send to helpdesk" for the report on show, whichever shell made it. */
function ReportActions({ state }: { state: AppState }) {
  const controller = useController();
  const last = state.networkReport;
  if (!last || state.diagnostics.phase === 'running') return null;
  const { report } = last;
  return (
    <p className="report-actions" aria-label="Report">
      <span className="muted">
        {ORIGIN_TEXT[last.origin]}: {new Date(report.startedAt).toLocaleString()}, took {(report.totalMs / 1000).toFixed(1)} s
        {report.agent ? ` (${report.agent})` : ' (before sign-in)'}.{' '}
      </span>
      <a className="button quiet small" download={`clearline-network-test-${report.runId}.json`} href={reportJsonHref(report)}>
        Export JSON
      </a>
      <a className="button quiet small" download={`clearline-network-test-${report.runId}.html`} href={reportHtmlHref(report)}>
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
  );
}
