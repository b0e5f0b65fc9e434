import type { Db, Dialect } from './db.js';
import { AUDIT_FIELD_LIMITS, auditColumnDefinitions } from './audit-event.js';

/** The destination classes of the dial plan; Kamailio reads `agents.allowed_destinations` as a comma list of these. */
export const DESTINATION_CLASSES = ['internal', 'national', 'international', 'premium'] as const;
export type DestinationClass = (typeof DESTINATION_CLASSES)[number];

/** Column sizes of the audit tables (defined with the audit event): Kamailio's events are truncated to these, never refused. */
export { AUDIT_FIELD_LIMITS };

/**
 * Agent columns added after the first release, with their definitions: `migrate` adds each one an
 * existing database lacks. Kamailio's auth_db loads them with the credentials (load_credentials),
 * so their names are part of the Kamailio contract.
 */
const AGENT_COLUMNS_ADDED: ReadonlyArray<readonly [name: string, definition: string]> = [
  ['disabled', 'INTEGER NOT NULL DEFAULT 0'],
  ['allowed_destinations', "VARCHAR(128) NOT NULL DEFAULT 'internal,national'"],
  ['max_calls', 'INTEGER NOT NULL DEFAULT 2'],
  ['max_cps', 'INTEGER NOT NULL DEFAULT 1'],
];

/** `calls` as keyed since a reused Call-ID gets its own record: one row per (Call-ID, caller's From tag). */
function callsTable(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
      call_id VARCHAR(${AUDIT_FIELD_LIMITS.callId}) NOT NULL,
      from_tag VARCHAR(${AUDIT_FIELD_LIMITS.fromTag}) NOT NULL DEFAULT '',
      from_uri VARCHAR(512) NOT NULL,
      to_uri VARCHAR(512) NOT NULL,
      started_at BIGINT NOT NULL,
      answered_at BIGINT,
      ended_at BIGINT,
      duration_ms BIGINT,
      disposition VARCHAR(32) NOT NULL,
      PRIMARY KEY (call_id, from_tag)
    )`;
}

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
      created_at BIGINT NOT NULL,
      ${AGENT_COLUMNS_ADDED.map(([name, def]) => `${name} ${def}`).join(',\n      ')}
    )`,
    `CREATE TABLE IF NOT EXISTS audit_events (
      id ${autoId},
      ${auditColumnDefinitions().join(',\n      ')}
    )`,
    // Kamailio's id of an audit event: unique, so a re-delivered event is stored once.
    'CREATE UNIQUE INDEX IF NOT EXISTS audit_events_event_id ON audit_events (event_id)',
    'CREATE INDEX IF NOT EXISTS audit_events_call_id ON audit_events (call_id)',
    'CREATE INDEX IF NOT EXISTS audit_events_at ON audit_events (at_ms)',
    callsTable('calls'),
    'CREATE INDEX IF NOT EXISTS calls_started_at ON calls (started_at)',
    `CREATE TABLE IF NOT EXISTS admin_audit (
      id ${autoId},
      at_ms BIGINT NOT NULL,
      actor VARCHAR(64) NOT NULL,
      action VARCHAR(32) NOT NULL,
      target VARCHAR(64),
      source_address VARCHAR(64) NOT NULL,
      detail VARCHAR(512)
    )`,
    'CREATE INDEX IF NOT EXISTS admin_audit_at ON admin_audit (at_ms)',
    // Network test reports agents sent to the helpdesk (network-reports.ts): the body is the
    // validated JSON report; the other columns are what the admin list shows without reading it.
    `CREATE TABLE IF NOT EXISTS network_reports (
      id VARCHAR(36) PRIMARY KEY,
      agent VARCHAR(64) NOT NULL,
      received_at BIGINT NOT NULL,
      shell VARCHAR(16) NOT NULL,
      phase VARCHAR(16) NOT NULL,
      verdict VARCHAR(8) NOT NULL,
      summary VARCHAR(500) NOT NULL,
      size_bytes INTEGER NOT NULL,
      body TEXT NOT NULL
    )`,
    'CREATE INDEX IF NOT EXISTS network_reports_agent ON network_reports (agent, received_at)',
    'CREATE INDEX IF NOT EXISTS network_reports_received_at ON network_reports (received_at)',
    // Quality summaries from the agents' clients (call-quality-store.ts): one row per call and
    // reporting agent, replaced by its later reports; `body` is the validated JSON summary.
    `CREATE TABLE IF NOT EXISTS call_quality (
      call_id VARCHAR(256) NOT NULL,
      agent VARCHAR(64) NOT NULL,
      updated_at BIGINT NOT NULL,
      final INTEGER NOT NULL,
      mos_latest REAL,
      body TEXT NOT NULL,
      PRIMARY KEY (call_id, agent)
    )`,
    'CREATE INDEX IF NOT EXISTS call_quality_updated_at ON call_quality (updated_at)',
    // Quality alerts (quality-alert-store.ts): a call's (one per call and agent, by this index) or
    // an agent's repeated ones; `detail` is JSON (the thresholds crossed, or the calls).
    `CREATE TABLE IF NOT EXISTS quality_alerts (
      id ${autoId},
      at_ms BIGINT NOT NULL,
      kind VARCHAR(8) NOT NULL,
      agent VARCHAR(64) NOT NULL,
      call_id VARCHAR(256),
      detail TEXT NOT NULL
    )`,
    'CREATE UNIQUE INDEX IF NOT EXISTS quality_alerts_call ON quality_alerts (kind, agent, call_id)',
    'CREATE INDEX IF NOT EXISTS quality_alerts_at ON quality_alerts (at_ms)',
    // One row: the SHA-256 of the admin token in force (rotation replaces it; the token itself is never stored).
    `CREATE TABLE IF NOT EXISTS admin_token (
      id INTEGER PRIMARY KEY,
      token_sha256 CHAR(64) NOT NULL,
      rotated_at BIGINT NOT NULL
    )`,
  ];
}

