import { formatHostErrorMessage, type HostErrorCode } from '../../common/contract/index.js';

/**
 * A rejection shaped like the desktop host's (contract: name 'HostError', message `[code] text`),
 * so the UI handles the web host's failures exactly like the preload's.
 */
export function hostError(code: HostErrorCode, message: string): Error {
  const error = new Error(formatHostErrorMessage({ code, message }));
  error.name = 'HostError';
  return error;
}

export function isHostError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'HostError';
}
