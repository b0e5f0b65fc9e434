/**
 * The calls the carrier knows, newest last: the SIP side adds them and routes in-dialog requests
 * by them, the HTTP API lists and drives them. Bounded, so a long-running demo does not grow
 * without limit (ended calls go first).
 */
import type { Call } from './call.js';
import { isFinal } from './call-state.js';
import type { SipRequest } from './sip/message.js';

/** Bound on remembered calls. */
const MAX_REMEMBERED_CALLS = 500;

export class CallRegistry {
  private readonly calls: Call[] = [];

  add(call: Call): void {
    this.calls.push(call);
    while (this.calls.length > MAX_REMEMBERED_CALLS) {
      const i = this.calls.findIndex((c) => isFinal(c.state));
      if (i < 0) break;
      this.calls.splice(i, 1);
    }
  }

  all(): readonly Call[] {
    return this.calls;
  }

  byId(id: string): Call | undefined {
    return this.calls.find((c) => c.id === id);
  }

  /** The call an in-dialog request belongs to (Call-ID + tags). */
  forDialog(req: SipRequest): Call | undefined {
    return this.calls.find((c) => c.matches(req));
  }

  active(): Call[] {
    return this.calls.filter((c) => !isFinal(c.state));
  }
}
