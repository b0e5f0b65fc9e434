import type { Db } from './db.js';
import type { Crossing } from './quality-alerts.js';

/**
 * Quality alerts (`quality_alerts`), kept in the database so every control-plane node over one
 * PostgreSQL shows the same ones, and purged with the audit retention. A call alert is unique per
 * (call, agent) by index: two nodes storing summaries of one call at once raise it once.
 */
export type QualityAlert =
  | {
      readonly id: number;
      readonly at: number;
      readonly kind: 'call';
      readonly agent: string;
      readonly callId: string;
      readonly crossed: readonly Crossing[];
    }
  | {
      readonly id: number;
      readonly at: number;
      readonly kind: 'agent';
      readonly agent: string;
      /** The Call-IDs of the agent's alerted calls within the window. */
      readonly calls: readonly string[];
    };

interface Row {
  id: number;
  at_ms: number | string;
  kind: 'call' | 'agent';
  agent: string;
  call_id: string | null;
  detail: string;
}

function toAlert(r: Row): QualityAlert {
  const base = { id: Number(r.id), at: Number(r.at_ms), agent: r.agent };
  const detail = JSON.parse(r.detail) as { crossed?: Crossing[]; calls?: string[] };
  return r.kind === 'call'
    ? { ...base, kind: 'call', callId: r.call_id ?? '', crossed: detail.crossed ?? [] }
    : { ...base, kind: 'agent', calls: detail.calls ?? [] };
}

export class QualityAlertStore {
  constructor(private readonly db: Db) {}

  /** The new call alert, or null when this call already has one from this agent. */
  async addCallAlert(a: { at: number; agent: string; callId: string; crossed: readonly Crossing[] }): Promise<QualityAlert | null> {
    const inserted = await this.db.run(
      `INSERT INTO quality_alerts (at_ms, kind, agent, call_id, detail) VALUES (?, 'call', ?, ?, ?)
       ON CONFLICT (kind, agent, call_id) DO NOTHING`,
      [a.at, a.agent, a.callId, JSON.stringify({ crossed: a.crossed })],
    );
    if (inserted.changes === 0) return null;
    const row = await this.db.get<Row>("SELECT * FROM quality_alerts WHERE kind = 'call' AND agent = ? AND call_id = ?", [
      a.agent,
      a.callId,
    ]);
    return toAlert(row!);
  }

  async addAgentAlert(a: { at: number; agent: string; calls: readonly string[] }): Promise<QualityAlert> {
    await this.db.run("INSERT INTO quality_alerts (at_ms, kind, agent, call_id, detail) VALUES (?, 'agent', ?, NULL, ?)", [
      a.at,
      a.agent,
      JSON.stringify({ calls: a.calls }),
    ]);
    const row = await this.db.get<Row>("SELECT * FROM quality_alerts WHERE kind = 'agent' AND agent = ? ORDER BY id DESC LIMIT 1", [
      a.agent,
    ]);
    return toAlert(row!);
  }

  /** The Call-IDs of `agent`'s call alerts since `sinceMs`, oldest first. */
  async alertedCalls(agent: string, sinceMs: number): Promise<string[]> {
    const rows = await this.db.all<{ call_id: string }>(
      "SELECT call_id FROM quality_alerts WHERE kind = 'call' AND agent = ? AND at_ms >= ? ORDER BY id",
      [agent, sinceMs],
    );
    return rows.map((r) => r.call_id);
  }

  async hasAgentAlert(agent: string, sinceMs: number): Promise<boolean> {
    return (
      (await this.db.get("SELECT id FROM quality_alerts WHERE kind = 'agent' AND agent = ? AND at_ms >= ?", [agent, sinceMs])) !== undefined
    );
  }

  /** Newest first. */
  async list(q: { sinceMs?: number; limit?: number } = {}): Promise<QualityAlert[]> {
    const rows = await this.db.all<Row>('SELECT * FROM quality_alerts WHERE at_ms >= ? ORDER BY id DESC LIMIT ?', [
      q.sinceMs ?? 0,
      Math.min(q.limit ?? 100, 1000),
    ]);
    return rows.map(toAlert);
  }
}
