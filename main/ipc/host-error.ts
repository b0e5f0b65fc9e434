import type { HostErrorCode, HostErrorInfo } from '../../common/contract/index.js';

/** An error meant for the user: its code and message cross IPC as they are. */
export class HostError extends Error {
  override readonly name = 'HostError';

  constructor(
    readonly code: HostErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What a failure looks like on the wire. A HostError keeps its code and message; anything else is
 * an unexpected bug and becomes a generic 'internal' error — its message and stack may hold paths
 * or secrets, so they go only to the (redacted) log, never to the renderer.
 */
export function toHostErrorInfo(error: unknown): HostErrorInfo {
  if (error instanceof HostError) return { code: error.code, message: error.message };
  return { code: 'internal', message: 'internal error in the desktop shell (details in the log)' };
}
