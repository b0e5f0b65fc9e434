import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from './db.js';

function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * The admin token in force. Only its SHA-256 is stored (a database dump or backup does not hand
 * out the token), in the database (so every control-plane node over one PostgreSQL agrees, and a
 * rotation survives restarts). Until the first rotation the configured token is the one in force:
 * it is seeded on first use. After a rotation the configured token is refused.
 */
export class AdminTokens {
  constructor(
    private readonly db: Db,
    private readonly configuredToken: string,
  ) {}

  private async currentHash(): Promise<string> {
    const row = await this.db.get<{ token_sha256: string }>('SELECT token_sha256 FROM admin_token WHERE id = 1');
    if (row) return row.token_sha256;
    await this.db.run('INSERT INTO admin_token (id, token_sha256, rotated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING', [
      sha256Hex(this.configuredToken),
      0,
    ]);
    return (await this.db.get<{ token_sha256: string }>('SELECT token_sha256 FROM admin_token WHERE id = 1'))!.token_sha256;
  }

  /** The token's short fingerprint when it is the one in force (what the admin audit names as the actor), else null. */
  async verify(token: string): Promise<string | null> {
    const expected = Buffer.from(await this.currentHash(), 'hex');
    const actual = Buffer.from(sha256Hex(token), 'hex');
    return timingSafeEqual(expected, actual) ? fingerprint(actual.toString('hex')) : null;
  }

  /** The fingerprint of the token in force: a page session made with an earlier token ends when this changes. */
  async fingerprintInForce(): Promise<string> {
    return fingerprint(await this.currentHash());
  }

  /** Replaces the token in force with a new random one and returns it (the only time it is seen). */
  async rotate(now: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.currentHash();
    await this.db.run('UPDATE admin_token SET token_sha256 = ?, rotated_at = ? WHERE id = 1', [sha256Hex(token), now]);
    return token;
  }
}

/** "admin#1a2b3c4d": which token generation acted, without anything that helps guess the token. */
function fingerprint(tokenSha256: string): string {
  return `admin#${tokenSha256.slice(0, 8)}`;
}
