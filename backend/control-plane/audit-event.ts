/**
 * The SIP audit event, defined once: the fields Kamailio writes about a request (jansson_set in
 * kamailio.cfg, route AUDIT, AUDIT_QUEUE and CALL_TIMEOUT), and the outcomes it names. Everything
 * else derives from this module: the control plane's input schema (sip-event-input.ts), the SQL
 * columns and row mapping (schema.ts, audit-store.ts), and how an event counts towards a call
 * record (call-records.ts). A unit test holds kamailio.cfg to this field list and outcome list.
 */

export type AuditFieldType = 'string' | 'integer';

interface AuditField {
  /** The JSON type Kamailio writes (jansson_set's first argument). */
  readonly type: AuditFieldType;
  /** Written only when the message has it (e.g. a To tag). */
  readonly optional: boolean;
  /** Column size: a longer value is cut to it, never refused (an attacker's way out of the record). */
  readonly max?: number;
  /** Its column in `audit_events`; absent when the field is not stored there. */
  readonly column?: string;
  /** The column's SQL type when it is not the field's own (VARCHAR(max), INTEGER). */
  readonly sqlType?: string;
  /** The column may be NULL although Kamailio always sends the field (rows of earlier releases). */
  readonly legacyNull?: true;
}

export const AUDIT_EVENT_FIELDS = {
  /** The internal token proving the event comes from Kamailio; checked, then dropped. */
  token: { type: 'string', optional: false },
  /** Kamailio's $sruid: a re-delivered event is stored once. Refused (not cut) over 64. */
  eventId: { type: 'string', optional: false, max: 64, column: 'event_id', legacyNull: true },
  /** When Kamailio saw it, `$TV(Sn)` ("seconds.microseconds"); stored as ms. */
  at: { type: 'string', optional: false, column: 'at_ms', sqlType: 'BIGINT' },
  method: { type: 'string', optional: false, max: 16, column: 'method' },
  /** 0 for a request (relayed or refused before any reply), the status code for a reply. */
  code: { type: 'integer', optional: false, column: 'code' },
  /** One of AUDIT_OUTCOMES, or a relayed reply's own reason phrase. */
  outcome: { type: 'string', optional: false, max: 128, column: 'outcome' },
  callId: { type: 'string', optional: false, max: 256, column: 'call_id' },
  /** Keys the call record (with the Call-ID); not an audit column. */
  fromTag: { type: 'string', optional: true, max: 128 },
  /** Lets a BYE from the callee find its call; not an audit column. */
  toTag: { type: 'string', optional: true, max: 128 },
  from: { type: 'string', optional: false, max: 512, column: 'from_uri' },
  to: { type: 'string', optional: false, max: 512, column: 'to_uri' },
  /** The Request-URI's user (who was dialled). */
  target: { type: 'string', optional: true, max: 128, column: 'target' },
  /** 1 for a request inside a dialog (it had a To tag), else 0. */
  inDialog: { type: 'integer', optional: false, column: 'in_dialog' },
} as const satisfies Record<string, AuditField>;

export type AuditEventField = keyof typeof AUDIT_EVENT_FIELDS;

/** The `audit_events` column definitions, e.g. `call_id VARCHAR(256) NOT NULL`. */
export function auditColumnDefinitions(): string[] {
  return Object.values(AUDIT_EVENT_FIELDS as Record<string, AuditField>).flatMap((f) => {
    if (!f.column) return [];
    const type = f.sqlType ?? (f.type === 'integer' ? 'INTEGER' : `VARCHAR(${f.max})`);
    return [`${f.column} ${type}${f.optional || f.legacyNull ? '' : ' NOT NULL'}`];
  });
}

type FieldsWith<P> = { [K in AuditEventField]: (typeof AUDIT_EVENT_FIELDS)[K] extends P ? K : never }[AuditEventField];
type Limited = FieldsWith<{ readonly max: number }>;

/** Column sizes of the audit tables, by field. */
export const AUDIT_FIELD_LIMITS = Object.fromEntries(
  Object.entries(AUDIT_EVENT_FIELDS).flatMap(([name, f]) => ('max' in f ? [[name, f.max]] : [])),
) as { readonly [K in Limited]: (typeof AUDIT_EVENT_FIELDS)[K]['max'] };

/** The fields stored as `audit_events` columns, with their column names. */
export type StoredAuditField = FieldsWith<{ readonly column: string }>;
export const AUDIT_COLUMNS = Object.fromEntries(
  Object.entries(AUDIT_EVENT_FIELDS).flatMap(([name, f]) => ('column' in f ? [[name, f.column]] : [])),
) as { readonly [K in StoredAuditField]: (typeof AUDIT_EVENT_FIELDS)[K]['column'] };

