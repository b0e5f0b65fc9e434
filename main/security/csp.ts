import type { ClientConfig } from '../../common/contract/index.js';
import { softphoneCsp } from '../../common/content-security-policy.js';

/**
 * The desktop window's CSP, built from the provisioned configuration so the renderer can open
 * connections only to this tenant's SIP WebSocket and control plane (signed out: its own origin).
 */
export function buildCsp(config: Pick<ClientConfig, 'sip' | 'controlPlaneUrl'> | null): string {
  return softphoneCsp(config ? { sipWsUrls: [config.sip.wsUrl], controlPlaneUrl: config.controlPlaneUrl } : { sipWsUrls: [] });
}
