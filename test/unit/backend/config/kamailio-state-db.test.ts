/**
 * Kamailio's own state database: the tables its modules write at shutdown and load at start, laid
 * out as the installed Kamailio expects them (its db_sqlite schema files), and the table versions
 * the dialog module checks before it loads a single call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { AUDIT_QUEUES, KAMAILIO_TABLE_VERSIONS, ensureKamailioStateDb } from '../../../../backend/config/kamailio-state-db.js';

/** Where Debian's kamailio package installs the db_sqlite schema (kamctl's). */
const SCHEMA_DIR = '/usr/share/kamailio/db_sqlite';
const DIALOG_SCHEMA = join(SCHEMA_DIR, 'dialog-create.sql');

function withStateDb(check: (db: Sqlite.Database, file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'clearline-kamailio-state-'));
  const file = join(dir, 'kamailio.db');
  try {
    ensureKamailioStateDb(file);
    ensureKamailioStateDb(file); // every start calls it: a second call changes nothing
    const db = new Sqlite(file, { readonly: true });
    try {
      check(db, file);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Column name → declared type of `table`. */
const columnsOf = (db: Sqlite.Database, table: string) =>
  Object.fromEntries((db.pragma(`table_info(${table})`) as Array<{ name: string; type: string }>).map((c) => [c.name, c.type]));

test('the state database holds registrations, the audit queue, live calls and their variables, and the dialog module’s table versions (0600)', () => {
  withStateDb((db, file) => {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name);
    for (const t of ['location', ...AUDIT_QUEUES, 'dialog', 'dialog_vars', 'version']) assert.ok(tables.includes(t), `table ${t}`);
    const versions = Object.fromEntries(
      (db.prepare('SELECT table_name, table_version FROM version').all() as Array<{ table_name: string; table_version: number }>).map(
        (r) => [r.table_name, r.table_version],
      ),
    );
    assert.deepEqual(versions, KAMAILIO_TABLE_VERSIONS, 'one row per table, not one per start');
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });
});

test(
  'the dialog tables are the installed Kamailio’s: same columns, same types, same versions (db_sqlite/dialog-create.sql)',
  { skip: existsSync(DIALOG_SCHEMA) ? false : `${DIALOG_SCHEMA} is not installed (Debian package kamailio)` },
  () => {
    const official = new Sqlite(':memory:');
    try {
      official.exec('CREATE TABLE version (table_name VARCHAR(32) NOT NULL, table_version INTEGER DEFAULT 0 NOT NULL)');
      official.exec(readFileSync(DIALOG_SCHEMA, 'utf8'));
      const expectedVersions = Object.fromEntries(
        (
          official.prepare('SELECT table_name, table_version FROM version').all() as Array<{ table_name: string; table_version: number }>
        ).map((r) => [r.table_name, r.table_version]),
      );
      assert.deepEqual(expectedVersions, { dialog: KAMAILIO_TABLE_VERSIONS.dialog, dialog_vars: KAMAILIO_TABLE_VERSIONS.dialog_vars });
      withStateDb((db) => {
        for (const table of ['dialog', 'dialog_vars']) assert.deepEqual(columnsOf(db, table), columnsOf(official, table), table);
      });
    } finally {
      official.close();
    }
  },
);
