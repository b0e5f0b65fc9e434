/**
 * Display formatting shared by the call views and the history list. Pure functions only.
 */

/** Elapsed call time as a clock: "0:07", "12:34", "1:02:03". Negative or NaN input shows "0:00". */
export function formatDuration(ms: number): string {
  const totalSeconds = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const ss = String(seconds).padStart(2, '0');
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, '0')}:${ss}`;
  return `${minutes}:${ss}`;
}

/**
 * How a call target is shown to the agent: the SIP plumbing is stripped ("sip:bob@pbx.example" →
 * "bob" when pbx.example is our own domain), foreign domains stay visible because they matter
 * ("bob@partner.example"), and phone numbers keep the digits exactly as dialled — reformatting
 * numbers by guessing a country's grouping would show something the agent did not type.
 */
export function formatTarget(target: string, ownDomain: string | null): string {
  let text = target.trim().replace(/\s+/g, ' ');
  text = text.replace(/^<(.*)>$/, '$1').replace(/^sips?:/i, '');
  // URI parameters and headers (";transport=ws", "?X-Foo=1") are never interesting to a person.
  text = text.replace(/[;?].*$/, '');
  const at = text.lastIndexOf('@');
  if (at > 0 && ownDomain !== null) {
    const domain = text.slice(at + 1).replace(/:\d+$/, '');
    if (domain.toLowerCase() === ownDomain.toLowerCase()) text = text.slice(0, at);
  }
  return text;
}

/** "Bob Smith (bob)" when the far end presented a name that adds something, else just the target. */
export function formatPeer(peer: string, displayName: string | null, ownDomain: string | null): string {
  const target = formatTarget(peer, ownDomain);
  const name = displayName?.trim();
  if (!name || name === target) return target;
  return `${name} (${target})`;
}

/** Names for the service numbers the backend provisions under short ids. */
const SERVICE_LABELS: Readonly<Record<string, string>> = {
  echo: 'Echo test',
  tone: 'Tone test',
  record: 'Recording test',
  busy: 'Busy test',
  noAnswer: 'No-answer test',
};

/**
 * The button label of a provisioned service number: known ids get their product name, labels
 * that are already words stay as they are, other ids are spelled out ("voiceMail" → "Voice mail").
 */
export function serviceLabel(key: string): string {
  const known = SERVICE_LABELS[key];
  if (known) return known;
  if (/\s/.test(key) || /^[A-Z]/.test(key)) return key;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Validates the dial field before it reaches the phone; returns an error the agent can act on. */
export function checkDialInput(input: string): { ok: true; target: string } | { ok: false; error: string } {
  const target = input.trim();
  if (target === '') return { ok: false, error: 'Enter a number or a colleague’s username to call.' };
  if (target.length > 256) return { ok: false, error: 'That number is too long (256 characters at most).' };
  return { ok: true, target };
}

/** Local time of day for today's calls, date + time for older ones. */
export function formatWhen(epochMs: number, now: number, locale?: string): string {
  const when = new Date(epochMs);
  const sameDay = new Date(now).toDateString() === when.toDateString();
  const time = when.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  if (sameDay) return time;
  return `${when.toLocaleDateString(locale, { month: 'short', day: 'numeric' })} ${time}`;
}
