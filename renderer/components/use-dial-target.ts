import { useState, type FormEvent } from 'react';
import { checkDialInput } from '../state/format.js';

/**
 * A text field that must hold something dialable (the dial field, the transfer field): the value,
 * its validation error, and a submit handler that runs `action` only with a checked target.
 * Typing clears a shown error, so the message never describes text that is no longer there.
 */
export function useDialTarget(action: (target: string) => Promise<void>) {
  const [target, setTargetState] = useState('');
  const [error, setError] = useState<string | null>(null);
  const setTarget = (value: string) => {
    setTargetState(value);
    setError(null);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = checkDialInput(target);
    if (!checked.ok) {
      setError(checked.error);
      return Promise.resolve();
    }
    setError(null);
    return action(checked.target);
  };
  return { target, setTarget, error, submit };
}
