import { isSameOrigin } from '../../common/app-origin.js';
import { isSafeExternalUrl } from './external-links.js';

/**
 * Our window only ever shows our own pages. A link or script that tries to take the window
 * elsewhere is stopped; web links go to the system browser instead (where the user's browser
 * protections apply), everything else is dropped.
 */
export type NavigationDecision = { allow: true } | { allow: false; openExternally: boolean };

export function decideNavigation(targetUrl: string, appOrigin: string): NavigationDecision {
  if (isSameOrigin(targetUrl, appOrigin)) return { allow: true };
  return { allow: false, openExternally: isSafeExternalUrl(targetUrl) };
}

/** `window.open` / target=_blank: never a new Electron window; web links open in the browser. */
export function decideWindowOpen(targetUrl: string): { action: 'deny'; openExternally: boolean } {
  return { action: 'deny', openExternally: isSafeExternalUrl(targetUrl) };
}
