import type { Db } from './db.js';

export type AdminAction =
  | 'agent created'
  | 'agent replaced'
  | 'agent changed'
  | 'agent disabled'
  | 'agent enabled'
  | 'agent deleted'
  | 'password reset'
  | 'token rotated'
  | 'page signed in'
  | 'page signed out';

export interface AdminAuditEntry {
  readonly id: number;
  readonly at: number;
  /** Which admin token acted (its fingerprint). */
  readonly actor: string;
  readonly action: AdminAction;
  readonly target: string | null;
  readonly sourceAddress: string;
  /** What changed, never a secret (field names, not a password). */
  readonly detail: string | null;
}

interface AdminAuditRow {
  id: number;
  at_ms: number;
  actor: string;
  action: AdminAction;
  target: string | null;
  source_address: string;
  detail: string | null;
}

/** Who did what to which agent, when and from where: one row per admin action that changed something. */
export class AdminAuditStore {
  constructor(private readonly db: Db) {}

  async record(entry: Omit<AdminAuditEntry, 'id' | 'at'>, now: number): Promise<void> {
    await this.db.run('INSERT INTO admin_audit (at_ms, actor, action, target, source_address, detail) VALUES (?, ?, ?, ?, ?, ?)', [
      now,
      entry.actor,
      entry.action,
      entry.target,
      entry.sourceAddress.slice(0, 64),
      entry.detail?.slice(0, 512) ?? null,
    ]);
  }

  async list(opts: { sinceMs?: number; limit?: number } = {}): Promise<AdminAuditEntry[]> {
    const rows = await this.db.all<AdminAuditRow>('SELECT * FROM admin_audit WHERE at_ms >= ? ORDER BY id DESC LIMIT ?', [
      opts.sinceMs ?? 0,
      opts.limit ?? 1000,
    ]);
    return rows.reverse().map((r) => ({
      id: Number(r.id),
      at: Number(r.at_ms),
      actor: r.actor,
      action: r.action,
      target: r.target,
      sourceAddress: r.source_address,
      detail: r.detail,
    }));
  }
}
