/**
 * Kamailio's side of the browser-origin allow-list (pure). The rule and the list's validation are
 * common/origin-allow-list.ts, shared with the control plane's CORS check.
 */
export { normalizeOrigin as normalizeWsOrigin, originAllowList as wsOriginAllowList } from '../../common/origin-allow-list.js';

/** Kamailio cfg condition true when `$hdr(Origin)` is one of `allowList` (already normalized). */
export function kamailioOriginCondition(allowList: readonly string[]): string {
  if (allowList.length === 0) return '0';
  return allowList.map((o) => `$hdr(Origin) == "${o}"`).join(' || ');
}
