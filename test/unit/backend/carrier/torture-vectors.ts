/**
 * Where the RFC 4475 torture messages are: the `shared/` folder next to the repository (as on
 * developer machines and in CI), or CLEARLINE_SHARED_DIR.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const SHARED_DIR = process.env.CLEARLINE_SHARED_DIR ?? join(REPO_ROOT, '..', 'shared');

export const TORTURE_DIR = join(SHARED_DIR, 'test-vectors', 'sip-torture-rfc4475');
/** Why the torture tests cannot run here, or undefined when they can. */
export const tortureMissing = existsSync(TORTURE_DIR)
  ? undefined
  : `RFC 4475 vectors not found at ${TORTURE_DIR} (set CLEARLINE_SHARED_DIR to the shared/ folder)`;
