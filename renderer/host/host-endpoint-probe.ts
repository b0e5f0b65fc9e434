import type { HostApi } from '../../common/contract/index.js';
import type { EndpointFinding, EndpointProber } from '../calling/index.js';

/**
 * The calling core's endpoint probe, asking the host first: the desktop app's main process sees
 * the TLS error behind a failed wss:// (a page only gets close code 1006). When the host cannot
 * tell ('not-run': the web softphone) or does not offer the channel, the page probes itself.
 */
export function hostEndpointProber(host: Pick<HostApi, 'invoke'>, inPage: EndpointProber, warn: (message: string) => void): EndpointProber {
  return async (wsUrl): Promise<EndpointFinding> => {
    try {
      const finding = await host.invoke('sip.probeEndpoint', { wsUrl });
      if (finding.result !== 'not-run') return finding;
    } catch (error) {
      warn(`host endpoint probe unavailable, probing in-page: ${error instanceof Error ? error.message : String(error)}`);
    }
    return inPage(wsUrl);
  };
}
