import { readFile, rm } from 'node:fs/promises';
import { writeJsonAtomic } from '../storage/json-file.js';

/** Where the agent's SIP/control-plane password lives between runs. */
export interface SecretStore {
  /** True when secrets are encrypted by the OS (keychain / DPAPI / libsecret). */
  readonly encrypted: boolean;
  get(key: string): Promise<string | null>;
  set(key: string, secret: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Turns a secret into what is written to disk and back. */
export interface SecretCodec {
  readonly encrypted: boolean;
  seal(secret: string): string;
  open(sealed: string): string;
}

/**
 * Secrets as one JSON object `{ key: sealed }` in a 0600 file, rewritten atomically.
 * The codec decides whether "sealed" means encrypted (safeStorage) or not (plain).
 */
export class FileSecretStore implements SecretStore {
  readonly encrypted: boolean;

  constructor(
    readonly path: string,
    private readonly codec: SecretCodec,
  ) {
    this.encrypted = codec.encrypted;
  }

  async #readAll(): Promise<Record<string, string>> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.path, 'utf8'));
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  }

  #writeAll(all: Record<string, string>): Promise<void> {
    return writeJsonAtomic(this.path, all, 0o600);
  }

  async get(key: string): Promise<string | null> {
    const sealed = (await this.#readAll())[key];
    return typeof sealed === 'string' ? this.codec.open(sealed) : null;
  }

  async set(key: string, secret: string): Promise<void> {
    await this.#writeAll({ ...(await this.#readAll()), [key]: this.codec.seal(secret) });
  }

  async delete(key: string): Promise<void> {
    const all = await this.#readAll();
    delete all[key];
    if (Object.keys(all).length === 0) await rm(this.path, { force: true });
    else await this.#writeAll(all);
  }
}

/**
 * NOT ENCRYPTED: the password is stored as plain text, protected only by the file's 0600 mode.
 * Used only where Electron's safeStorage is unavailable — the Node unit tests, the Playwright
 * host bridge, and (logged as a warning) an Electron on Linux with no keyring.
 */
const plainCodec: SecretCodec = {
  encrypted: false,
  seal: (secret) => secret,
  open: (sealed) => sealed,
};

export const createPlainFileSecretStore = (path: string): SecretStore =>
  new FileSecretStore(path, plainCodec);
