import { useState, type FormEvent } from 'react';
import { checkDialInput } from '../state/format.js';

/** Blind transfer: where to, then "Transfer call". Failures surface in the app's notice. */
export function TransferForm({ id, onTransfer }: { id: string; onTransfer: (target: string) => Promise<void> }) {
  const [target, setTarget] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const checked = checkDialInput(target);
    if (!checked.ok) {
      setError(checked.error);
      return;
    }
    setError(null);
    setBusy(true);
    try {
      await onTransfer(checked.target);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form id={id} className="transfer" onSubmit={(e) => void submit(e)} aria-busy={busy}>
      <label className="field grow">
        <span>Transfer to</span>
        {/* The field the agent opened the panel for. */}
        <input
          autoFocus
          autoComplete="off"
          spellCheck={false}
          value={target}
          aria-invalid={error !== null}
          onChange={(e) => setTarget(e.target.value)}
        />
      </label>
      <button type="submit" className="button primary" disabled={busy}>
        Transfer call
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
