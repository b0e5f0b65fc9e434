import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CallHistoryEntrySchema, type CallHistoryEntry } from '../../common/contract/index.js';
import { CALL_HISTORY_LIMIT, withHistoryEntry } from '../../common/call-history.js';
import type { ScopedLogger } from '../logging/logger.js';
import { readJsonOrReset, writeJsonAtomic } from './json-file.js';
import { ownerFileName, type StorageOwner } from './owner-file-name.js';
import { serialQueue } from './serial-queue.js';

const HistoryFileSchema = z.array(CallHistoryEntrySchema);

/** Call history per agent in `<userData>/history/<hash>.json`, newest first, bounded. */
export class HistoryStore {
  readonly #dir: string;
  readonly #log: ScopedLogger;
  readonly #serial = serialQueue();

  constructor(
    dataDir: string,
    log: ScopedLogger,
    readonly limit = CALL_HISTORY_LIMIT,
  ) {
    this.#dir = join(dataDir, 'history');
    this.#log = log;
  }

  /**
   * Deletes `<userData>/history.json`, the one history every agent of the machine shared before
   * history was kept per agent: its calls cannot be told apart, and any agent could read them.
   */
  removeSharedHistory(): Promise<void> {
    return rm(join(this.#dir, '..', 'history.json'), { force: true });
  }

  list(owner: StorageOwner): Promise<CallHistoryEntry[]> {
    return readJsonOrReset(join(this.#dir, ownerFileName(owner)), HistoryFileSchema, () => [], this.#log);
  }

  add(owner: StorageOwner, entry: CallHistoryEntry): Promise<void> {
    return this.#serial(async () =>
      writeJsonAtomic(join(this.#dir, ownerFileName(owner)), withHistoryEntry(await this.list(owner), entry, this.limit)),
    );
  }
}
