import { createHash, timingSafeEqual } from 'node:crypto';
import type { Db, SqlValue } from './db.js';
import type { DestinationClass } from './schema.js';
import type { AgentChanges, AgentPolicy } from './agent-input.js';

/** SIP digest HA1 = MD5(username:realm:password): what Kamailio's auth_db compares against. */
export function digestHa1(username: string, realm: string, password: string): string {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest('hex');
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const MIN_PASSWORD_LENGTH = 8;

export interface Agent extends AgentPolicy {
  readonly username: string;
  readonly displayName: string;
  readonly createdAt: number;
  /** A disabled agent keeps its row (and history) but can neither sign in, register nor call. */
  readonly disabled: boolean;
}

interface AgentRow {
  username: string;
  ha1: string;
  display_name: string;
  created_at: number;
  disabled: number;
  allowed_destinations: string;
  max_calls: number;
  max_cps: number;
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new Error(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
}

export class AgentStore {
  constructor(
    private readonly db: Db,
    private readonly realm: string,
  ) {}

  /**
   * Creates or replaces an agent; only the HA1 of the password is stored. Policy fields not given
   * keep their current value (or the schema's default for a new agent).
   */
  async upsert(
    username: string,
    password: string,
    displayName: string,
    now = Date.now(),
    policy: Partial<AgentPolicy> = {},
  ): Promise<Agent> {
    if (!USERNAME_PATTERN.test(username)) {
      throw new Error('username must be 1-64 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit');
    }
    checkPassword(password);
    const ha1 = digestHa1(username, this.realm, password);
    await this.db.transaction(async (tx) => {
      const updated = await tx.run('UPDATE agents SET ha1 = ?, display_name = ? WHERE username = ?', [ha1, displayName, username]);
      if (updated.changes === 0) {
        await tx.run('INSERT INTO agents (username, ha1, display_name, created_at) VALUES (?, ?, ?, ?)', [username, ha1, displayName, now]);
      }
      await this.applyChanges(tx, username, policy);
    });
    return (await this.find(username))!;
  }

  /** Applies `changes` to an existing agent; undefined when there is no such agent. */
  async update(username: string, changes: AgentChanges): Promise<Agent | undefined> {
    if (changes.password !== undefined) checkPassword(changes.password);
    const found = await this.db.transaction(async (tx) => {
      if (!(await tx.get('SELECT username FROM agents WHERE username = ?', [username]))) return false;
      await this.applyChanges(tx, username, changes);
      return true;
    });
    return found ? this.find(username) : undefined;
  }

  private async applyChanges(tx: Db, username: string, changes: AgentChanges): Promise<void> {
    const set: Array<[column: string, value: SqlValue]> = [];
    if (changes.displayName !== undefined) set.push(['display_name', changes.displayName]);
    if (changes.password !== undefined) set.push(['ha1', digestHa1(username, this.realm, changes.password)]);
    if (changes.disabled !== undefined) set.push(['disabled', changes.disabled ? 1 : 0]);
    if (changes.allowedDestinations !== undefined) set.push(['allowed_destinations', changes.allowedDestinations.join(',')]);
    if (changes.maxCalls !== undefined) set.push(['max_calls', changes.maxCalls]);
    if (changes.maxCps !== undefined) set.push(['max_cps', changes.maxCps]);
    if (set.length === 0) return;
    await tx.run(`UPDATE agents SET ${set.map(([c]) => `${c} = ?`).join(', ')} WHERE username = ?`, [...set.map(([, v]) => v), username]);
  }

  /** Deletes the agent's row: Kamailio's auth_db then knows no such user. False when there was none. */
  async remove(username: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM agents WHERE username = ?', [username])).changes > 0;
  }

  async find(username: string): Promise<Agent | undefined> {
    const row = await this.db.get<AgentRow>('SELECT * FROM agents WHERE username = ?', [username]);
    return row && toAgent(row);
  }

  async list(): Promise<Agent[]> {
    return (await this.db.all<AgentRow>('SELECT * FROM agents ORDER BY username')).map(toAgent);
  }

  /**
   * The agent if `password` is its SIP password (compared as HA1, in constant time), disabled or
   * not: the caller refuses a disabled agent, after the password proved who is asking.
   */
  async verify(username: string, password: string): Promise<Agent | undefined> {
    const row = await this.db.get<AgentRow>('SELECT * FROM agents WHERE username = ?', [username]);
    const expected = Buffer.from(row?.ha1 ?? '0'.repeat(32), 'utf8');
    const actual = Buffer.from(digestHa1(username, this.realm, password), 'utf8');
    const match = expected.length === actual.length && timingSafeEqual(expected, actual);
    return row && match ? toAgent(row) : undefined;
  }
}

function toAgent(row: AgentRow): Agent {
  return {
    username: row.username,
    displayName: row.display_name,
    createdAt: Number(row.created_at),
    disabled: Number(row.disabled) === 1,
    allowedDestinations: row.allowed_destinations.split(',').filter(Boolean) as DestinationClass[],
    maxCalls: Number(row.max_calls),
    maxCps: Number(row.max_cps),
  };
}
