import Sqlite from 'better-sqlite3';
import pg from 'pg';

export type Dialect = 'sqlite' | 'postgres';
export type SqlValue = string | number | null;

/**
 * The one database seam of the control plane. SQL is written once with `?` placeholders; the
 * PostgreSQL driver renumbers them. Every write resolves only after the database made it durable.
 */
export interface Db {
  readonly dialect: Dialect;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs `fn` in one transaction (all or nothing). */
  transaction<R>(fn: (tx: Db) => Promise<R>): Promise<R>;
  close(): Promise<void>;
}

export function openSqlite(file: string): Db {
  const db = new Sqlite(file);
  // WAL: Kamailio reads the agents table while we write. synchronous=FULL: an acknowledged audit
  // event survives a crash or power loss, not just a process restart.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  // One connection: transactions must not interleave across awaits of concurrent requests.
  let queue: Promise<unknown> = Promise.resolve();
  const self: Db = {
    dialect: 'sqlite',
    async run(sql, params = []) {
      return { changes: db.prepare(sql).run(...params).changes };
    },
    async all<T>(sql: string, params: readonly SqlValue[] = []) {
      return db.prepare(sql).all(...params) as T[];
    },
    async get<T>(sql: string, params: readonly SqlValue[] = []) {
      return db.prepare(sql).get(...params) as T | undefined;
    },
    transaction<R>(fn: (tx: Db) => Promise<R>): Promise<R> {
      const result = queue.then(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const r = await fn(self);
          db.exec('COMMIT');
          return r;
        } catch (err) {
          db.exec('ROLLBACK');
          throw err;
        }
      });
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      db.close();
    },
  };
  return self;
}

/** `?` → `$1, $2, …` (our SQL never has `?` inside string literals). */
export function toPostgresPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export function openPostgres(url: string): Db {
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  const on = (q: { query: pg.Pool['query'] }, closeFn: () => Promise<void>): Db => ({
    dialect: 'postgres',
    async run(sql, params = []) {
      const r = await q.query(toPostgresPlaceholders(sql), [...params]);
      return { changes: r.rowCount ?? 0 };
    },
    async all<T>(sql: string, params: readonly SqlValue[] = []) {
      return (await q.query(toPostgresPlaceholders(sql), [...params])).rows as T[];
    },
    async get<T>(sql: string, params: readonly SqlValue[] = []) {
      return (await q.query(toPostgresPlaceholders(sql), [...params])).rows[0] as T | undefined;
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(on(client as unknown as { query: pg.Pool['query'] }, async () => {}));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    },
    close: closeFn,
  });
  // BIGINT comes back as a string by default; our values (epoch ms, durations) fit in a double.
  pg.types.setTypeParser(20, (v) => Number(v));
  return on(pool, () => pool.end());
}

export function openDb(url: string): Db {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url);
  if (url.startsWith('sqlite://')) return openSqlite(url.slice('sqlite://'.length));
  throw new Error(`--db must be sqlite:///path/file.db or postgres://user:pass@host/db (got ${url.split(':')[0]}:…)`);
}
