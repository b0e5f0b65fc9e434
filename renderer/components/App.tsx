import { useEffect } from 'react';
import type { AppState } from '../state/app-state.js';
import { documentTitle } from '../state/document-title.js';
import { selectHasLiveCall } from '../state/selectors.js';
import { useAppState, useController } from '../state/use-app-state.js';
import { CallHistory } from './CallHistory.js';
import { CallStage } from './CallStage.js';
import { DiagnosticsPanel } from './DiagnosticsPanel.js';
import { Notice } from './Notice.js';
import { RegistrationStatus } from './RegistrationStatus.js';
import { SettingsPanel } from './SettingsPanel.js';
import { SignIn } from './SignIn.js';

const whole = (state: AppState) => state;

export function App() {
  const state = useAppState(whole);
  const title = documentTitle(state);
  useEffect(() => {
    document.title = title;
  }, [title]);
  if (state.auth.phase === 'starting') {
    return (
      <main className="starting" aria-busy="true">
        <p className="muted">Starting Clearline…</p>
      </main>
    );
  }
  if (state.auth.phase !== 'signed-in') return <SignIn state={state} />;
  return <Softphone state={state} />;
}

function Softphone({ state }: { state: AppState }) {
  const controller = useController();
  const agent = state.config?.agent;
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand" aria-hidden="true">
          <span className="brand-mark" />
          Clearline
        </div>
        <RegistrationStatus state={state} />
        <div className="account">
          {agent && <span className="agent-name">{agent.displayName || agent.username}</span>}
          <button type="button" className="button quiet small" onClick={() => void controller.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <Notice message={state.notice} />
      <main className="layout">
        <h1 className="visually-hidden">Softphone</h1>
        <CallStage state={state} />
        <div className="side">
          <CallHistory
            entries={state.history}
            domain={state.config?.sip.domain ?? null}
            canDial={state.phone.registration.kind === 'registered' && !selectHasLiveCall(state)}
          />
          <SettingsPanel settings={state.settings} devices={state.devices} />
          <DiagnosticsPanel state={state} />
        </div>
      </main>
      {state.shell === 'web' && (
        <footer className="footnote muted">
          Web softphone{state.version ? ` ${state.version}` : ''}: your password is kept only in this tab (a browser has no secure password
          store).
        </footer>
      )}
    </div>
  );
}
