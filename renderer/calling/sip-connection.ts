import {
  Registerer,
  RegistererState,
  RequestPendingError,
  TransportState,
  UserAgent,
  UserAgentState,
  type Core,
  type Invitation,
  type SessionDescriptionHandlerFactory,
  type UserAgentOptions,
} from 'sip.js';
import { insecureTransportProblem, type Session } from '../../common/contract/index.js';
import { backoffDelayMs, type BackoffPolicy } from '../../common/backoff.js';
import type { EndpointProber } from './endpoint-probe.js';
import { sipJsLogConnector, type CallingLogger } from './logging.js';
import type { RegistrationState } from './phone-api.js';
import { classifyRegisterRejection, classifyTransportFailure, closeCodeFromError, type Classified } from './registration-failure.js';
import { nextRegistration, type RegistrationEvent } from './registration-state.js';
import { checkSipShape } from './sip-sanity.js';
import { afterRegistered, afterTransportFailure, currentServer, startRotation, type ServerRotation } from './signaling-servers.js';
import type { TimerHandle, Timers } from '../../common/timers.js';
import { withTimeout } from './with-timeout.js';
import { SignalingKeepAlive } from './signaling-keepalive.js';

const REGISTER_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_S = 5;

export interface SipConnectionDeps {
  readonly logger: CallingLogger;
  readonly probe: EndpointProber;
  readonly random: () => number;
  readonly timers: Timers;
  /** SIP.js's WebSocket transport unless given (unit tests pass a transport fake). */
  readonly transportConstructor?: UserAgentOptions['transportConstructor'];
  /** Secrets to keep out of SIP.js logs (SIP password, current TURN password). */
  readonly secrets: () => readonly string[];
  /** Builds each call's media handler (the phone owns ICE servers and codec policy). */
  readonly sessionDescriptionHandlerFactory: SessionDescriptionHandlerFactory;
  readonly onInvite: (invitation: Invitation) => void;
  readonly onRegistration: (state: RegistrationState) => void;
  /** Whether a call is up now: it decides how soon a lost connection is retried. */
  readonly hasLiveCalls: () => boolean;
  /**
   * Registered again on a new WebSocket after the old one was lost: the calls' dialogs still
   * name the dead connection and must refresh their target (sip-phone.ts).
   */
  readonly onReconnected: () => void;
}

/**
 * Reconnect waits when idle: the common backoff from 1 s, doubling to 30 s, jittered — a fleet
 * of agents that lost the server together does not come back in lock-step.
 */
export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 30_000 };

/**
 * Reconnect waits while a call is up: 0.25–0.5 s, however long the outage, so the agent is
 * registered again (and the call's dialog refreshed) well within 2 s of the path returning
 * (an attempt, a WebSocket handshake, a challenged REGISTER). Only agents with a call up retry
 * this often, each a TCP connect at most every quarter second; the idle fleet keeps the long
 * jittered backoff above.
 */
export const LIVE_CALL_RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 500 };

/**
 * The agent's line to the SIP server: one SIP.js UserAgent + Registerer over WebSocket, the
 * registration state with a clear reason when it fails, reconnect with backoff, and a shield
 * against malformed frames. Knows nothing about calls beyond handing INVITEs to the phone.
 */
export class SipConnection {
  private session: Session | null = null;
  private ua: UserAgent | null = null;
  private registerer: Registerer | null = null;
  private registration: RegistrationState = { kind: 'unregistered' };
  private reconnectAttempt = 0;
  private reconnectTimer: TimerHandle | null = null;
  private wasConnected = false;
  /** The account's signaling servers and which one the next attempt uses (signaling-servers.ts). */
  private rotation: ServerRotation | null = null;
  /** The WebSocket dropped since the last registration: the next one must refresh the calls' dialogs. */
  private transportLost = false;
  private generation = 0; // bumps on start/stop/rebuild so callbacks of an old UA are ignored
  /** Watches the live connection for a silently dead path (signaling-keepalive.ts). */
  private keepAlive: SignalingKeepAlive | null = null;

