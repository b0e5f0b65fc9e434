import {
  eventChannels,
  invokeChannels,
  type EventChannel,
  type HostErrorInfo,
  type InvokeChannel,
} from '../../common/contract/index.js';
import type { ScopedLogger } from '../logging/logger.js';
import type { HandlerContext, HandlerTable } from './handler-table.js';
import { HostError, toHostErrorInfo } from './host-error.js';
import { checkSender, type SenderInfo, type TrustedSenders } from './sender.js';

/** What crosses the wire for every invoke: never a thrown Error (those lose their code). */
export type Envelope = { ok: true; value: unknown } | { ok: false; error: HostErrorInfo };

/** Sends an already-validated event to the window that made the call. */
export type EventSink = (channel: EventChannel, event: unknown) => void;

const isInvokeChannel = (name: string): name is InvokeChannel => Object.hasOwn(invokeChannels, name);

/**
 * The one path every host call takes, in Electron (ipcMain.handle) and in the Playwright host
 * bridge alike: sender check → request schema → handler → response schema → envelope.
 */
export function createDispatcher(table: HandlerTable, trusted: TrustedSenders, log: ScopedLogger) {
  return async function dispatch(
    channel: string,
    sender: SenderInfo,
    rawRequest: unknown,
    sink: EventSink,
  ): Promise<Envelope> {
    try {
      const verdict = checkSender(sender, trusted);
      if (!verdict.trusted) {
        log.warn(`rejected ${JSON.stringify(channel.slice(0, 64))} call: ${verdict.reason}`);
        throw new HostError('forbidden-sender', `call refused: ${verdict.reason}`);
      }
      if (!isInvokeChannel(channel)) throw new HostError('unknown-channel', `no host channel named "${channel}"`);
      const spec = invokeChannels[channel];
      const request = spec.request.safeParse(rawRequest);
      if (!request.success) {
        const issues = request.error.issues.map((i) => `${i.path.join('.') || '(argument)'}: ${i.message}`);
        throw new HostError('invalid-request', `${channel}: ${issues.join('; ')}`);
      }
      const context: HandlerContext = {
        emit: (name, event) => sink(name, eventChannels[name].parse(event)),
      };
      const handler = table[channel] as (request: unknown, context: HandlerContext) => Promise<unknown>;
      const result = await handler(request.data, context);
      const response = spec.response.safeParse(result);
      if (!response.success) {
        log.error(`${channel} produced an invalid response`, response.error.issues);
        throw new HostError('invalid-response', `${channel}: the desktop shell produced an invalid answer`);
      }
      return { ok: true, value: response.data };
    } catch (error) {
      if (!(error instanceof HostError)) log.error(`${channel} failed`, error);
      return { ok: false, error: toHostErrorInfo(error) };
    }
  };
}
export type Dispatch = ReturnType<typeof createDispatcher>;
