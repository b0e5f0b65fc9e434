import { EmitterImpl, TransportState, type Emitter, type Transport, type UserAgentOptions } from 'sip.js';
import { methodOf, registered } from './sip-messages.js';

/**
 * What the far side of the phone's WebSocket does with each message the phone sent: the test's
 * registrar and far end. `reply` delivers a message back over the same connection.
 */
export type ServerScript = (message: string, reply: (message: string) => void) => void;

/** By default the server accepts every REGISTER and ignores everything else. */
export const registrarOnly: ServerScript = (message, reply) => {
  if (methodOf(message) === 'REGISTER') reply(registered(message));
};

/**
 * The SIP server as the phone's transports reach it, after SIP.js's own TransportFake (which pairs
 * two user agents): here one side is the phone, the other a script. Each UserAgent the phone
 * builds gets a new `TransportFake` through `transportConstructor`; all of them talk to this server.
 */
export class FakeSipServer {
  /** Every message the phone sent, in order, over any of its connections. */
  readonly received: string[] = [];
  readonly transports: TransportFake[] = [];
  /**
   * Decides each connect attempt to `server` (the URL the phone pointed the transport at): null
   * opens the WebSocket, an Error fails the attempt with it.
   */
  connectFailure: (server: string) => Error | null = () => null;
  /**
   * Connect attempts open a socket that never opens nor closes, as a handshake Chromium never
   * finishes (e.g. one refused by CSP): the transport stays "Connecting" until someone dispatches
   * `close` on its `ws`.
   */
  hangConnects = false;
  /** The server URL of every connect attempt, in order. */
  readonly connects: string[] = [];
  script: ServerScript = registrarOnly;
  private readonly waiters: Array<{ done: () => boolean; resolve: () => void }> = [];

  get transportConstructor(): NonNullable<UserAgentOptions['transportConstructor']> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- SIP.js constructs the class itself, and inside its constructor `this` is the transport, not this server
    const server = this;
    return class extends TransportFake {
      constructor(_logger: unknown, options?: { server?: string }) {
        super(server, options?.server ?? '');
        server.transports.push(this);
      }
    };
  }

  /** The messages of one method the phone sent (requests only). */
  requests(method: string): string[] {
    return this.received.filter((m) => methodOf(m) === method);
  }

  /** Resolves once the phone has sent `count` requests of `method` in all. */
  sent(method: string, count = 1): Promise<string> {
    const done = () => this.requests(method).length >= count;
    const nth = () => this.requests(method)[count - 1]!;
    if (done()) return Promise.resolve(nth());
    return new Promise((resolve) => this.waiters.push({ done, resolve: () => resolve(nth()) }));
  }

  /** A message from the server to the phone over its newest connection (e.g. the far end's BYE). */
  push(message: string): void {
    this.transports.at(-1)?.deliver(message);
  }

  /** @internal the transport hands over what the phone sent */
  accept(message: string, from: TransportFake): void {
    this.received.push(message);
    for (const waiter of this.waiters.filter((w) => w.done())) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    this.script(message, (reply) => from.deliver(reply));
  }
}

/**
 * SIP.js's `Transport` contract without a socket: the state machine (Disconnected → Connecting →
 * Connected → Disconnecting → Disconnected) with its onConnect/onDisconnect callbacks, and
 * messages delivered asynchronously, as a WebSocket would.
 */
export class TransportFake implements Transport {
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;
  readonly protocol = 'WSS';
  private current = TransportState.Disconnected;
  private readonly states = new EmitterImpl<TransportState>();
  /** Mirrors SIP.js's WebSocket transport: the URL its next connect goes to (the phone may change it). */
  readonly configuration: { server: string };
  /** Mirrors SIP.js's WebSocket transport: the socket of a hanging attempt (see `hangConnects`). */
  ws: EventTarget | undefined;

  constructor(
    private readonly server: FakeSipServer,
    url: string,
  ) {
    this.configuration = { server: url };
  }

  get state(): TransportState {
    return this.current;
  }

  get stateChange(): Emitter<TransportState> {
    return this.states;
  }

  isConnected(): boolean {
    return this.current === TransportState.Connected;
  }

  async connect(): Promise<void> {
    if (this.current === TransportState.Connected) return;
    this.transition(TransportState.Connecting);
    await Promise.resolve();
    this.server.connects.push(this.configuration.server);
    if (this.server.hangConnects) return this.hang();
    const failure = this.server.connectFailure(this.configuration.server);
    if (failure) {
      this.transition(TransportState.Disconnected);
      throw failure;
    }
    this.transition(TransportState.Connected);
  }

  async disconnect(): Promise<void> {
    if (this.current === TransportState.Disconnected) return;
    this.transition(TransportState.Disconnecting);
    this.transition(TransportState.Disconnected);
  }

  async dispose(): Promise<void> {
    await this.disconnect();
  }

  async send(message: string): Promise<void> {
    if (!this.isConnected()) throw new Error('Not connected.');
    queueMicrotask(() => this.server.accept(message, this));
  }

  /** Like SIP.js's transport: only the socket's `close` event ends the attempt. */
  private hang(): Promise<void> {
    const ws = new EventTarget();
    this.ws = ws;
    return new Promise((_resolve, reject) => {
      ws.addEventListener('close', (event) => {
        if (this.ws !== ws) return;
        this.ws = undefined;
        this.transition(TransportState.Disconnected);
        reject(new Error(`WebSocket closed ${this.configuration.server} (code: ${(event as CloseEvent).code})`));
      });
    });
  }

  /** The server's side of the socket went away (server restart, network lost). */
  drop(error: Error): void {
    if (this.current !== TransportState.Connected) return;
    this.transition(TransportState.Disconnected, error);
  }

  /** @internal a message from the server, delivered on a later tick like a socket's. */
  deliver(message: string): void {
    setImmediate(() => {
      if (this.isConnected()) this.onMessage?.(message);
    });
  }

  private transition(next: TransportState, error?: Error): void {
    const previous = this.current;
    this.current = next;
    this.states.emit(next);
    if (next === TransportState.Connected) this.onConnect?.();
    if (previous === TransportState.Connected) this.onDisconnect?.(error);
  }
}
