import { parseHostError } from '../../common/contract/index.js';

const NO_DETAILS = 'Something went wrong (no details were given)';

/**
 * The sentence to show for a failed host or phone command: a host rejection's text without its
 * `[code]` prefix, or an Error's message without a class-name prefix.
 */
export function userMessage(error: unknown): string {
  const hostInfo = parseHostError(error);
  if (hostInfo) return hostInfo.message.trim() || NO_DETAILS;
  const raw = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const message = raw.replace(/^(?:[A-Z]\w*)?Error:\s*/, '').trim();
  return message || NO_DETAILS;
}
