import type { TimerHandle, Timers } from '../../common/timers.js';

/**
 * Notices a dead signaling path within seconds. A WebSocket whose path silently died (a VPN that
 * dropped, a firewall that black-holes it) stays "open" until TCP gives up, minutes later, and
 * SIP.js's CRLF keep-alive has no deadline. So, while connected, a ping (an OPTIONS to the server,
 * which Kamailio answers statelessly; backend/config/kamailio.cfg) goes out every
 * KEEPALIVE_INTERVAL_MS without other traffic, and when nothing at all arrives within
 * PONG_DEADLINE_MS of it the path is declared dead (pure: the caller sends and drops the socket).
 */
export const KEEPALIVE_INTERVAL_MS = 5000;
/** Kamailio answers in milliseconds; this leaves room for a loaded machine and a slow link. */
export const PONG_DEADLINE_MS = 4000;

export interface KeepAliveDeps {
  readonly timers: Timers;
  /** Sends one ping; whatever the server sends back (any message) counts as the answer. */
  readonly ping: () => void;
  /** Nothing arrived within the deadline: the path is dead. Called once; the watch stops. */
  readonly onDead: (silentForMs: number) => void;
}

export class SignalingKeepAlive {
  private timer: TimerHandle | null = null;
  private lastHeardAt = 0;
  private pingSentAt: number | null = null;

  constructor(
    private readonly deps: KeepAliveDeps,
    private readonly now: () => number = Date.now,
  ) {}

  /** The connection is up: start watching it. */
  start(): void {
    this.stop();
    this.lastHeardAt = this.now();
    this.schedule(KEEPALIVE_INTERVAL_MS);
  }

  stop(): void {
    if (this.timer !== null) this.deps.timers.clearTimeout(this.timer);
    this.timer = null;
    this.pingSentAt = null;
  }

  /** Something arrived from the server (a response, a request, a pong). */
  heard(): void {
    this.lastHeardAt = this.now();
  }

  private schedule(ms: number): void {
    this.timer = this.deps.timers.setTimeout(() => this.tick(), ms);
  }

  private tick(): void {
    this.timer = null;
    const now = this.now();
    if (this.pingSentAt !== null) {
      if (this.lastHeardAt >= this.pingSentAt) {
        this.pingSentAt = null;
      } else {
        this.pingSentAt = null;
        this.deps.onDead(now - this.lastHeardAt);
        return;
      }
    }
    const quietFor = now - this.lastHeardAt;
    if (quietFor < KEEPALIVE_INTERVAL_MS) {
      // Traffic flowed recently: that is proof enough; look again when it has been quiet long enough.
      this.schedule(KEEPALIVE_INTERVAL_MS - quietFor);
      return;
    }
    this.pingSentAt = now;
    this.deps.ping();
    this.schedule(PONG_DEADLINE_MS);
  }
}
