import type { Session, Settings } from '../../common/contract/index.js';
import type { StepDefinitionOf, StepResults } from '../../common/diagnostics/step.js';
import type { PageProbes } from './page-probes.js';

/** What a page check may touch: the probes and what the agent has chosen so far. */
export interface PageStepContext extends StepResults {
  readonly probes: PageProbes;
  /** The provisioning URL (typed, remembered or the policy's): enough for the account-free checks. */
  readonly provisioningUrl: string;
  /** Null before sign-in: then only the steps with `needsAccount: false` run. */
  readonly session: Session | null;
  readonly devices: Settings;
}

export interface PageStepDefinition extends StepDefinitionOf<PageStepContext> {
  /** Needs the signed-in account (TURN credentials, the SIP line); skipped before sign-in. */
  readonly needsAccount: boolean;
}

/** The session of a step that declared `needsAccount` (the selection guarantees it). */
export function sessionOf(ctx: PageStepContext): Session {
  if (!ctx.session) throw new Error('this check needs a signed-in account');
  return ctx.session;
}
