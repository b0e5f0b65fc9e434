import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PG_BIN = '/usr/lib/postgresql/15/bin';

/** Why this machine cannot run a private PostgreSQL, or null when it can. */
export function postgresUnavailable(): string | null {
  if (!existsSync(`${PG_BIN}/initdb`)) return `PostgreSQL 15 is not installed (${PG_BIN}/initdb missing): apt-get install postgresql`;
  if (process.getuid?.() !== 0) return 'needs root to run initdb/pg_ctl as the postgres user (runuser)';
  if (spawnSync('id', ['postgres'], { stdio: 'ignore' }).status !== 0) return 'no postgres system user';
  return null;
}

/**
 * A private PostgreSQL 15 in a temp dir on 127.0.0.1:`port` (trust auth, fsync off), with a
 * `clearline` database. stop()/start() simulate an outage; dispose() removes everything.
 * `listen` + `trustNet` put it on another local address (e.g. a test bridge that network
 * namespaces reach) and let that network's hosts in without a password.
 */
export class PrivatePostgres {
  readonly url: string;
  private constructor(
    private readonly dir: string,
    private readonly port: number,
    private readonly listen: string,
  ) {
    this.url = `postgres://postgres@${listen}:${port}/clearline`;
  }

  static create(port: number, o: { listen?: string; trustNet?: string } = {}): PrivatePostgres {
    const dir = mkdtempSync(join(tmpdir(), 'clearline-pg-'));
    const listen = o.listen ?? '127.0.0.1';
    const pg = new PrivatePostgres(dir, port, listen);
    try {
      execFileSync('chown', ['postgres:postgres', dir]);
      pg.asPostgres('initdb', ['-D', pg.dataDir, '--auth=trust', '-U', 'postgres', '--no-sync']);
      if (o.trustNet) appendFileSync(join(pg.dataDir, 'pg_hba.conf'), `host all all ${o.trustNet} trust\n`);
      pg.start();
      pg.asPostgres('createdb', ['-h', listen, '-p', String(port), 'clearline']);
    } catch (err) {
      pg.dispose();
      throw err;
    }
    return pg;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  private asPostgres(cmd: string, args: string[]): void {
    execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/${cmd}`, ...args], { stdio: 'pipe', timeout: 30_000 });
  }

  start(): void {
    this.asPostgres('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      join(this.dir, 'pg.log'),
      '-w',
      '-t',
      '30',
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=${this.listen} -c fsync=off`,
      'start',
    ]);
  }

  /** `fast` is what a service restart does: clients are disconnected, open transactions rolled back. */
  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    this.asPostgres('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', 'stop']);
  }

  dispose(): void {
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) {
      try {
        this.stop('immediate');
      } catch {
        /* already stopped */
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