  constructor(private readonly deps: SipConnectionDeps) {}

  get userAgent(): UserAgent | null {
    return this.ua;
  }

  get state(): RegistrationState {
    return this.registration;
  }

  /** Connects and registers; resolves once the first attempt settled (registered or failed). */
  async start(session: Session): Promise<void> {
    await this.stop();
    // The digest REGISTER would cross the network in clear: refuse before any socket opens, and
    // never retry (only a new configuration can fix it).
    const { wsUrl, fallbackWsUrls = [] } = session.config.sip;
    const insecure = [wsUrl, ...fallbackWsUrls].map((url) => insecureTransportProblem(url, 'SIP WebSocket URL')).find((p) => p !== null);
    if (insecure) {
      this.apply({ type: 'refuse', reason: 'insecure-transport', message: insecure });
      return;
    }
    this.session = session;
    this.rotation = startRotation(wsUrl, fallbackWsUrls);
    const generation = this.buildUserAgent(session);
    this.apply({ type: 'connect' });
    await this.connectAndRegister(generation);
  }

  async stop(): Promise<void> {
    this.generation++;
    this.clearReconnect();
    this.stopKeepAlive();
    const ua = this.ua;
    const registerer = this.registerer;
    this.ua = null;
    this.registerer = null;
    this.session = null;
    this.rotation = null;
    this.wasConnected = false;
    this.transportLost = false;
    this.reconnectAttempt = 0;
    if (ua) {
      if (registerer && registerer.state === RegistererState.Registered && ua.isConnected()) {
        await withTimeout(
          registerer.unregister().catch(() => undefined),
          2000,
          this.deps.timers,
        );
      }
      await withTimeout(
        ua.stop().catch(() => undefined),
        3000,
        this.deps.timers,
      );
    }
    if (this.registration.kind !== 'unregistered') this.apply({ type: 'stop' });
  }

  /** Reconnect/re-register right away (resume, network change) instead of waiting for keep-alives. */
  reconnectNow(): void {
    if (!this.ua || !this.session) return;
    this.clearReconnect();
    this.reconnectAttempt = 0;
    this.apply({ type: 'connect' });
    void this.connectAndRegister(this.generation);
  }

  /** A fresh UserAgent + Registerer for `session`; returns the generation its callbacks belong to. */
  private buildUserAgent(session: Session): number {
    const generation = ++this.generation;
    const { config } = session;
    const ua = new UserAgent({
      uri: UserAgent.makeURI(`sip:${config.agent.username}@${config.sip.domain}`)!,
      displayName: config.agent.displayName,
      authorizationUsername: config.agent.username,
      authorizationPassword: session.password,
      transportOptions: { server: this.server(), connectionTimeout: CONNECT_TIMEOUT_S, keepAliveInterval: 25 },
      ...(this.deps.transportConstructor ? { transportConstructor: this.deps.transportConstructor } : {}),
      logBuiltinEnabled: false,
      logConfiguration: false,
      logLevel: 'log',
      logConnector: sipJsLogConnector(this.deps.logger, this.deps.secrets),
      sessionDescriptionHandlerFactory: this.deps.sessionDescriptionHandlerFactory,
      delegate: {
        onInvite: (invitation) => this.deps.onInvite(invitation),
        onDisconnect: (error) => this.onDisconnect(generation, error),
      },
    });
    this.shieldFromMalformedMessages(ua);
    const previous = this.ua;
    this.ua = ua;
    this.registerer = this.newRegisterer(ua, session, generation);
    if (previous)
      void withTimeout(
        previous.stop().catch(() => undefined),
        3000,
        this.deps.timers,
      );
    return generation;
  }

