import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CallHistoryEntrySchema, type CallHistoryEntry } from '../../common/contract/index.js';
import { CALL_HISTORY_LIMIT, withHistoryEntry } from '../../common/call-history.js';
import type { ScopedLogger } from '../logging/logger.js';
import { readJsonOrReset, writeJsonAtomic } from './json-file.js';
import { serialQueue } from './serial-queue.js';

const HistoryFileSchema = z.array(CallHistoryEntrySchema);

/** Whose history: the same username at two control planes is two agents. */
export interface HistoryOwner {
  readonly url: string;
  readonly username: string;
}

/**
 * The file of one agent's history under `<userData>/history/`. Named by a hash, so a username
 * never becomes a path (no traversal, no characters a file system refuses).
 */
export function historyFileName(owner: HistoryOwner): string {
  return `${createHash('sha256').update(`${owner.url}\n${owner.username}`).digest('hex').slice(0, 32)}.json`;
}

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

  list(owner: HistoryOwner): Promise<CallHistoryEntry[]> {
    return readJsonOrReset(join(this.#dir, historyFileName(owner)), HistoryFileSchema, () => [], this.#log);
  }

  add(owner: HistoryOwner, entry: CallHistoryEntry): Promise<void> {
    return this.#serial(async () =>
      writeJsonAtomic(join(this.#dir, historyFileName(owner)), withHistoryEntry(await this.list(owner), entry, this.limit)),
    );
  }
}
