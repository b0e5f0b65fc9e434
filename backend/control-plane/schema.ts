import type { Db, Dialect } from './db.js';

/**
 * The control plane's schema, in SQL that runs on both SQLite and PostgreSQL (only the
 * auto-increment key differs). `agents` doubles as Kamailio's auth_db table: it reads `ha1` by
 * `username` — so the column names are part of the Kamailio contract.
 */
export function schemaStatements(dialect: Dialect): string[] {
  const autoId = dialect === 'postgres' ? 'BIGSERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
  return [
    `CREATE TABLE IF NOT EXISTS agents (
      username VARCHAR(64) PRIMARY KEY,
      ha1 CHAR(32) NOT NULL,
      display_name VARCHAR(128) NOT NULL,
      created_at BIGINT NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS audit_events (
      id ${autoId},
      event_id VARCHAR(64),
      at_ms BIGINT NOT NULL,
      method VARCHAR(16) NOT NULL,
      from_uri VARCHAR(512) NOT NULL,
      to_uri VARCHAR(512) NOT NULL,
      target VARCHAR(128),
      call_id VARCHAR(256) NOT NULL,
      code INTEGER NOT NULL,
      outcome VARCHAR(128) NOT NULL,
      in_dialog INTEGER NOT NULL
    )`,
    // Kamailio's id of an audit event: unique, so a re-delivered event is stored once.
    'CREATE UNIQUE INDEX IF NOT EXISTS audit_events_event_id ON audit_events (event_id)',
    'CREATE INDEX IF NOT EXISTS audit_events_call_id ON audit_events (call_id)',
    'CREATE INDEX IF NOT EXISTS audit_events_at ON audit_events (at_ms)',
    `CREATE TABLE IF NOT EXISTS calls (
      call_id VARCHAR(256) PRIMARY KEY,
      from_uri VARCHAR(512) NOT NULL,
      to_uri VARCHAR(512) NOT NULL,
      started_at BIGINT NOT NULL,
      answered_at BIGINT,
      ended_at BIGINT,
      duration_ms BIGINT,
      disposition VARCHAR(32) NOT NULL
    )`,
    'CREATE INDEX IF NOT EXISTS calls_started_at ON calls (started_at)',
  ];
}

export async function migrate(db: Db): Promise<void> {
  for (const stmt of schemaStatements(db.dialect)) await db.run(stmt);
}
