import { CALL_QUALITY_REPORT_INTERVAL_MS, type CallQualityReport } from '../../common/quality/call-quality-report.js';
import type { Db, SqlValue } from './db.js';

/**
 * Quality summaries stored with the call records (`call_quality`, one row per call and reporting
 * agent; a later report of the same agent replaces its earlier one). The agent may report only on
 * its own calls: `isParty` says whether a call record names the agent as caller or callee.
 */
export interface StoredCallQuality extends CallQualityReport {
  readonly agent: string;
  readonly updatedAt: number;
}

/** The user part of a SIP URI ("sip:alice@host;transport=ws" → "alice"), lower-cased; null if none. */
export function sipUser(uri: string): string | null {
  const m = /^sips?:([^@;:>]+)@/i.exec(uri.trim());
  return m ? m[1]!.toLowerCase() : null;
}

/**
 * A summary not refreshed for this long is of a call whose client is gone (closed, crashed, off
 * the network) without its final report: three missed in-call reports.
 */
export const ACTIVE_REPORT_STALE_MS = 3 * CALL_QUALITY_REPORT_INTERVAL_MS;

interface Row {
  call_id: string;
  agent: string;
  updated_at: number | string;
  body: string;
}

export class CallQualityStore {
  constructor(private readonly db: Db) {}

  /** Whether the call record(s) with this Call-ID have `agent` as caller or callee. */
  async isParty(callId: string, agent: string): Promise<boolean> {
    const rows = await this.db.all<{ from_uri: string; to_uri: string }>('SELECT from_uri, to_uri FROM calls WHERE call_id = ?', [callId]);
    const who = agent.toLowerCase();
    return rows.some((r) => sipUser(r.from_uri) === who || sipUser(r.to_uri) === who);
  }

  async save(agent: string, report: CallQualityReport, nowMs: number): Promise<void> {
    await this.db.run(
      `INSERT INTO call_quality (call_id, agent, updated_at, final, mos_latest, body) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (call_id, agent) DO UPDATE SET updated_at = excluded.updated_at, final = excluded.final,
         mos_latest = excluded.mos_latest, body = excluded.body`,
      [report.callId, agent, nowMs, report.final ? 1 : 0, report.mosLatest, JSON.stringify(report)],
    );
  }

  /**
   * Summaries updated since `sinceMs`, newest first (the admin page's recent calls). With
   * `activeAt` (now), only the calls in progress with their live MOS: an in-call summary (not the
   * final one) refreshed within ACTIVE_REPORT_STALE_MS, of a call whose record has not ended.
   */
  async list(o: { sinceMs?: number; callId?: string; limit?: number; activeAt?: number } = {}): Promise<StoredCallQuality[]> {
    const where: string[] = [];
    const args: SqlValue[] = [];
    if (o.activeAt !== undefined) {
      where.push('final = 0', 'updated_at >= ?');
      args.push(o.activeAt - ACTIVE_REPORT_STALE_MS);
      // Kamailio's BYE ends the record even when the client never sent its final summary.
      where.push('NOT EXISTS (SELECT 1 FROM calls c WHERE c.call_id = call_quality.call_id AND c.ended_at IS NOT NULL)');
    }
    if (o.sinceMs !== undefined) {
      where.push('updated_at >= ?');
      args.push(o.sinceMs);
    }
    if (o.callId !== undefined) {
      where.push('call_id = ?');
      args.push(o.callId);
    }
    const rows = await this.db.all<Row>(
      `SELECT call_id, agent, updated_at, body FROM call_quality ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY updated_at DESC LIMIT ?`,
      [...args, Math.min(o.limit ?? 200, 1000)],
    );
    return rows.map((r) => ({ ...(JSON.parse(r.body) as CallQualityReport), agent: r.agent, updatedAt: Number(r.updated_at) }));
  }
}