/**
 * What an outcome means for the call record of an out-of-dialog INVITE or a BYE:
 * - `call started`: accepted and relayed; the record starts (ringing).
 * - `relayed`: a request passed on (a BYE ends its call).
 * - `call ended`: the call was ended by the system, not a party (a BYE of its own).
 * - `call refused`: an authenticated agent's call refused by policy before it was relayed — a
 *   call that ended as it began (its status says how: 403, 404, 486, 503…).
 * - `access refused`: the sender was never allowed to call (bad credentials, locked out,
 *   disabled): not a call, whatever the method.
 * - `flood`: a source ignored for sending too much: not a call.
 * - `registration`: about a REGISTER.
 * - `cancelled`: the caller cancelled before an answer (the INVITE's final 487).
 */
export type OutcomeKind =
  'call started' | 'relayed' | 'call ended' | 'call refused' | 'access refused' | 'flood' | 'registration' | 'cancelled';

interface OutcomeSpec {
  readonly kind: OutcomeKind;
  /** Who writes it: Kamailio (kamailio.cfg) or the control plane itself. */
  readonly by: 'kamailio' | 'control plane';
  /** The text is a prefix and Kamailio appends a detail (a destination class, a duration). */
  readonly prefix?: true;
}

/** Every outcome Kamailio or the control plane names (a reply's reason phrase is none of these). */
export const AUDIT_OUTCOMES = {
  received: { kind: 'call started', by: 'kamailio' },
  relayed: { kind: 'relayed', by: 'kamailio' },
  'max call duration': { kind: 'call ended', by: 'kamailio' },
  'agent revoked': { kind: 'call ended', by: 'control plane' },
  'media timeout': { kind: 'call ended', by: 'kamailio' },
  'agent connection lost': { kind: 'call ended', by: 'kamailio' },
  cancelled: { kind: 'cancelled', by: 'kamailio' },
  registered: { kind: 'registration', by: 'kamailio' },
  unregistered: { kind: 'registration', by: 'kamailio' },
  'registrar refused': { kind: 'registration', by: 'kamailio' },
  'wrong password': { kind: 'access refused', by: 'kamailio' },
  'unknown user': { kind: 'access refused', by: 'kamailio' },
  'auth user mismatch': { kind: 'access refused', by: 'kamailio' },
  'too many failures': { kind: 'access refused', by: 'kamailio' },
  'agent disabled': { kind: 'access refused', by: 'kamailio' },
  'flood: source ignored for ': { kind: 'flood', by: 'kamailio', prefix: true },
  'trunk to trunk refused': { kind: 'call refused', by: 'kamailio' },
  'not a dialable number': { kind: 'call refused', by: 'kamailio' },
  'destination not allowed: ': { kind: 'call refused', by: 'kamailio', prefix: true },
  'too many calls': { kind: 'call refused', by: 'kamailio' },
  'too many calls per second': { kind: 'call refused', by: 'kamailio' },
  'no trunk configured': { kind: 'call refused', by: 'kamailio' },
  'not registered': { kind: 'call refused', by: 'kamailio' },
  'media relay unavailable': { kind: 'call refused', by: 'kamailio' },
} as const satisfies Record<string, OutcomeSpec>;

export type AuditOutcome = keyof typeof AUDIT_OUTCOMES;

const PREFIXED = (Object.entries(AUDIT_OUTCOMES) as [AuditOutcome, OutcomeSpec][]).filter(([, spec]) => spec.prefix);

/** The kind of a named outcome, or 'reply' for a relayed reply's reason phrase ('OK', 'Busy Here'). */
export function outcomeKind(outcome: string): OutcomeKind | 'reply' {
  if (Object.hasOwn(AUDIT_OUTCOMES, outcome)) {
    const spec: OutcomeSpec = AUDIT_OUTCOMES[outcome as AuditOutcome];
    if (!spec.prefix) return spec.kind;
  }
  return PREFIXED.find(([text]) => outcome.startsWith(text))?.[1].kind ?? 'reply';
}

/** An audit event as the control plane keeps it: the token checked and dropped, `at` as ms. */
export interface SipEvent {
  readonly method: string;
  readonly code: number;
  readonly outcome: string;
  readonly callId: string;
  /** The From tag of the request (absent from Kamailio configs of earlier releases). */
  readonly fromTag?: string;
  /** The To tag of the request, when it has one: lets a BYE from the callee find the call. */
  readonly toTag?: string;
  readonly from: string;
  readonly to: string;
  readonly inDialog: boolean;
}
