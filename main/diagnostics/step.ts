import type { StepDefinitionOf, StepResults } from '../../common/diagnostics/step.js';
import { errorText } from '../../common/diagnostics/step.js';
import type { Targets } from './targets.js';
import type { DiagnosticsConfig, Probes } from './types.js';

// The step model is shared with the page's checks (common/diagnostics/); native steps import it from here.
export { errorText, outcome } from '../../common/diagnostics/step.js';

/** What a native step may touch: the provisioned configuration, the OS probes, the targets. */
export interface StepContext extends StepResults {
  /**
   * Null when the control plane could not be asked (unreachable, or before sign-in): then only
   * the checks that need a host name run (HOST_NAME_STEPS), against `targets`.
   */
  config: DiagnosticsConfig | null;
  probes: Probes;
  targets: Targets;
  /** First address of `host` (memoised: every step shares one lookup per host). */
  address(host: string): Promise<string>;
}

export type StepDefinition = StepDefinitionOf<StepContext>;

/** The provisioned configuration of a step that needs the account (TURN credentials). */
export function configOf(ctx: StepContext): DiagnosticsConfig {
  if (!ctx.config) throw new Error('this check needs the provisioned configuration, which could not be read');
  return ctx.config;
}

/**
 * What is wrong with the server certificate, in words for the agent, or null when the error is
 * not about a certificate. Reads Node's OpenSSL messages ("self-signed certificate in certificate
 * chain", "unable to get local issuer certificate", "certificate has expired", "Hostname/IP does
 * not match certificate's altnames"), which survive our wrapping of TLS errors.
 */
export function certificateProblem(e: unknown): string | null {
  const text = errorText(e);
  if (/certificate has expired|CERT_HAS_EXPIRED/i.test(text)) return 'certificate has expired';
  if (/certificate is not yet valid|CERT_NOT_YET_VALID/i.test(text)) return 'certificate is not valid yet (check the computer clock)';
  if (/altnames|Hostname\/IP does not match/i.test(text)) return 'certificate does not match the server name (hostname mismatch)';
  if (/certificate|self[- ]signed|CERT_|unable to verify|local issuer/i.test(text))
    return 'certificate is not trusted (self-signed or unknown CA)';
  return null;
}

/** TLS failures caused by certificates need a PKI fix, not a firewall rule. */
export const isCertificateError = (e: unknown): boolean => certificateProblem(e) !== null;

export const CERTIFICATE_FIX =
  "the server's TLS certificate is not trusted here: install the issuing CA on this desktop, or check that a TLS-inspecting proxy is not replacing it";
