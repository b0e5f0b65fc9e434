/**
 * The audit event Kamailio delivers to `POST /internal/sip-events` (pure validation). Kamailio
 * queues events and may deliver one more than once (at-least-once): `eventId` identifies a
 * re-delivery, and `at` is when Kamailio saw the event, not when it arrived here.
 */
import { z } from 'zod';
import type { SipEvent } from './call-records.js';

/** Kamailio's `$TV(Sn)`: "seconds.microseconds" (microseconds zero-padded to 6 digits). */
const KAMAILIO_TIME = /^([0-9]{9,11})\.([0-9]{6})$/;

export function kamailioTimeToMs(value: string): number | null {
  const m = KAMAILIO_TIME.exec(value);
  if (!m) return null;
  return Number(m[1]) * 1000 + Math.floor(Number(m[2]) / 1000);
}

export const SipEventInputSchema = z.object({
  token: z.string(),
  eventId: z.string().min(1).max(64),
  at: z.string().refine((v) => kamailioTimeToMs(v) !== null, 'at must be "seconds.microseconds" ($TV(Sn))'),
  method: z.string().min(1).max(16),
  code: z.number().int(),
  outcome: z.string().max(128),
  callId: z.string().min(1).max(256),
  from: z.string().max(512),
  to: z.string().max(512),
  target: z.string().max(128).optional(),
  inDialog: z.number().int(),
});

export type SipEventInput = z.infer<typeof SipEventInputSchema>;

export interface StoredSipEvent extends SipEvent {
  readonly eventId: string;
  readonly target?: string | null;
}

/** The event to store and its time (ms) — the token is checked by the caller and dropped here. */
export function toStoredEvent(input: SipEventInput): { event: StoredSipEvent; atMs: number } {
  const { token: _token, at, inDialog, target, ...rest } = input;
  return { event: { ...rest, ...(target !== undefined ? { target } : {}), inDialog: inDialog === 1 }, atMs: kamailioTimeToMs(at)! };
}
