/**
 * The Content-Security-Policy of the softphone's pages — one policy for the desktop app (main
 * serves it on app://) and the web softphone (the control plane serves it), so a tightening in
 * one cannot be missed in the other. Scripts, styles and images come from the page's own origin
 * only; no eval, no inline script, no plugins, no framing, no forms.
 *
 * TURN/STUN servers are not listed: CSP does not govern WebRTC ICE traffic (Chromium ignores
 * connect-src for RTCPeerConnection), so their restriction lives in the ICE server list the
 * calling core receives from provisioning, not here.
 */

/** Where the page may open connections besides its own origin. */
export interface SoftphoneEndpoints {
  /** The SIP WebSocket URL(s) the calling core may use. */
  readonly sipWsUrls: readonly string[];
  /** The control plane, when it is not the page's own origin (the desktop app). */
  readonly controlPlaneUrl?: string;
}

/** `scheme://host[:port]` of a ws(s)/http(s) URL (special schemes, so URL.origin is exact), or null. */
function webOrigin(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/** The connect-src origins, sorted and de-duplicated. */
export function connectSources(endpoints: SoftphoneEndpoints): string[] {
  // The calling core tells "nothing listens" from "refused the upgrade" with a plain HTTP(S)
  // request to the SIP WebSocket's own host:port, so that origin is allowed too — same host,
  // same port, no new destination.
  const sipHttp = endpoints.sipWsUrls.map((u) => u.replace(/^ws(s?):/i, 'http$1:'));
  const urls = [...endpoints.sipWsUrls, ...sipHttp, ...(endpoints.controlPlaneUrl ? [endpoints.controlPlaneUrl] : [])];
  const origins = urls.map(webOrigin).filter((s): s is string => s !== null);
  return [...new Set(origins)].sort();
}

export function softphoneCsp(endpoints: SoftphoneEndpoints): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    // Ringtones and prompts are bundled; remote call audio is a MediaStream (srcObject), not a URL.
    'media-src': ["'self'", 'blob:'],
    'connect-src': ["'self'", ...connectSources(endpoints)],
    'worker-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
    'frame-src': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}
