import { useEffect, useEffectEvent, useState } from 'react';

/**
 * In-call DTMF keypad. While open, digits typed anywhere outside a text field are sent too, so an
 * agent can work an IVR without the mouse.
 */

export const DTMF_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;
const LETTERS: Record<string, string> = {
  '2': 'ABC',
  '3': 'DEF',
  '4': 'GHI',
  '5': 'JKL',
  '6': 'MNO',
  '7': 'PQRS',
  '8': 'TUV',
  '9': 'WXYZ',
};

function typedIntoField(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

export function Keypad({ id, onDigit }: { id: string; onDigit: (digit: string) => void }) {
  const [sent, setSent] = useState('');

  const press = (digit: string) => {
    setSent((s) => (s + digit).slice(-24));
    onDigit(digit);
  };
  // The document listener is added once; the event sees the latest props through useEffectEvent.
  const onKey = useEffectEvent((event: KeyboardEvent) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typedIntoField(event.target)) return;
    if (!(DTMF_KEYS as readonly string[]).includes(event.key)) return;
    event.preventDefault();
    press(event.key);
  });

  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKey(event);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);

  return (
    <div id={id} className="keypad">
      <output className="dtmf-sent" aria-label="Digits sent">
        {sent || '\u00a0'}
      </output>
      <div className="keypad-grid" role="group" aria-label="Keypad">
        {DTMF_KEYS.map((digit) => (
          // Named by the digit alone: the letters are decoration, hidden from assistive tech.
          <button key={digit} type="button" className="key" onClick={() => press(digit)}>
            <span className="key-digit">{digit}</span>
            <span className="key-letters" aria-hidden="true">
              {LETTERS[digit] ?? '\u00a0'}
            </span>
          </button>
        ))}
      </div>
    </div>
  );
}
