import type { LogConnector } from 'sip.js';

/** Where the core's logs go; the UI connects it to the host's `log.write`. */
export interface CallingLogger {
  write(level: 'error' | 'warn' | 'info' | 'debug', scope: string, message: string): void;
}

export const silentLogger: CallingLogger = { write: () => {} };

const MAX_LOG_MESSAGE = 8000; // log.write accepts up to 8192 characters

/**
 * Removes secrets from a log line: digest `response=`/`nonce`-bound hashes in (Proxy-)Authorization
 * headers and any literal occurrence of the known secrets (SIP password, TURN password).
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text.replace(/^((?:Proxy-)?Authorization:\s*Digest\s).*$/gim, '$1[redacted]');
  for (const secret of secrets) {
    if (secret.length >= 3) out = out.split(secret).join('[redacted]');
  }
  return out.length > MAX_LOG_MESSAGE ? `${out.slice(0, MAX_LOG_MESSAGE)}… [${out.length} chars]` : out;
}

/** SIP.js's log connector, routed to our logger with secrets removed. */
export function sipJsLogConnector(logger: CallingLogger, secrets: () => readonly string[]): LogConnector {
  return (level, category, _label, content) => {
    const ours = level === 'log' ? 'info' : level;
    logger.write(ours, category, redactSecrets(content, secrets()));
  };
}
