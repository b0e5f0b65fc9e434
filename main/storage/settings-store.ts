import { join } from 'node:path';
import { SettingsSchema, type Settings } from '../../common/contract/index.js';
import type { ScopedLogger } from '../logging/logger.js';
import { readJsonOrReset, writeJsonAtomic } from './json-file.js';
import { serialQueue } from './serial-queue.js';

/** Audio device choices (mic / speaker / ringer ids) in `<userData>/settings.json`. */
export class SettingsStore {
  readonly #path: string;
  readonly #log: ScopedLogger;
  readonly #serial = serialQueue();

  constructor(dataDir: string, log: ScopedLogger) {
    this.#path = join(dataDir, 'settings.json');
    this.#log = log;
  }

  get(): Promise<Settings> {
    return readJsonOrReset(this.#path, SettingsSchema, () => SettingsSchema.parse({}), this.#log);
  }

  update(patch: Partial<Settings>): Promise<Settings> {
    return this.#serial(async () => {
      const next = SettingsSchema.parse({ ...(await this.get()), ...patch });
      await writeJsonAtomic(this.#path, next);
      return next;
    });
  }
}
