/**
 * Removes secrets from log text — the one redaction every process uses: the main process's log
 * hook, the web host's console, SIP.js's log connector in the calling core and the carrier's SIP
 * trace. A SIP trace, an HTTP header dump or a JSON body can then be logged without leaking
 * credentials.
 */

const REDACTED = '[redacted]';

/** Each rule keeps the key (so the log still says WHAT was there) and replaces the value. */
const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  // Authorization / Proxy-Authorization header lines: keep the scheme, drop everything after it
  // to the end of the line (Basic base64, Bearer token, all Digest params incl. response=).
  [/\b((?:proxy-)?authorization)(\s*[:=]\s*)((?:basic|bearer|digest)\s+)?[^\r\n]*/gi, `$1$2$3${REDACTED}`],
  // Digest `response=` / `cnonce=` outside a header line (WWW-Authenticate echoes, object dumps).
  [/\b((?:response|cnonce)\s*=\s*)("?)(?!\[redacted\])[^\s",;]+\2/gi, `$1$2${REDACTED}$2`],
  // JSON fields: "password": "…", "credential": "…", "token": "…", "secret": "…".
  [/("(?:[a-z_]*password|passwd|credential|[a-z_]*token|[a-z_]*secret|authorization)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, `$1"${REDACTED}"`],
  // key=value / key: value pairs in query strings, config dumps and TURN URLs' credential params.
  [
    /\b((?:[a-z_]*password|passwd|credential|access_token|refresh_token|[a-z_-]*secret|token)\s*[=:]\s*)(?!\[redacted\])[^\s&;,"']+/gi,
    `$1${REDACTED}`,
  ],
  // user:password@host in URLs.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, `$1${REDACTED}@`],
];

/** Shorter known secrets are not replaced literally: "ab" would shred ordinary text. */
const MIN_KNOWN_SECRET = 3;

/**
 * Redacts `text` by pattern and, in addition, every literal occurrence of `knownSecrets` (the
 * calling core passes the SIP and TURN passwords, which can appear anywhere in a SIP.js trace).
 */
export function redact(text: string, knownSecrets: readonly string[] = []): string {
  let out = RULES.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), text);
  for (const secret of knownSecrets) {
    if (secret.length >= MIN_KNOWN_SECRET) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Property names whose values are secrets whatever they contain. */
const SECRET_KEY = /^(?:.*password|passwd|credential|.*token|.*secret|authorization|proxy-authorization)$/i;

/** Redacts log arguments: strings by pattern, objects by key (recursively, cycle-safe). */
export function redactData(data: unknown[]): unknown[] {
  const seen = new WeakSet<object>();
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return redact(value);
    if (value instanceof Error) {
      const copy = new Error(redact(value.message));
      copy.name = value.name;
      if (value.stack) copy.stack = redact(value.stack);
      return copy;
    }
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    if (Array.isArray(value)) return value.map(walk);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? REDACTED : walk(v)]));
  };
  return data.map(walk);
}
