import { useId } from 'react';
import { serviceLabel } from '../state/format.js';
import { useController } from '../state/use-app-state.js';
import { useDialTarget } from './use-dial-target.js';

/** The dial field (Enter calls) and one-click buttons for the provisioned service numbers. */
export function Dialpad({ numbers, disabled }: { numbers: Readonly<Record<string, string>>; disabled: boolean }) {
  const controller = useController();
  const { target, setTarget, error, submit } = useDialTarget((checked) => controller.call(checked));
  const baseId = useId();
  const errorId = `${baseId}-error`;

  const services = Object.entries(numbers).map(([key, number]) => [serviceLabel(key), number] as const);
  return (
    <section className="dialpad" aria-labelledby="dialpad-title">
      <h2 id="dialpad-title" className="section-title">
        New call
      </h2>
      <form className="dial-form" onSubmit={(e) => void submit(e)}>
        <label className="field grow">
          <span>Number or colleague</span>
          {/* Focus returns here whenever the phone is idle again (after sign-in, after each call). */}
          <input
            name="target"
            autoFocus
            inputMode="tel"
            autoComplete="off"
            spellCheck={false}
            placeholder="+1 555 0100 or bob"
            value={target}
            aria-invalid={error !== null}
            aria-describedby={error ? errorId : undefined}
            onChange={(e) => setTarget(e.target.value)}
          />
        </label>
        <button type="submit" className="button call" disabled={disabled}>
          Call
        </button>
      </form>
      {error && (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
      {disabled && <p className="hint">You can place calls once the phone is registered.</p>}
      {services.length > 0 && (
        <ul className="quick-dial" aria-label="Service numbers">
          {services.map(([label, number], index) => (
            // The number sits next to the button, not in it: the button's name is exactly its
            // visible label, and the number is its description.
            <li key={label}>
              <button
                type="button"
                className="button quiet"
                disabled={disabled}
                aria-describedby={`${baseId}-service-${index}`}
                onClick={() => void controller.call(number)}
              >
                {label}
              </button>
              <span id={`${baseId}-service-${index}`} className="muted">
                {number}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
