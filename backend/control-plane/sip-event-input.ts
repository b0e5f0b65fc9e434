/**
 * The audit event Kamailio delivers to `POST /internal/sip-events` (pure validation). Kamailio
 * queues events and may deliver one more than once (at-least-once): `eventId` identifies a
 * re-delivery, and `at` is when Kamailio saw the event, not when it arrived here.
 */
import { z } from 'zod';
import { AUDIT_EVENT_FIELDS as F, type AuditEventField, type SipEvent } from './audit-event.js';

/**
 * A field cut to its column size. An over-long Call-ID, From or To is an attacker's favourite way
 * out of the record: the event is stored truncated, never refused.
 */
const truncated = (max: number) => z.string().transform((v) => v.slice(0, max));

/** Kamailio's `$TV(Sn)`: "seconds.microseconds" (microseconds zero-padded to 6 digits). */
const KAMAILIO_TIME = /^([0-9]{9,11})\.([0-9]{6})$/;

export function kamailioTimeToMs(value: string): number | null {
  const m = KAMAILIO_TIME.exec(value);
  if (!m) return null;
  return Number(m[1]) * 1000 + Math.floor(Number(m[2]) / 1000);
}

/** One validator per field of the audit event (audit-event.ts): `satisfies` keeps the two in step. */
const FIELD_SCHEMAS = {
  token: z.string(),
  eventId: z.string().min(1).max(F.eventId.max),
  at: z.string().refine((v) => kamailioTimeToMs(v) !== null, 'at must be "seconds.microseconds" ($TV(Sn))'),
  method: z.string().min(1).pipe(truncated(F.method.max)),
  code: z.number().int(),
  outcome: truncated(F.outcome.max),
  callId: z.string().min(1).pipe(truncated(F.callId.max)),
  fromTag: truncated(F.fromTag.max).optional(),
  toTag: truncated(F.toTag.max).optional(),
  from: truncated(F.from.max),
  to: truncated(F.to.max),
  target: truncated(F.target.max).optional(),
  inDialog: z.number().int(),
} satisfies { [K in AuditEventField]: (typeof F)[K]['optional'] extends true ? z.ZodOptional<z.ZodType> : z.ZodType };

export const SipEventInputSchema = z.object(FIELD_SCHEMAS);

export type SipEventInput = z.output<typeof SipEventInputSchema>;

export interface StoredSipEvent extends SipEvent {
  readonly eventId: string;
  readonly target?: string | null;
}

/** The event to store and its time (ms) — the token is checked by the caller and dropped here. */
export function toStoredEvent(input: SipEventInput): { event: StoredSipEvent; atMs: number } {
  const { token: _token, at, inDialog, target, ...rest } = input;
  return { event: { ...rest, ...(target !== undefined ? { target } : {}), inDialog: inDialog === 1 }, atMs: kamailioTimeToMs(at)! };
}
