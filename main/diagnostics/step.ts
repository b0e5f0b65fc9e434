import type { Targets } from './targets.js';
import type { DiagnosticsConfig, Probes, StepOutcome } from './types.js';

export interface StepContext {
  config: DiagnosticsConfig;
  probes: Probes;
  targets: Targets;
  /** First address of `host` (memoised: every step shares one lookup per host). */
  address(host: string): Promise<string>;
  /** The outcome of a step listed in `after`. */
  outcome(id: string): StepOutcome | undefined;
}

export interface StepDefinition {
  id: string;
  title: string;
  /** Steps whose outcome this one reads; it starts when they have finished. */
  after?: string[];
  /** A failure here means calls cannot work, so the overall verdict fails. */
  blocking: boolean;
  timeoutMs?: number;
  run(ctx: StepContext): Promise<StepOutcome>;
}

export const outcome = (
  verdict: StepOutcome['verdict'],
  explanation: string,
  values: Record<string, unknown> = {},
  fix?: string,
): StepOutcome => (fix ? { verdict, explanation, values, fix } : { verdict, explanation, values });

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** TLS failures caused by certificates need a PKI fix, not a firewall rule. */
export function isCertificateError(e: unknown): boolean {
  return /certificate|altnames|self[- ]signed|CERT_|unable to verify/i.test(errorText(e));
}

export const CERTIFICATE_FIX =
  "the server's TLS certificate is not trusted here: install the issuing CA on this desktop, or check that a TLS-inspecting proxy is not replacing it";
