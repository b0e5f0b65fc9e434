import { useState, type FormEvent } from 'react';
import type { AppState } from '../state/app-state.js';
import { useController } from '../state/use-app-state.js';
import { DiagnosticsPanel } from './DiagnosticsPanel.js';
import { RegistrationStatus } from './RegistrationStatus.js';

/** The sign-in card: provisioning URL + credentials; errors appear in the Registration status. */
export function SignIn({ state }: { state: AppState }) {
  const controller = useController();
  const { auth, shell } = state;
  const [url, setUrl] = useState(auth.defaultUrl);
  const [username, setUsername] = useState(auth.defaultUsername);
  const [password, setPassword] = useState('');
  const busy = auth.phase === 'signing-in';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    void controller.signIn(url, username, password);
  };

  return (
    <main className="signin">
      {/* noValidate: our own checks name the field and say what to type (see checkSignIn). */}
      <form className="card signin-card" onSubmit={submit} aria-labelledby="signin-title" aria-busy={busy} noValidate>
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-mark" />
          Clearline
        </div>
        <h1 id="signin-title">Sign in to your phone line</h1>
        <label className="field">
          <span>Provisioning URL</span>
          <input
            type="url"
            name="url"
            required
            autoComplete="url"
            placeholder="https://pbx.example.com"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Username</span>
          <input
            name="username"
            required
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            name="password"
            required
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <RegistrationStatus state={state} />
        <button type="submit" className="button primary wide" disabled={busy}>
          Sign in
        </button>
        {shell === 'web' && (
          <p className="hint">
            You are using the web softphone. A browser has no secure password store, so your password is kept only in this tab and forgotten
            when you close it.
          </p>
        )}
      </form>
      {/* Before sign-in both shells run every check that needs no account, against the URL typed above. */}
      {shell !== null && <DiagnosticsPanel state={state} provisioningUrl={url} />}
    </main>
  );
}
