import type { z } from 'zod';
import type { EventChannel, EventOf, InvokeChannel, invokeChannels } from '../../common/contract/index.js';

/** What a handler may do besides answering: push events to the window that called it. */
export interface HandlerContext {
  emit<E extends EventChannel>(channel: E, event: EventOf<E>): void;
}

type Channels = typeof invokeChannels;

/** A handler gets the PARSED request and returns something the response schema accepts. */
export type Handler<C extends InvokeChannel> = (
  request: z.output<Channels[C]['request']>,
  context: HandlerContext,
) => Promise<z.input<Channels[C]['response']>>;

/** One handler per contract channel — the compiler flags a missing or extra one. */
export type HandlerTable = { [C in InvokeChannel]: Handler<C> };
