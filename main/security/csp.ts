import type { ClientConfig } from '../../preload/contract/index.js';
import { originOf } from './app-origin.js';

/**
 * The Content-Security-Policy of our pages, built from the provisioned configuration so the
 * renderer can open connections only to this tenant's SIP WebSocket and control plane. Scripts,
 * styles and images come from our own app:// origin only; no eval, no inline script, no plugins,
 * no framing, no forms.
 *
 * TURN/STUN servers are not listed: CSP does not govern WebRTC ICE traffic (Chromium ignores
 * connect-src for RTCPeerConnection), so their restriction lives in the ICE server list the
 * calling core receives from provisioning, not here.
 */
export function connectSources(config: Pick<ClientConfig, 'sip' | 'controlPlaneUrl'> | null): string[] {
  if (!config) return [];
  // The calling core tells "nothing listens" from "refused the upgrade" with a plain HTTP(S)
  // request to the SIP WebSocket's own host:port, so that origin is allowed too — same host,
  // same port, no new destination.
  const sipHttp = config.sip.wsUrl.replace(/^ws(s?):/i, 'http$1:');
  const sources = [config.sip.wsUrl, sipHttp, config.controlPlaneUrl].map(originOf);
  return [...new Set(sources.filter((s): s is string => s !== null))].sort();
}

export function buildCsp(config: Pick<ClientConfig, 'sip' | 'controlPlaneUrl'> | null): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    // Ringtones and prompts are bundled; remote call audio is a MediaStream (srcObject), not a URL.
    'media-src': ["'self'", 'blob:'],
    'connect-src': ["'self'", ...connectSources(config)],
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
