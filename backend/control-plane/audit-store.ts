import type { Db } from './db.js';
import { AUDIT_COLUMNS, type SipEvent, type StoredAuditField } from './audit-event.js';
import { applySipEvent, type CallRecord } from './call-records.js';

export interface AuditEntry extends SipEvent {
  readonly id: number;
  readonly at: number;
  readonly target: string | null;
}

type AuditColumn = (typeof AUDIT_COLUMNS)[StoredAuditField];

/** An `audit_events` row: the event's stored fields under their columns (audit-event.ts), and its id. */
type AuditRow = { id: number } & {
  [C in AuditColumn]: C extends 'target' | 'event_id' ? string | null : C extends 'at_ms' | 'code' | 'in_dialog' ? number : string;
};

/** The event as a row, ready for INSERT: `at` is the time in ms, `inDialog` 0 or 1. */
function toAuditRow(event: SipEvent & { target?: string | null; eventId?: string }, atMs: number): Omit<AuditRow, 'id'> {
  const c = AUDIT_COLUMNS;
  return {
    [c.eventId]: event.eventId ?? null,
    [c.at]: atMs,
    [c.method]: event.method,
    [c.from]: event.from,
    [c.to]: event.to,
    [c.target]: event.target ?? null,
    [c.callId]: event.callId,
    [c.code]: event.code,
    [c.outcome]: event.outcome,
    [c.inDialog]: event.inDialog ? 1 : 0,
  } satisfies Record<AuditColumn, unknown> as Omit<AuditRow, 'id'>;
}

const AUDIT_INSERT_COLUMNS = Object.values(AUDIT_COLUMNS);

interface CallRow {
  call_id: string;
  from_tag: string;
  from_uri: string;
  to_uri: string;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  duration_ms: number | null;
  disposition: CallRecord['disposition'];
}

/** Audit events and the call records derived from them, written in one transaction. */
export class AuditStore {
  constructor(private readonly db: Db) {}

  /**
   * Resolves once the event and its call record are committed (durable): true when stored now,
   * false when an event with the same `eventId` already was (a re-delivery changes nothing).
   */
  async record(event: SipEvent & { target?: string | null; eventId?: string }, now = Date.now()): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // The unique index on event_id decides, so concurrent deliveries to several control-plane
      // nodes over one PostgreSQL also store an event once.
      const row = toAuditRow(event, now);
      const inserted = await tx.run(
        `INSERT INTO audit_events (${AUDIT_INSERT_COLUMNS.join(', ')}) VALUES (${AUDIT_INSERT_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (${AUDIT_COLUMNS.eventId}) DO NOTHING`,
        AUDIT_INSERT_COLUMNS.map((column) => row[column]),
      );
      if (inserted.changes === 0) return false;
      const prevRow = await findCall(tx, event);
      const prev = prevRow && toCall(prevRow);
      const next = applySipEvent(prev, event, now);
      if (!next || next === prev) return true;
      const values = [
        next.from,
        next.to,
        next.startedAt,
        next.answeredAt,
        next.endedAt,
        next.durationMs,
        next.disposition,
        next.callId,
        next.fromTag,
      ];
      if (prev) {
        await tx.run(
          'UPDATE calls SET from_uri = ?, to_uri = ?, started_at = ?, answered_at = ?, ended_at = ?, duration_ms = ?, disposition = ? WHERE call_id = ? AND from_tag = ?',
          values,
        );
      } else {
        await tx.run(
          'INSERT INTO calls (from_uri, to_uri, started_at, answered_at, ended_at, duration_ms, disposition, call_id, from_tag) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          values,
        );
      }
      return true;
    });
  }

  async listEvents(opts: { sinceMs?: number; callId?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    const rows = await this.db.all<AuditRow>(
      `SELECT * FROM audit_events WHERE at_ms >= ? ${opts.callId ? 'AND call_id = ?' : ''} ORDER BY id DESC LIMIT ?`,
      [opts.sinceMs ?? 0, ...(opts.callId ? [opts.callId] : []), opts.limit ?? 1000],
    );
    const c = AUDIT_COLUMNS;
    return rows.reverse().map((r) => ({
      id: Number(r.id),
      at: Number(r[c.at]),
      method: r[c.method],
      from: r[c.from],
      to: r[c.to],
      target: r[c.target],
      callId: r[c.callId],
      code: r[c.code],
      outcome: r[c.outcome],
      inDialog: r[c.inDialog] === 1,
    }));
  }

  async listCalls(opts: { sinceMs?: number; callId?: string; limit?: number } = {}): Promise<CallRecord[]> {
    const rows = await this.db.all<CallRow>(
      `SELECT * FROM calls WHERE started_at >= ? ${opts.callId ? 'AND call_id = ?' : ''} ORDER BY started_at DESC LIMIT ?`,
      [opts.sinceMs ?? 0, ...(opts.callId ? [opts.callId] : []), opts.limit ?? 1000],
    );
    return rows.reverse().map(toCall);
  }
}

/**
 * The call an event belongs to. The dialog-creating INVITE and the caller's in-dialog requests
 * carry the caller's From tag; a BYE from the callee carries it as its To tag. Events without tags
 * (earlier Kamailio configs) fall back to the one open call with that Call-ID.
 */
async function findCall(tx: Db, event: SipEvent): Promise<CallRow | undefined> {
  const byTag = (tag: string) => tx.get<CallRow>('SELECT * FROM calls WHERE call_id = ? AND from_tag = ?', [event.callId, tag]);
  if (!event.inDialog) return byTag(event.fromTag ?? '');
  for (const tag of [event.fromTag, event.toTag]) {
    const row = tag !== undefined ? await byTag(tag) : undefined;
    if (row) return row;
  }
  const open = await tx.all<CallRow>('SELECT * FROM calls WHERE call_id = ? AND ended_at IS NULL LIMIT 2', [event.callId]);
  return open.length === 1 ? open[0] : undefined;
}

function toCall(r: CallRow): CallRecord {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    callId: r.call_id,
    fromTag: r.from_tag,
    from: r.from_uri,
    to: r.to_uri,
    startedAt: Number(r.started_at),
    answeredAt: n(r.answered_at),
    endedAt: n(r.ended_at),
    durationMs: n(r.duration_ms),
    disposition: r.disposition,
  };
}
