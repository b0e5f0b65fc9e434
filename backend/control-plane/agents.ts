import { createHash, timingSafeEqual } from 'node:crypto';
import type { Db } from './db.js';

/** SIP digest HA1 = MD5(username:realm:password): what Kamailio's auth_db compares against. */
export function digestHa1(username: string, realm: string, password: string): string {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest('hex');
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export interface Agent {
  readonly username: string;
  readonly displayName: string;
  readonly createdAt: number;
}

interface AgentRow {
  username: string;
  ha1: string;
  display_name: string;
  created_at: number;
}

export class AgentStore {
  constructor(
    private readonly db: Db,
    private readonly realm: string,
  ) {}

  /** Creates or replaces an agent; only the HA1 of the password is stored. */
  async upsert(username: string, password: string, displayName: string, now = Date.now()): Promise<Agent> {
    if (!USERNAME_PATTERN.test(username)) {
      throw new Error('username must be 1-64 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit');
    }
    if (password.length < 8) throw new Error('password must be at least 8 characters');
    const ha1 = digestHa1(username, this.realm, password);
    await this.db.transaction(async (tx) => {
      const updated = await tx.run('UPDATE agents SET ha1 = ?, display_name = ? WHERE username = ?', [ha1, displayName, username]);
      if (updated.changes === 0) {
        await tx.run('INSERT INTO agents (username, ha1, display_name, created_at) VALUES (?, ?, ?, ?)', [username, ha1, displayName, now]);
      }
    });
    return (await this.find(username))!;
  }

  async find(username: string): Promise<Agent | undefined> {
    const row = await this.db.get<AgentRow>('SELECT * FROM agents WHERE username = ?', [username]);
    return row && toAgent(row);
  }

  async list(): Promise<Agent[]> {
    return (await this.db.all<AgentRow>('SELECT * FROM agents ORDER BY username')).map(toAgent);
  }

  /** The agent if `password` is its SIP password (compared as HA1, in constant time). */
  async verify(username: string, password: string): Promise<Agent | undefined> {
    const row = await this.db.get<AgentRow>('SELECT * FROM agents WHERE username = ?', [username]);
    const expected = Buffer.from(row?.ha1 ?? '0'.repeat(32), 'utf8');
    const actual = Buffer.from(digestHa1(username, this.realm, password), 'utf8');
    const match = expected.length === actual.length && timingSafeEqual(expected, actual);
    return row && match ? toAgent(row) : undefined;
  }
}

function toAgent(row: AgentRow): Agent {
  return { username: row.username, displayName: row.display_name, createdAt: Number(row.created_at) };
}
