import type { CallHistoryEntry } from './contract/index.js';

/**
 * An agent's call history — the one rule every keeper of it follows (the desktop host's file, the
 * web host's localStorage, the view's in-memory list): newest first, an entry whose id is already
 * there replaces it (a retried `history.add`), and one cap. History belongs to ONE agent: desktops
 * and browsers are shared, so each host keeps a separate history per signed-in agent.
 */

/** Enough for weeks of an agent's calls, small enough to rewrite on every call. */
export const CALL_HISTORY_LIMIT = 500;

export function withHistoryEntry(
  history: readonly CallHistoryEntry[],
  entry: CallHistoryEntry,
  limit = CALL_HISTORY_LIMIT,
): CallHistoryEntry[] {
  return [entry, ...history.filter((e) => e.id !== entry.id)].slice(0, limit);
}

/** A loaded history in display order: newest first, capped. */
export function newestFirst(entries: readonly CallHistoryEntry[], limit = CALL_HISTORY_LIMIT): CallHistoryEntry[] {
  return [...entries].sort((a, b) => b.startedAt - a.startedAt).slice(0, limit);
}
