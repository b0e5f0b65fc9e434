/**
 * Browser origins allowed to use the stack — ONE rule for both places that check a page's Origin:
 * the control plane's CORS answer and Kamailio's SIP WebSocket upgrade. A page's Origin is the one
 * thing that tells the softphone apart from any other site an agent visits, so the rule is an
 * exact match against a list, never a pattern.
 *
 * Every entry is validated to the origin grammar (scheme://host[:port], nothing else): the list
 * also ends up inside double-quoted Kamailio config strings, and that grammar leaves no character
 * that could end a cfg string, start a pseudo-variable or a new line.
 */

const ORIGIN_SYNTAX = /^[a-z][a-z0-9+.-]*:\/\/(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/;

/** `origin` in the form browsers send it (lower case, no trailing slash), or an error naming `optionName`. */
export function normalizeOrigin(origin: string, optionName: string): string {
  const o = origin.trim().toLowerCase().replace(/\/$/, '');
  if (!ORIGIN_SYNTAX.test(o)) {
    throw new Error(
      `${optionName}: ${JSON.stringify(origin)} is not a browser origin; give scheme://host[:port] with no path, e.g. https://softphone.example.com`,
    );
  }
  return o;
}

/** Normalized, de-duplicated allow-list (order kept: it is also the order of the cfg checks). */
export function originAllowList(origins: readonly string[], optionName: string): string[] {
  return [...new Set(origins.map((o) => normalizeOrigin(o, optionName)))];
}

/** True when the Origin a browser sent is on `allowList` (built by originAllowList). */
export function isAllowedOrigin(origin: string, allowList: readonly string[]): boolean {
  return allowList.includes(origin.toLowerCase());
}
