/**
 * The calling core's entry point for the UI: `createPhone` plus the types it needs. No React here.
 */
import type { Phone } from './phone-api.js';
import { SipPhone, type PhoneOptions } from './sip-phone.js';

export * from './phone-api.js';
export type { PhoneOptions } from './sip-phone.js';
export { webRtcMediaHandlerFactory } from './media-handler-factory.js';
export { iceServersFrom } from './media-constraints.js';
export { summarizeStats, type StatsRecord } from './call-stats.js';
export { probeEndpoint, type EndpointFinding, type EndpointProber } from './endpoint-probe.js';

export function createPhone(options: PhoneOptions = {}): Phone {
  return new SipPhone(options);
}
