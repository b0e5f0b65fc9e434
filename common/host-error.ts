import { formatHostErrorMessage } from './contract/host-error-message.js';
// Types only: the preload bundles this file, and the schemas (zod) must stay out of it.
import type { HostErrorCode, HostErrorInfo } from './contract/index.js';

/**
 * Host errors, built one way in every host (main, the web host, the preload's bridge).
 *
 * A host throws `HostError` for a failure meant for the user: its code and message cross to the
 * renderer as they are. The renderer sees every failed `invoke` as `rejection(info)`: an Error
 * named 'HostError' whose message is `[code] message` (see parseHostError in the contract).
 */
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
 * or secrets, so they go only to the (redacted) log, never to the renderer. `shell` names the
 * host in that message ("the desktop shell", "the web host").
 */
export function toHostErrorInfo(error: unknown, shell: string): HostErrorInfo {
  if (error instanceof HostError) return { code: error.code, message: error.message };
  return { code: 'internal', message: `internal error in ${shell} (details in the log)` };
}

/** How a failed `invoke` rejects on the renderer's side of any host. */
export function hostRejection(info: HostErrorInfo): Error {
  const error = new Error(formatHostErrorMessage(info));
  error.name = 'HostError';
  return error;
}
