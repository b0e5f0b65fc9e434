import { randomBytes } from 'node:crypto';

/** RFC 3261 magic cookie: branches starting with it are globally unique transaction ids. */
export const BRANCH_COOKIE = 'z9hG4bK';

export const newBranch = (): string => `${BRANCH_COOKIE}${randomBytes(8).toString('hex')}`;
export const newTag = (): string => randomBytes(6).toString('hex');
export const newCallId = (host: string): string => `${randomBytes(10).toString('hex')}@${host}`;
