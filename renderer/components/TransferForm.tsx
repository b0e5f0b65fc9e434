import { useState } from 'react';
import { useDialTarget } from './use-dial-target.js';

/** Blind transfer: where to, then "Transfer call". Failures surface in the app's notice. */
export function TransferForm({ id, onTransfer }: { id: string; onTransfer: (target: string) => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const { target, setTarget, error, submit } = useDialTarget(async (checked) => {
    setBusy(true);
    try {
      await onTransfer(checked);
    } finally {
      setBusy(false);
    }
  });

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
