import { createHash } from 'node:crypto';

/** Whose data: the same username at two control planes is two agents. */
export interface StorageOwner {
  readonly url: string;
  readonly username: string;
}

/**
 * The file name of one owner's data (call history, the last network test). Named by a hash, so a
 * username or URL never becomes a path (no traversal, no characters a file system refuses).
 */
export function ownerFileName(owner: StorageOwner): string {
  return `${createHash('sha256').update(`${owner.url}\n${owner.username}`).digest('hex').slice(0, 32)}.json`;
}