  private async connectAndRegister(generation: number): Promise<void> {
    const session = this.session;
    if (!this.ua || !session || generation !== this.generation) return;
    if (this.ua.transport.state === TransportState.Connecting) dropSocket(this.ua.transport, 'connect attempt abandoned');
    const ua = this.ua;
    const server = this.server();
    try {
      if (!ua.isConnected()) {
        pointTransportAt(ua.transport, server);
        const attempt = ua.state === UserAgentState.Started ? ua.reconnect() : ua.start();
        const settled = await withTimeout(
          attempt.then(() => 'connected' as const),
          (CONNECT_TIMEOUT_S + 1) * 1000,
          this.deps.timers,
        );
        if (settled !== 'connected') throw new Error(`WebSocket ${server} did not open`);
      }
    } catch (error) {
      if (generation !== this.generation) return;
      const finding = await this.deps.probe(server);
      if (generation !== this.generation) return;
      const failure = classifyTransportFailure({
        wsUrl: server,
        closeCode: closeCodeFromError(error as Error),
        probe: finding.result,
        probeDetail: finding.detail,
        wasConnected: this.wasConnected,
      });
      this.deps.logger.write('warn', 'calling.registration', `connect failed (${String(error)}): ${failure.reason}`);
      this.scheduleReconnect(generation, failure, 'next-server');
      return;
    }
    if (generation !== this.generation) return;
    this.wasConnected = true;
    this.watchPath(ua, generation);
    await this.register(generation);
  }

  private newRegisterer(ua: UserAgent, session: Session, generation: number): Registerer {
    const registerer = new Registerer(ua, { expires: session.config.sip.registerExpiresSec });
    registerer.stateChange.addListener((state) => {
      // A refresh that failed silently (server restarted and forgot us): register again.
      if (
        state === RegistererState.Unregistered &&
        registerer === this.registerer &&
        this.registration.kind === 'registered' &&
        generation === this.generation
      ) {
        this.deps.logger.write('warn', 'calling.registration', 'registration lapsed; registering again');
        void this.register(generation);
      }
    });
    return registerer;
  }

