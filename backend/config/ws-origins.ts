/**
 * Browser origins allowed to open a SIP WebSocket to Kamailio (pure). A page's Origin is the one
 * thing that tells a softphone apart from any other site an agent visits; the list ends up inside
 * double-quoted Kamailio config strings, so every entry is validated to the origin grammar first
 * (scheme://host[:port], nothing else) — that grammar leaves no character that could end a cfg
 * string, start a pseudo-variable or a new line.
 */

const ORIGIN_SYNTAX = /^[a-z][a-z0-9+.-]*:\/\/(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/;

/** `origin` in the form browsers send it (lower case), or an error naming `optionName`. */
export function normalizeWsOrigin(origin: string, optionName: string): string {
  const o = origin.trim().toLowerCase().replace(/\/$/, '');
  if (!ORIGIN_SYNTAX.test(o)) {
    throw new Error(`${optionName}: ${JSON.stringify(origin)} is not a browser origin; give scheme://host[:port] with no path, e.g. https://softphone.example.com`);
  }
  return o;
}

/** Normalized, de-duplicated allow-list (order kept: it is also the order of the cfg checks). */
export function wsOriginAllowList(origins: readonly string[], optionName: string): string[] {
  return [...new Set(origins.map((o) => normalizeWsOrigin(o, optionName)))];
}

/** Kamailio cfg condition true when `$hdr(Origin)` is one of `allowList` (already normalized). */
export function kamailioOriginCondition(allowList: readonly string[]): string {
  if (allowList.length === 0) return '0';
  return allowList.map((o) => `$hdr(Origin) == "${o}"`).join(' || ');
}
