import { readFile, rm } from 'node:fs/promises';
import { z } from 'zod';
import { writeJsonAtomic } from '../storage/json-file.js';

/**
 * How a stored password is protected at rest, said plainly to the agent and in the log:
 * - 'os-encrypted': sealed with a key the OS keeps (macOS Keychain, Windows DPAPI, a Linux
 *   keyring through libsecret/KWallet);
 * - 'obfuscated': Electron's safeStorage on Linux with no keyring ('basic_text'): encrypted with a
 *   key hard-coded in Chromium, which anyone who reads the file can undo;
 * - 'plain-file': clear text in a 0600 file (Node tests and the host bridge only).
 */
export type SecretProtection = 'os-encrypted' | 'obfuscated' | 'plain-file';

/** Where the agent's SIP/control-plane password lives between runs. */
export interface SecretStore {
  readonly protection: SecretProtection;
  /** The secret, null when none is stored; UnreadableSecretError when one is stored but cannot be read. */
  get(key: string): Promise<string | null>;
  /** Stores the secret; a damaged file is replaced, so signing in again always repairs it. */
  set(key: string, secret: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * A secret exists but cannot be read back: the file is damaged (disk full, a crash in an old
 * version, a hand edit) or was sealed with an OS key this session does not have (a new keyring,
 * a restored profile). Never carries the file's content: it may hold a secret.
 */
export class UnreadableSecretError extends Error {
  override readonly name = 'UnreadableSecretError';
}

/** Turns a secret into what is written to disk and back; `open` throws when it cannot. */
export interface SecretCodec {
  readonly protection: SecretProtection;
  seal(secret: string): string;
  open(sealed: string): string;
}

const SecretsFileSchema = z.record(z.string(), z.string());
type SecretsFile = z.infer<typeof SecretsFileSchema>;

/**
 * Secrets as one JSON object `{ key: sealed }` in a 0600 file, rewritten atomically.
 * The codec decides whether "sealed" means encrypted (safeStorage) or not (plain).
 */
export class FileSecretStore implements SecretStore {
  readonly protection: SecretProtection;

  constructor(
    readonly path: string,
    private readonly codec: SecretCodec,
  ) {
    this.protection = codec.protection;
  }

  /** The stored secrets, `null` when the file is damaged (no content in any message: it may be secret). */
  async #readAll(): Promise<SecretsFile | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    try {
      const parsed = SecretsFileSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  #writeAll(all: SecretsFile): Promise<void> {
    return writeJsonAtomic(this.path, all, 0o600);
  }

  async get(key: string): Promise<string | null> {
    const all = await this.#readAll();
    if (all === null) throw new UnreadableSecretError(`${this.path} is damaged (not a JSON object of strings)`);
    const sealed = all[key];
    if (sealed === undefined) return null;
    try {
      return this.codec.open(sealed);
    } catch {
      throw new UnreadableSecretError(`the saved "${key}" in ${this.path} cannot be decrypted (sealed with another OS key, or damaged)`);
    }
  }

  async set(key: string, secret: string): Promise<void> {
    await this.#writeAll({ ...((await this.#readAll()) ?? {}), [key]: this.codec.seal(secret) });
  }

  async delete(key: string): Promise<void> {
    const all = (await this.#readAll()) ?? {};
    delete all[key];
    if (Object.keys(all).length === 0) await rm(this.path, { force: true });
    else await this.#writeAll(all);
  }
}

/**
 * NOT ENCRYPTED: the password is stored as plain text, protected only by the file's 0600 mode.
 * Used only where Electron's safeStorage is unavailable — the Node unit tests, the Playwright
 * host bridge, and (logged as a warning) an Electron with no encryption at all.
 */
const plainCodec: SecretCodec = {
  protection: 'plain-file',
  seal: (secret) => secret,
  open: (sealed) => sealed,
};

export const createPlainFileSecretStore = (path: string): SecretStore => new FileSecretStore(path, plainCodec);
