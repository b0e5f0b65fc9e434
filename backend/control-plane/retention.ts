import type { Db } from './db.js';

export const DEFAULT_AUDIT_RETENTION_DAYS = 90;
export const MAX_AUDIT_RETENTION_DAYS = 3650;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Purging hourly keeps each purge small; retention is counted in days. */
export const RETENTION_PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Deletes audit events, call records, admin audit rows, quality summaries and alerts, and network test reports (they name the
 * agent's addresses and network) older than `retentionDays` before `nowMs`; returns how many of each.
 */
export async function purgeExpiredAudit(
  db: Db,
  retentionDays: number,
  nowMs: number,
): Promise<{ events: number; calls: number; adminActions: number; networkReports: number; qualityReports: number; qualityAlerts: number }> {
  const cutoff = nowMs - retentionDays * DAY_MS;
  return db.transaction(async (tx) => ({
    events: (await tx.run('DELETE FROM audit_events WHERE at_ms < ?', [cutoff])).changes,
    calls: (await tx.run('DELETE FROM calls WHERE started_at < ?', [cutoff])).changes,
    adminActions: (await tx.run('DELETE FROM admin_audit WHERE at_ms < ?', [cutoff])).changes,
    networkReports: (await tx.run('DELETE FROM network_reports WHERE received_at < ?', [cutoff])).changes,
    qualityReports: (await tx.run('DELETE FROM call_quality WHERE updated_at < ?', [cutoff])).changes,
    qualityAlerts: (await tx.run('DELETE FROM quality_alerts WHERE at_ms < ?', [cutoff])).changes,
  }));
}

/**
 * Purges now and then every `intervalMs`; returns the function that stops it. A purge that fails
 * (database down, schema not applied yet) is logged and retried at the next tick.
 */
export function scheduleRetention(o: {
  db: Db;
  retentionDays: number;
  now: () => number;
  log: (line: string) => void;
  intervalMs?: number;
}): () => void {
  const purge = () =>
    purgeExpiredAudit(o.db, o.retentionDays, o.now()).then(
      (n) => {
        if (n.events + n.calls + n.adminActions + n.networkReports + n.qualityReports + n.qualityAlerts > 0)
          o.log(
            `retention: purged ${n.events} audit events, ${n.calls} call records, ${n.adminActions} admin actions, ${n.networkReports} network reports, ${n.qualityReports} call quality summaries, ${n.qualityAlerts} quality alerts older than ${o.retentionDays} days`,
          );
      },
      (err: Error) => o.log(`retention: purge failed (${err.message}); retried at the next purge`),
    );
  void purge();
  const timer = setInterval(purge, o.intervalMs ?? RETENTION_PURGE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
