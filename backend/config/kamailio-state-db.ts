/**
 * Kamailio's own database on each node (a SQLite file in the state dir, written only by Kamailio):
 * what this node's Kamailio must find again after a restart.
 *
 * - `location`: its registrations (usrloc `db_mode` 2: written back by usrloc's timer and at
 *   shutdown, loaded at start). Per node, never the shared --db: with several nodes DMQ already
 *   gives every node every registration and each writes what it holds, so one shared table would
 *   be written by every node for every contact (duplicate `ruid`s).
 * - `audit` and `audit_inflight`: the audit queue (mqueue `dbmode` 1: saved at shutdown, loaded and
 *   emptied at start), so events Kamailio accepted but had not delivered outlive a restart. Per
 *   node too: a node loading the queue deletes what it loaded.
 * - `dialog` and `dialog_vars`: its live calls (dialog module `db_mode` 1: written as they change,
 *   a call's row deleted when it ends, loaded and kept at start), with their variables (the agent
 *   each side authenticated as, the trunk's side) and profiles (each agent's "calls"), so a call
 *   outlives a restart and a crash. Per node (one node only).
 * - `version`: the table versions the dialog module checks before it loads (usrloc's check is
 *   switched off instead: its `version_table` parameter; the dialog module has none).
 *
 * One file, several writers: usrloc's timer, the SIP workers (calls) and, at start and shutdown,
 * the main process. db_sqlite sets no busy timeout, so a write that met another was refused
 * instead of waiting; the cfg sets one in each process that writes (route STATE_DB_WAITS).
 */
import { chmodSync } from 'node:fs';
import Sqlite from 'better-sqlite3';

/** The audit queue's mqueue names: the queue, and the one event being delivered (kamailio.cfg, route AUDIT_DRAIN). */
export const AUDIT_QUEUES = ['audit', 'audit_inflight'] as const;

/** usrloc's `location` table, version 9 (Kamailio 5.6's utils/kamctl/db_sqlite/usrloc-create.sql). */
const LOCATION_TABLE = `CREATE TABLE IF NOT EXISTS location (
    id INTEGER PRIMARY KEY NOT NULL,
    ruid VARCHAR(64) DEFAULT '' NOT NULL,
    username VARCHAR(64) DEFAULT '' NOT NULL,
    domain VARCHAR(64) DEFAULT NULL,
    contact VARCHAR(512) DEFAULT '' NOT NULL,
    received VARCHAR(128) DEFAULT NULL,
    path VARCHAR(512) DEFAULT NULL,
    expires TIMESTAMP WITHOUT TIME ZONE DEFAULT '2030-05-28 21:32:15' NOT NULL,
    q REAL DEFAULT 1.0 NOT NULL,
    callid VARCHAR(255) DEFAULT 'Default-Call-ID' NOT NULL,
    cseq INTEGER DEFAULT 1 NOT NULL,
    last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL,
    flags INTEGER DEFAULT 0 NOT NULL,
    cflags INTEGER DEFAULT 0 NOT NULL,
    user_agent VARCHAR(255) DEFAULT '' NOT NULL,
    socket VARCHAR(64) DEFAULT NULL,
    methods INTEGER DEFAULT NULL,
    instance VARCHAR(255) DEFAULT NULL,
    reg_id INTEGER DEFAULT 0 NOT NULL,
    server_id INTEGER DEFAULT 0 NOT NULL,
    connection_id INTEGER DEFAULT 0 NOT NULL,
    keepalive INTEGER DEFAULT 0 NOT NULL,
    partition INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT location_ruid_idx UNIQUE (ruid)
  )`;

/**
 * The dialog module's tables, versions 7 and 1 (Kamailio 5.6's utils/kamctl/db_sqlite/
 * dialog-create.sql, as Debian installs it in /usr/share/kamailio/db_sqlite/): it refuses to start
 * unless the `version` table names exactly these.
 */
const DIALOG_TABLES = [
  `CREATE TABLE IF NOT EXISTS dialog (
    id INTEGER PRIMARY KEY NOT NULL,
    hash_entry INTEGER NOT NULL,
    hash_id INTEGER NOT NULL,
    callid VARCHAR(255) NOT NULL,
    from_uri VARCHAR(255) NOT NULL,
    from_tag VARCHAR(128) NOT NULL,
    to_uri VARCHAR(255) NOT NULL,
    to_tag VARCHAR(128) NOT NULL,
    caller_cseq VARCHAR(20) NOT NULL,
    callee_cseq VARCHAR(20) NOT NULL,
    caller_route_set VARCHAR(512),
    callee_route_set VARCHAR(512),
    caller_contact VARCHAR(255) NOT NULL,
    callee_contact VARCHAR(255) NOT NULL,
    caller_sock VARCHAR(64) NOT NULL,
    callee_sock VARCHAR(64) NOT NULL,
    state INTEGER NOT NULL,
    start_time INTEGER NOT NULL,
    timeout INTEGER DEFAULT 0 NOT NULL,
    sflags INTEGER DEFAULT 0 NOT NULL,
    iflags INTEGER DEFAULT 0 NOT NULL,
    toroute_name VARCHAR(32),
    req_uri VARCHAR(255) NOT NULL,
    xdata VARCHAR(512)
  )`,
  'CREATE INDEX IF NOT EXISTS dialog_hash_idx ON dialog (hash_entry, hash_id)',
  `CREATE TABLE IF NOT EXISTS dialog_vars (
    id INTEGER PRIMARY KEY NOT NULL,
    hash_entry INTEGER NOT NULL,
    hash_id INTEGER NOT NULL,
    dialog_key VARCHAR(128) NOT NULL,
    dialog_value VARCHAR(512) NOT NULL
  )`,
  'CREATE INDEX IF NOT EXISTS dialog_vars_hash_idx ON dialog_vars (hash_entry, hash_id)',
];

/** Kamailio's `version` table (standard-create.sql) and the versions this Kamailio expects. */
const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS version (
    id INTEGER PRIMARY KEY NOT NULL,
    table_name VARCHAR(32) NOT NULL,
    table_version INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT version_table_name_idx UNIQUE (table_name)
  )`;
export const KAMAILIO_TABLE_VERSIONS = { version: 1, dialog: 7, dialog_vars: 1 } as const;

/** mqueue's table layout (its module documentation): rows are loaded in `id` order. */
const queueTable = (name: string) =>
  `CREATE TABLE IF NOT EXISTS ${name} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key VARCHAR(64) DEFAULT '' NOT NULL,
    val TEXT DEFAULT '' NOT NULL
  )`;

/** Creates (or keeps) Kamailio's state database at `file` (idempotent; 0600: it names agents' addresses). */
export function ensureKamailioStateDb(file: string): void {
  const db = new Sqlite(file);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(LOCATION_TABLE);
    db.exec('CREATE INDEX IF NOT EXISTS location_account_contact_idx ON location (username, domain, contact)');
    db.exec('CREATE INDEX IF NOT EXISTS location_expires_idx ON location (expires)');
    for (const q of AUDIT_QUEUES) db.exec(queueTable(q));
    for (const sql of DIALOG_TABLES) db.exec(sql);
    db.exec(VERSION_TABLE);
    const setVersion = db.prepare(
      'INSERT INTO version (table_name, table_version) VALUES (?, ?) ON CONFLICT (table_name) DO UPDATE SET table_version = excluded.table_version',
    );
    for (const [table, version] of Object.entries(KAMAILIO_TABLE_VERSIONS)) setVersion.run(table, version);
  } finally {
    db.close();
  }
  chmodSync(file, 0o600);
}
