import { runDiagnostics, runWithoutControlPlane, type Probes } from '../diagnostics/index.js';
import type { DiagnosticsRunner } from './handlers.js';

/**
 * The `diagnostics.run` handler's runner over main/diagnostics: the full checks against a signed-in
 * account, the host-name checks before sign-in. `probes` is called per run (the desktop's resolve
 * the proxy through Chromium's session).
 */
export function nativeDiagnostics(probes: () => Probes): DiagnosticsRunner {
  return (target, onProgress) =>
    target.kind === 'account'
      ? runDiagnostics({ client: target.session.config, turn: target.session.turn }, probes(), onProgress)
      : runWithoutControlPlane({ provisioningUrl: target.provisioningUrl, lastConfig: target.lastConfig }, probes(), onProgress);
}
