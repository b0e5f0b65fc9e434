import type { AppState } from '../state/app-state.js';
import { selectRegistrationText, selectRegistrationTone } from '../state/selectors.js';

/** The one "Registration" live region: sign-in errors while signed out, SIP registration after. */
export function RegistrationStatus({ state }: { state: AppState }) {
  const tone = selectRegistrationTone(state);
  return (
    <div role="status" aria-label="Registration" className={`registration tone-${tone}`}>
      <span className="dot" aria-hidden="true" />
      <span>{selectRegistrationText(state)}</span>
    </div>
  );
}
