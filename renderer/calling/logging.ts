import type { LogConnector } from 'sip.js';
import { redact } from '../../common/log-redaction.js';

/** Where the core's logs go; the UI connects it to the host's `log.write`. */
export interface CallingLogger {
  write(level: 'error' | 'warn' | 'info' | 'debug', scope: string, message: string): void;
}

export const silentLogger: CallingLogger = { write: () => {} };

const MAX_LOG_MESSAGE = 8000; // log.write accepts up to 8192 characters

/**
 * A SIP.js log line as the host may receive it: redacted by the common rules plus every literal
 * occurrence of the known secrets (SIP password, TURN password), and clamped to log.write's limit.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const out = redact(text, secrets);
  return out.length > MAX_LOG_MESSAGE ? `${out.slice(0, MAX_LOG_MESSAGE)}… [${out.length} chars]` : out;
}

/** SIP.js's log connector, routed to our logger with secrets removed. */
export function sipJsLogConnector(logger: CallingLogger, secrets: () => readonly string[]): LogConnector {
  return (level, category, _label, content) => {
    const ours = level === 'log' ? 'info' : level;
    logger.write(ours, category, redactSecrets(content, secrets()));
  };
}

/** Nothing the server sends may take the core down: a handler that throws is logged, not thrown. */
export function guarded(logger: CallingLogger, what: string, action: () => void): void {
  try {
    action();
  } catch (error) {
    logger.write('error', 'calling', `${what} failed: ${String(error)}`);
  }
}
