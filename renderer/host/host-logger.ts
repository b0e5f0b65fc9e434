import type { HostApi } from '../../common/contract/index.js';
import type { CallingLogger } from '../calling/logging.js';

/**
 * Logging that ends in the host's `log.write` (the main process's log file in Electron; the
 * console, redacted, on the web). Never throws and never awaits: logging must not break a call.
 */

/** The writer is the calling core's own logger shape, so `createPhone({ logger })` takes it as is. */
export type HostLogWriter = CallingLogger;
export type LogLevel = Parameters<CallingLogger['write']>[0];

/** A logger bound to one scope, for UI code. */
export type Logger = Record<LogLevel, (message: string) => void>;

const MAX_MESSAGE = 8192;
const MAX_SCOPE = 64;

export function clampLogMessage(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}

export function createHostLogWriter(host: HostApi, fallback: Pick<Console, 'error'> = console): HostLogWriter {
  return {
    write(level, scope, message) {
      host
        .invoke('log.write', { scope: scope.slice(0, MAX_SCOPE), level, message: clampLogMessage(message) })
        // Only the failure is reported locally, never the line itself (it may carry call details).
        .catch((error: unknown) => fallback.error(`[${scope}] log.write failed: ${String(error)}`));
    },
  };
}

export function scopedLogger(writer: HostLogWriter, scope: string): Logger {
  const at = (level: LogLevel) => (message: string) => writer.write(level, scope, message);
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}