  private register(generation: number, afresh = false): Promise<void> {
    const registerer = this.registerer;
    const session = this.session;
    const ua = this.ua;
    if (!registerer || !ua || !session) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = this.deps.timers.setTimeout(() => {
        settle(() =>
          this.scheduleReconnect(
            generation,
            {
              reason: 'server-error',
              message: `The phone server (${this.server()}) did not answer the registration within ${REGISTER_TIMEOUT_MS / 1000} s.`,
            },
            'next-server',
          ),
        );
      }, REGISTER_TIMEOUT_MS);
      let settled = false;
      const settle = (apply: () => void) => {
        if (settled) return;
        settled = true;
        this.deps.timers.clearTimeout(timer);
        if (generation === this.generation) apply();
        resolve();
      };
      registerer
        .register({
          requestDelegate: {
            onAccept: () =>
              settle(() => {
                this.reconnectAttempt = 0;
                if (this.rotation) this.rotation = afterRegistered(this.rotation);
                this.apply({ type: 'accepted', since: Date.now() });
                if (this.transportLost) {
                  this.transportLost = false;
                  this.deps.onReconnected();
                }
              }),
            onReject: (response: Core.IncomingResponse) =>
              settle(() => {
                const { statusCode, reasonPhrase } = response.message;
                const retryAfter = response.message.getHeader('Retry-After');
                const failure = classifyRegisterRejection(statusCode ?? 0, reasonPhrase ?? '', session.config.agent.username, retryAfter);
                if (failure.reason === 'wrong-credentials') {
                  // Retrying a wrong password only locks the account; wait for the user.
                  this.apply({ type: 'fail', reason: failure.reason, message: failure.message, retryInMs: null });
                } else {
                  this.scheduleReconnect(generation, failure);
                }
              }),
          },
        })
        .catch((error: unknown) => {
          if (error instanceof RequestPendingError && !afresh && !settled && generation === this.generation) {
            // A REGISTER sent on the connection that died is never answered, and SIP.js refuses
            // every new one until that transaction times out (64·T1 = 32 s). It is moot: this one
            // goes out on the new connection, from a fresh Registerer (the orphaned one ends
            // unregistered when its transaction times out and sends nothing more).
            settled = true;
            this.deps.timers.clearTimeout(timer);
            this.deps.logger.write('info', 'calling.registration', 'the last REGISTER died with its connection: registering afresh');
            this.registerer = this.newRegisterer(ua, session, generation);
            resolve(this.register(generation, true));
            return;
          }
          settle(() =>
            this.scheduleReconnect(
              generation,
              { reason: 'server-error', message: `Registration could not be sent: ${String(error)}` },
              'next-server',
            ),
          );
        });
    });
  }

  /**
   * SIP.js throws out of the WebSocket message handler on some malformed requests (e.g. RFC 4475
   * torture messages without a usable Request-URI) — an uncaught error in the page — and answers
   * others in ways that get us disconnected (see sip-sanity.ts). A server (or anything between us
   * and it) must not be able to do either: drop such a message and log it.
   */
  private shieldFromMalformedMessages(ua: UserAgent): void {
    const deliver = ua.transport.onMessage;
    if (!deliver) return;
    ua.transport.onMessage = (message: string) => {
      this.keepAlive?.heard();
      // CRLF keep-alive answers never reach here (the transport consumes them).
      const shape = checkSipShape(message);
      if (!shape.ok) {
        this.deps.logger.write('warn', 'calling', `dropped a malformed message from the server: ${shape.why}`);
        return;
      }
      try {
        deliver(message);
      } catch (error) {
        const firstLine = message.slice(0, message.search(/\r?\n|$/)).slice(0, 120);
        this.deps.logger.write('warn', 'calling', `dropped a SIP message the stack could not handle (${String(error)}): “${firstLine}”`);
      }
    };
  }

  /**
   * While connected, a ping goes out whenever the server has been quiet (signaling-keepalive.ts);
   * its answer reaches onMessage like any message. No answer in time: the path is dead, so the
   * socket is dropped at once — the browser would hold it open until TCP gave up, minutes later —
   * and the transport's close starts the reconnect (onDisconnect: "reconnecting" in the UI).
   */
  private watchPath(ua: UserAgent, generation: number): void {
    this.stopKeepAlive();
    const session = this.session;
    if (!session) return;
    const server = UserAgent.makeURI(`sip:${session.config.sip.domain}`);
    if (!server) return;
    this.keepAlive = new SignalingKeepAlive({
      timers: this.deps.timers,
      ping: () => {
        const core = ua.userAgentCore;
        core.request(core.makeOutgoingRequestMessage('OPTIONS', server, ua.configuration.uri, server, {}), {});
      },
      onDead: (silentForMs) => {
        if (generation !== this.generation || ua !== this.ua) return;
        this.deps.logger.write(
          'warn',
          'calling.registration',
          `the phone server has not answered for ${silentForMs} ms: dropping the connection`,
        );
        dropSocket(ua.transport, 'no answer to keep-alive');
      },
    });
    this.keepAlive.start();
  }

  private stopKeepAlive(): void {
    this.keepAlive?.stop();
    this.keepAlive = null;
  }

  private onDisconnect(generation: number, error?: Error): void {
    if (generation === this.generation) this.stopKeepAlive();
    if (generation !== this.generation || !error) return; // no error: we disconnected on purpose
    const session = this.session;
    if (!session) return;
    const failure = classifyTransportFailure({
      wsUrl: this.server(),
      closeCode: closeCodeFromError(error),
      probe: 'not-run',
      wasConnected: this.wasConnected,
    });
    this.deps.logger.write('warn', 'calling.registration', `transport lost: ${error.message}`);
    this.transportLost = true;
    this.scheduleReconnect(generation, failure, 'next-server');
  }

  /**
   * `next-server`: the server could not be reached or stopped answering, so the next attempt goes
   * to the next signaling server (at once, jittered, while some server is untried; after the
   * backoff once all failed in a row). `same-server`: the server refused us; every node would.
   */
  private scheduleReconnect(generation: number, failure: Classified, where: 'next-server' | 'same-server' = 'same-server'): void {
    if (generation !== this.generation) return;
    this.clearReconnect();
    const policy = this.deps.hasLiveCalls() ? LIVE_CALL_RECONNECT_BACKOFF : RECONNECT_BACKOFF;
    let delay: number;
    if (failure.retryAfterMs !== undefined) {
      // A lockout says when to come back; retrying sooner would only extend it.
      delay = failure.retryAfterMs;
    } else if (where === 'next-server' && this.rotation) {
      const step = afterTransportFailure(this.rotation, this.deps.random);
      this.rotation = step.rotation;
      if (step.kind === 'failover') {
        delay = step.pauseMs;
        this.deps.logger.write('info', 'calling.registration', `failing over to ${currentServer(step.rotation)} in ${delay} ms`);
      } else {
        delay = backoffDelayMs(policy, step.round, this.deps.random);
      }
    } else {
      delay = backoffDelayMs(policy, ++this.reconnectAttempt, this.deps.random);
    }
    this.apply({ type: 'fail', reason: failure.reason, message: failure.message, retryInMs: delay });
    this.reconnectTimer = this.deps.timers.setTimeout(() => {
      this.reconnectTimer = null;
      if (generation !== this.generation) return;
      this.apply({ type: 'connect' });
      void this.connectAndRegister(generation);
    }, delay);
  }

  /** The signaling server the next connect attempt uses. */
  private server(): string {
    return this.rotation ? currentServer(this.rotation) : (this.session?.config.sip.wsUrl ?? '');
  }

  private clearReconnect(): void {
    if (this.reconnectTimer !== null) this.deps.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  /** Every registration change goes through the drawn state machine (registration-state.ts). */
  private apply(event: RegistrationEvent): void {
    const result = nextRegistration(this.registration, event);
    if (!result.ok) {
      this.deps.logger.write('debug', 'calling.registration', `${result.error} (ignored)`);
      return;
    }
    this.registration = result.state;
    this.deps.onRegistration(result.state);
  }
}

