import Sqlite from 'better-sqlite3';
import pg from 'pg';

export type Dialect = 'sqlite' | 'postgres';
export type SqlValue = string | number | null;

/**
 * The one database seam of the control plane. SQL is written once with `?` placeholders; the
 * PostgreSQL driver renumbers them. Every write resolves only after the database made it durable.
 * When the database cannot serve (down, unreachable, locked by another process) every method
 * rejects with DatabaseUnavailableError, fast: the API answers 503 instead of hanging.
 */
export interface Db {
  readonly dialect: Dialect;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs `fn` in one transaction (all or nothing). */
  transaction<R>(fn: (tx: Db) => Promise<R>): Promise<R>;
  /** Resolves when the database can take a write right now (what /healthz reports). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The database cannot serve right now. Carries HTTP 503 (Fastify answers with it) and a message
 * with no internal detail: driver errors name hosts, users, files and SQL. The cause stays on
 * `cause` for logs that want it.
 */
export class DatabaseUnavailableError extends Error {
  readonly statusCode = 503;
  constructor(cause: unknown) {
    super('database unavailable; retry shortly', { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * SQLite: how long a write waits for another process's lock. better-sqlite3 waits ON the event
 * loop, so this is how long the whole control plane freezes per request while a backup or VACUUM
 * holds the lock: short, then 503.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 200;
/** PostgreSQL: a down or unreachable server fails a request after this, not after the OS's TCP timeout. */
export const PG_CONNECT_TIMEOUT_MS = 3000;

/** SQLite error codes meaning "another connection holds the lock" (not a bug in our SQL). */
const SQLITE_LOCK_CODES = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY', 'SQLITE_LOCKED']);
/** Socket errors, and PostgreSQL SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, restart). */
const PG_UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Whether a driver error means "the database is not available now" rather than a query bug (pure). */
export function isUnavailableError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SQLITE_LOCK_CODES.has(code) || PG_UNAVAILABLE_CODES.has(code)) return true;
    if (/^(08|57P)/.test(code)) return true;
  }
  // node-postgres reports a dropped or never-made connection without a code.
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused/i.test(
    err.message,
  );
}

async function guarded<R>(op: () => Promise<R> | R): Promise<R> {
  try {
    return await op();
  } catch (err) {
    throw isUnavailableError(err) ? new DatabaseUnavailableError(err) : err;
  }
}

export function openSqlite(file: string): Db {
  const db = new Sqlite(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  // WAL: Kamailio reads the agents table while we write. synchronous=FULL: an acknowledged audit
  // event survives a crash or power loss, not just a process restart.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // One connection: transactions must not interleave across awaits of concurrent requests.
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <R>(fn: () => Promise<R>): Promise<R> => {
    const result = queue.then(fn);
    queue = result.catch(() => undefined);
    return result;
  };
  const self: Db = {
    dialect: 'sqlite',
    run: (sql, params = []) => guarded(() => ({ changes: db.prepare(sql).run(...params).changes })),
    all: <T>(sql: string, params: readonly SqlValue[] = []) => guarded(() => db.prepare(sql).all(...params) as T[]),
    get: <T>(sql: string, params: readonly SqlValue[] = []) => guarded(() => db.prepare(sql).get(...params) as T | undefined),
    transaction<R>(fn: (tx: Db) => Promise<R>): Promise<R> {
      return serialized(() =>
        guarded(async () => {
          db.exec('BEGIN IMMEDIATE');
          try {
            const r = await fn(self);
            db.exec('COMMIT');
            return r;
          } catch (err) {
            db.exec('ROLLBACK');
            throw err;
          }
        }),
      );
    },
    // Readers never block in WAL mode, so `SELECT 1` would pass while every write times out: take
    // (and release) the write lock instead, the same one a backup or VACUUM holds.
    ping: () =>
      serialized(() =>
        guarded(() => {
          db.exec('BEGIN IMMEDIATE');
          db.exec('ROLLBACK');
        }),
      ),
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

/**
 * `log` gets one line per connection the pool lost while idle (a PostgreSQL restart, a network
 * cut): node-postgres emits those as 'error' on the pool, which crash the process when unhandled.
 */
export function openPostgres(url: string, log: (line: string) => void = (l) => console.error(l)): Db {
  const pool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS });
  pool.on('error', (err: Error & { code?: string }) => {
    log(`database: an idle connection was lost (${err.code ?? 'no code'}); the next query reconnects`);
  });
  const on = (q: { query: pg.Pool['query'] }, closeFn: () => Promise<void>): Db => ({
    dialect: 'postgres',
    run: (sql, params = []) => guarded(async () => ({ changes: (await q.query(toPostgresPlaceholders(sql), [...params])).rowCount ?? 0 })),
    all: <T>(sql: string, params: readonly SqlValue[] = []) =>
      guarded(async () => (await q.query(toPostgresPlaceholders(sql), [...params])).rows as T[]),
    get: <T>(sql: string, params: readonly SqlValue[] = []) =>
      guarded(async () => (await q.query(toPostgresPlaceholders(sql), [...params])).rows[0] as T | undefined),
    transaction: (fn) =>
      guarded(async () => {
        const client = await pool.connect();
        let broken: Error | undefined;
        // A checked-out client has no pool listener: the connection dropping mid-transaction (a
        // PostgreSQL restart) emits 'error' on it, which would crash the process unhandled. The
        // failing query rejects anyway; the client is only marked broken.
        const onLost = (e: Error) => (broken = e);
        client.on('error', onLost);
        try {
          await client.query('BEGIN');
          const result = await fn(on(client as unknown as { query: pg.Pool['query'] }, async () => {}));
          await client.query('COMMIT');
          return result;
        } catch (err) {
          // A lost connection fails the ROLLBACK too; the server rolls back on disconnect anyway.
          await client.query('ROLLBACK').catch((e: Error) => (broken = e));
          throw err;
        } finally {
          // A broken client is destroyed, not returned to the pool for the next request to trip on.
          client.removeListener('error', onLost);
          client.release(broken);
        }
      }),
    ping: () => guarded(async () => void (await q.query('SELECT 1'))),
    close: closeFn,
  });
  // BIGINT comes back as a string by default; our values (epoch ms, durations) fit in a double.
  pg.types.setTypeParser(20, (v) => Number(v));
  return on(pool, () => pool.end());
}

/** Opens the database named by `url`; `log` receives connection-loss notes (never credentials). */
export function openDb(url: string, log?: (line: string) => void): Db {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url, log);
  if (url.startsWith('sqlite://')) return openSqlite(url.slice('sqlite://'.length));
  throw new Error(`--db must be sqlite:///path/file.db or postgres://user:pass@host/db (got ${url.split(':')[0]}:…)`);
}
