/**
 * Removes secrets from a log line before it leaves the page. The calling core logs SIP traffic,
 * which carries digest responses; provisioning carries Basic credentials and TURN passwords.
 */

const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  // Whole header values: "Authorization: Basic …", "Proxy-Authorization: Digest username=…".
  [/\b((?:proxy-)?authorization)\s*:\s*[^\r\n]*/gi, '$1: [redacted]'],
  // Digest parameters wherever they appear (WWW-Authenticate echoes, structured logs).
  [/\b(response|cnonce)\s*=\s*("[^"]*"|[^\s,;]+)/gi, '$1=[redacted]'],
  // JSON fields: "password":"…", "credential": "…", "secret":"…", "token":"…".
  [/("(?:password|passwd|credential|secret|token|authorization)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, '$1"[redacted]"'],
  // key=value / key: value in free text.
  [/\b(password|passwd|credential|secret|token)(\s*[=:]\s*)(?!\[redacted\])[^\s,;&"']+/gi, '$1$2[redacted]'],
  // Credentials inside URLs: scheme://user:pass@host.
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+):[^\s/@]+@/gi, '$1:[redacted]@'],
];

export function redactSecrets(message: string): string {
  let out = message;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}