/**
 * Points SIP.js's WebSocket transport at `url` for its next connect. SIP.js 0.21's transport reads
 * `configuration.server` at every connect; building a new UserAgent instead would end the calls in
 * progress (UserAgent.stop() ends every session), and a call must survive its node's loss (its
 * media flows through rtpengine, not the signaling node). The unit tests' transport fake mirrors
 * the field; a transport without it is left alone.
 */
function pointTransportAt(transport: unknown, url: string): void {
  const configuration = (transport as { configuration?: { server?: unknown } }).configuration;
  if (configuration && typeof configuration.server === 'string') configuration.server = url;
}

/**
 * Drops the transport's socket now: a connect attempt still "Connecting" when the next one is due
 * (ours gave up on it, or a network change wants a fresh one), or a connection whose path died
 * silently (no answer to a keep-alive). Chromium does not always fire `close` after a failed
 * handshake (e.g. one refused by CSP), and on a dead path only after TCP gives up; SIP.js's
 * WebSocket transport waits for that event. Replacing the UserAgent would unstick it but end every
 * call in progress (UserAgent.stop() ends its sessions), so the socket is closed and the transport
 * is handed the `close` the browser owes it: the same UserAgent connects again and its calls live
 * on. A transport that shows no socket (`ws`, SIP.js 0.21's public getter) is left to finish.
 */
function dropSocket(transport: unknown, reason: string): void {
  const ws = (transport as { ws?: unknown }).ws;
  if (!(ws instanceof EventTarget)) return;
  (ws as Partial<Pick<WebSocket, 'close'>>).close?.();
  ws.dispatchEvent(new CloseEvent('close', { code: 1006, reason }));
}