async function columnsOf(db: Db, table: string): Promise<Set<string>> {
  const rows =
    db.dialect === 'postgres'
      ? await db.all<{ name: string }>(
          'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?',
          [table],
        )
      : await db.all<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`);
  return new Set(rows.map((r) => r.name));
}

/**
 * Brings a database of an earlier release up to this schema (idempotent): adds the agent columns
 * it lacks, and re-keys `calls` by (call_id, from_tag) — rebuilt by copy, because SQLite cannot
 * change a primary key in place; the existing records keep an empty from_tag.
 */
async function upgradeEarlierRelease(db: Db): Promise<void> {
  const agentColumns = await columnsOf(db, 'agents');
  for (const [name, def] of AGENT_COLUMNS_ADDED) {
    if (!agentColumns.has(name)) await db.run(`ALTER TABLE agents ADD COLUMN ${name} ${def}`);
  }
  if (!(await columnsOf(db, 'calls')).has('from_tag')) {
    await db.transaction(async (tx) => {
      await tx.run(callsTable('calls_keyed'));
      await tx.run(
        `INSERT INTO calls_keyed (call_id, from_tag, from_uri, to_uri, started_at, answered_at, ended_at, duration_ms, disposition)
         SELECT call_id, '', from_uri, to_uri, started_at, answered_at, ended_at, duration_ms, disposition FROM calls`,
      );
      await tx.run('DROP TABLE calls');
      await tx.run('ALTER TABLE calls_keyed RENAME TO calls');
      await tx.run('CREATE INDEX IF NOT EXISTS calls_started_at ON calls (started_at)');
    });
  }
}

export async function migrate(db: Db): Promise<void> {
  for (const stmt of schemaStatements(db.dialect)) await db.run(stmt);
  await upgradeEarlierRelease(db);
}
