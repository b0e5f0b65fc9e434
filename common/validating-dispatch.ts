import type { z } from 'zod';
import {
  eventChannels,
  invokeChannels,
  type EventChannel,
  type EventOf,
  type HostErrorInfo,
  type InvokeChannel,
} from './contract/index.js';
import { HostError, toHostErrorInfo } from './host-error.js';

/**
 * The one path every host call takes — main's ipcMain handler, the Playwright host bridge and the
 * web host alike: request schema → handler → response schema → envelope. Only the transport
 * (and, in Electron, the sender check before it) differs per host.
 */

/** What a handler may do besides answering: push events to the window that called it. */
export interface HandlerContext {
  emit<E extends EventChannel>(channel: E, event: EventOf<E>): void;
}

type Channels = typeof invokeChannels;

type Answer<C extends InvokeChannel> = z.input<Channels[C]['response']>;
type Request<C extends InvokeChannel> = z.output<Channels[C]['request']>;

/** A handler gets the PARSED request and returns something the response schema accepts. */
export type Handler<C extends InvokeChannel> = (request: Request<C>, context: HandlerContext) => Promise<Answer<C>>;

/** One handler per contract channel — the compiler flags a missing or extra one. */
export type HandlerTable = { [C in InvokeChannel]: Handler<C> };

/** The same, where a handler may also answer synchronously (the in-page web host). */
export type SyncOrAsyncHandlerTable = {
  [C in InvokeChannel]: (request: Request<C>, context: HandlerContext) => Answer<C> | Promise<Answer<C>>;
};

/** What crosses the wire for every invoke: never a thrown Error (those lose their code). */
export type Envelope = { ok: true; value: unknown } | { ok: false; error: HostErrorInfo };

/** Receives an already-validated event for the window that made the call. */
export type EventSink = (channel: EventChannel, event: unknown) => void;

export interface DispatchOptions {
  /** Names the host in 'internal' errors: "the desktop shell", "the web host". */
  shell: string;
  /** A handler threw something that is not a HostError (a bug), or answered off-contract. */
  logError(message: string, detail: unknown): void;
}

const isInvokeChannel = (name: string): name is InvokeChannel => Object.hasOwn(invokeChannels, name);

export function createValidatingDispatch(table: SyncOrAsyncHandlerTable, options: DispatchOptions) {
  return async function dispatch(channel: string, rawRequest: unknown, sink: EventSink): Promise<Envelope> {
    try {
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
      const handler = table[channel] as (request: unknown, context: HandlerContext) => unknown;
      const result = await handler(request.data, context);
      const response = spec.response.safeParse(result);
      if (!response.success) {
        options.logError(`${channel} produced an invalid response`, response.error.issues);
        throw new HostError('invalid-response', `${channel}: ${options.shell} produced an invalid answer`);
      }
      return { ok: true, value: response.data };
    } catch (error) {
      if (!(error instanceof HostError)) options.logError(`${channel} failed`, error);
      return { ok: false, error: toHostErrorInfo(error, options.shell) };
    }
  };
}
