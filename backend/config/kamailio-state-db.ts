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
 *
 * One file, one writer at a time (usrloc's timer while running, the main process at shutdown):
 * db_sqlite has no busy timeout, so concurrent writers would fail instead of waiting.
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
  } finally {
    db.close();
  }
  chmodSync(file, 0o600);
}
