import { join } from 'node:path';
import { z } from 'zod';
import { CallHistoryEntrySchema, type CallHistoryEntry } from '../../common/contract/index.js';
import type { ScopedLogger } from '../logging/logger.js';
import { readJsonOrReset, writeJsonAtomic } from './json-file.js';
import { serialQueue } from './serial-queue.js';

/** Enough for weeks of an agent's calls, small enough to rewrite on every call. */
export const HISTORY_LIMIT = 500;

const HistoryFileSchema = z.array(CallHistoryEntrySchema);

/** Newest first; an entry with an id already present replaces it (a retried `history.add`). */
export function appendBounded(
  history: readonly CallHistoryEntry[],
  entry: CallHistoryEntry,
  limit = HISTORY_LIMIT,
): CallHistoryEntry[] {
  return [entry, ...history.filter((e) => e.id !== entry.id)].slice(0, limit);
}

/** Call history in `<userData>/history.json`, newest first, bounded. */
export class HistoryStore {
  readonly #path: string;
  readonly #log: ScopedLogger;
  readonly #serial = serialQueue();

  constructor(dataDir: string, log: ScopedLogger, readonly limit = HISTORY_LIMIT) {
    this.#path = join(dataDir, 'history.json');
    this.#log = log;
  }

  list(): Promise<CallHistoryEntry[]> {
    return readJsonOrReset(this.#path, HistoryFileSchema, () => [], this.#log);
  }

  add(entry: CallHistoryEntry): Promise<void> {
    return this.#serial(async () => writeJsonAtomic(this.#path, appendBounded(await this.list(), entry, this.limit)));
  }
}
