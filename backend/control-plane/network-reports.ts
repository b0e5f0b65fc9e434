import { randomUUID } from 'node:crypto';
import type { NetworkReport } from '../../common/network-report.js';
import type { Db } from './db.js';

/** How many reports one agent keeps: sending a new one past this drops that agent's oldest. */
export const MAX_REPORTS_PER_AGENT = 20;

/** What the admin list shows of a report, without its body. */
export interface NetworkReportSummary {
  readonly id: string;
  /** The agent who sent it (the authenticated one, whatever the report says). */
  readonly agent: string;
  readonly receivedAt: number;
  readonly shell: NetworkReport['shell'];
  readonly phase: NetworkReport['phase'];
  readonly verdict: NetworkReport['verdict'];
  readonly summary: string;
  readonly sizeBytes: number;
}

interface Row {
  id: string;
  agent: string;
  received_at: number;
  shell: NetworkReport['shell'];
  phase: NetworkReport['phase'];
  verdict: NetworkReport['verdict'];
  summary: string;
  size_bytes: number;
}

const SUMMARY_COLUMNS = 'id, agent, received_at, shell, phase, verdict, summary, size_bytes';
/** The list column is cut to this; the full summary is in the report. */
const SUMMARY_MAX = 500;

const toSummary = (r: Row): NetworkReportSummary => ({
  id: r.id,
  agent: r.agent,
  receivedAt: Number(r.received_at),
  shell: r.shell,
  phase: r.phase,
  verdict: r.verdict,
  summary: r.summary,
  sizeBytes: Number(r.size_bytes),
});

/**
 * Network test reports agents sent to the helpdesk. Bounded twice: per agent (the newest
 * MAX_REPORTS_PER_AGENT) and in time (the audit retention purges older ones, retention.ts).
 */
export class NetworkReportStore {
  constructor(private readonly db: Db) {}

  /** Stores a validated report sent by `agent`; returns its id. */
  async add(agent: string, report: NetworkReport, receivedAt: number): Promise<string> {
    const id = randomUUID();
    const body = JSON.stringify(report);
    await this.db.transaction(async (tx) => {
      await tx.run(
        'INSERT INTO network_reports (id, agent, received_at, shell, phase, verdict, summary, size_bytes, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          id,
          agent,
          receivedAt,
          report.shell,
          report.phase,
          report.verdict,
          report.summary.slice(0, SUMMARY_MAX),
          Buffer.byteLength(body),
          body,
        ],
      );
      const keep = await tx.all<{ id: string }>(
        'SELECT id FROM network_reports WHERE agent = ? ORDER BY received_at DESC, id DESC LIMIT ?',
        [agent, MAX_REPORTS_PER_AGENT],
      );
      const placeholders = keep.map(() => '?').join(', ');
      await tx.run(`DELETE FROM network_reports WHERE agent = ? AND id NOT IN (${placeholders})`, [agent, ...keep.map((k) => k.id)]);
    });
    return id;
  }

  /** Newest first. */
  async list(q: { agent?: string; sinceMs?: number; limit?: number }): Promise<NetworkReportSummary[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.agent !== undefined) {
      where.push('agent = ?');
      params.push(q.agent);
    }
    if (q.sinceMs !== undefined) {
      where.push('received_at >= ?');
      params.push(q.sinceMs);
    }
    const rows = await this.db.all<Row>(
      `SELECT ${SUMMARY_COLUMNS} FROM network_reports ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY received_at DESC, id DESC LIMIT ?`,
      [...params, q.limit ?? 100],
    );
    return rows.map(toSummary);
  }

  /** One report with what the list shows of it, or undefined. */
  async get(id: string): Promise<(NetworkReportSummary & { report: NetworkReport }) | undefined> {
    const row = await this.db.get<Row & { body: string }>(`SELECT ${SUMMARY_COLUMNS}, body FROM network_reports WHERE id = ?`, [id]);
    // The body was validated against the schema before it was stored.
    return row ? { ...toSummary(row), report: JSON.parse(row.body) as NetworkReport } : undefined;
  }
}
