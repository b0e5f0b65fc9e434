import type { HostErrorInfo } from './index.js';

/**
 * How a host error travels as an Error message, `[code] message` (see HostErrorCodeSchema in
 * index.ts); zod-free so the preload bundles it without the schemas.
 */
export const formatHostErrorMessage = (e: HostErrorInfo): string => `[${e.code}] ${e.message}`;
