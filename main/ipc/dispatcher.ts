import { createValidatingDispatch, type Envelope, type EventSink, type HandlerTable } from '../../common/validating-dispatch.js';
import type { ScopedLogger } from '../logging/logger.js';
import { checkSender, type SenderInfo, type TrustedSenders } from './sender.js';

export type { Envelope, EventSink } from '../../common/validating-dispatch.js';

const SHELL = 'the desktop shell';

/**
 * The one path every host call takes, in Electron (ipcMain.handle) and in the Playwright host
 * bridge alike: sender check → the common validating dispatch (request schema → handler →
 * response schema → envelope).
 */
export function createDispatcher(table: HandlerTable, trusted: TrustedSenders, log: ScopedLogger) {
  const validated = createValidatingDispatch(table, { shell: SHELL, logError: (message, detail) => log.error(message, detail) });
  return async function dispatch(channel: string, sender: SenderInfo, rawRequest: unknown, sink: EventSink): Promise<Envelope> {
    const verdict = checkSender(sender, trusted);
    if (!verdict.trusted) {
      log.warn(`rejected ${JSON.stringify(channel.slice(0, 64))} call: ${verdict.reason}`);
      return { ok: false, error: { code: 'forbidden-sender', message: `call refused: ${verdict.reason}` } };
    }
    return validated(channel, rawRequest, sink);
  };
}
export type Dispatch = ReturnType<typeof createDispatcher>;
